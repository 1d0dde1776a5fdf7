"""The directors' and supervisors' dashboards as typed views: the filters a person may choose (only their own
agencies), the figures of `analytics.measures` for them, with services and agencies named, and each figure's
rows for a CSV download.

Counts only: nothing here names a person, so reading a dashboard is not an access to anyone's data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.analytics import case_measures, measures, mix
from townsquare.analytics import config as config_
from townsquare.analytics.case_measures import Cell, Sla
from townsquare.analytics.measures import Cost, Journeys, Period, Scope, Shift, Volume
from townsquare.analytics.mix import SMALL as SMALL
from townsquare.analytics.mix import Mix
from townsquare.analytics.rollups import DIMENSIONS
from townsquare.analytics.surveys import results as survey_results
from townsquare.analytics.surveys.results import Result
from townsquare.clock import utcnow
from townsquare.errors import invalid
from townsquare.interactions.kinds import Channel
from townsquare.staff.auth import Principal

PERIODS: tuple[Period, ...] = ("day", "week", "month")
LONGEST = timedelta(days=3 * 366)
FIGURES = (
    "volume",
    "journeys",
    "journeys-by-service",
    "shift",
    "cost-by-channel",
    "cost-by-service",
    "cost-by-agency",
    "sla-by-service",
    "sla-by-channel",
    "mix-language",
    "mix-age_band",
    "mix-area",
    "hotspots",
    "satisfaction",
)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass
class Dashboard:
    scope: Scope
    agencies: list[Choice]
    services: list[Choice]
    channels: list[str]
    volume: Volume
    journeys: Journeys
    shift: Shift
    cost: Cost
    sla: Sla
    mixes: dict[str, Mix]
    hotspots: list[Cell]
    satisfaction: list[Result]
    window_days: int
    names: dict[str, str] = field(default_factory=dict)  # service and agency ids (as text) to their names

    def name(self, key: object) -> str:
        return self.names.get(str(key or ""), "")


def _day(raw: str | None, default: date, what: str) -> date:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise invalid(f"The {what} date '{raw[:20]}' is not a date such as 2026-01-31.") from exc


def _id(raw: str | None, allowed: set[str], what: str) -> uuid.UUID | None:
    if not raw:
        return None
    if raw not in allowed:
        raise invalid(f"That {what} is not one you may see.")
    return uuid.UUID(raw)


def _period(raw: str | None, span: timedelta) -> Period:
    for period in PERIODS:
        if raw == period:
            return period
    return "month" if span > timedelta(days=92) else "day"


async def scope_for(
    session: AsyncSession,
    me: Principal,
    *,
    since: str | None = None,
    until: str | None = None,
    period: str | None = None,
    agency: str | None = None,
    service: str | None = None,
    channel: str | None = None,
) -> tuple[Scope, list[Choice], list[Choice]]:
    """The scope the filters ask for, checked against what `me` may see; with the agencies and services to offer."""
    tz = (await config_.current(session)).zone
    today = utcnow().astimezone(tz).date()
    end = _day(until, today, "end")
    start = _day(since, (end.replace(day=1) - timedelta(days=334)).replace(day=1), "start")
    if start > end:
        raise invalid("The period starts after it ends.")
    if end - start > LONGEST:
        raise invalid("A dashboard covers at most three years; choose a shorter period.")
    if period and period not in PERIODS:
        raise invalid("Show by day, week or month.")
    if channel and channel not in {c.value for c in Channel}:
        raise invalid(f"'{channel[:20]}' is not a channel.")
    visible = me.visible()
    agency_rows = [a for a in await agencies.list_agencies(session) if visible is None or a.id in visible]
    agency_choices = [Choice(str(a.id), a.name) for a in sorted(agency_rows, key=lambda a: a.name)]
    agency_id = _id(agency, {c.value for c in agency_choices}, "agency")
    service_rows = [
        s
        for s in await agencies.list_services(session)
        if (visible is None or s.agency_id in visible) and (agency_id is None or s.agency_id == agency_id)
    ]
    service_choices = [Choice(str(s.id), s.name) for s in sorted(service_rows, key=lambda s: s.name)]
    scope = Scope(
        since=start,
        until=end,
        period=_period(period, end - start),
        agency_ids=frozenset(visible) if visible is not None else None,
        agency_id=agency_id,
        service_id=_id(service, {c.value for c in service_choices}, "service"),
        channel=channel or None,
    )
    return scope, agency_choices, service_choices


async def satisfaction(session: AsyncSession, scope: Scope, zone: ZoneInfo) -> list[Result]:
    """Survey results by the channel the contact came in on, for the scope's period in the local time zone."""
    start, end = config_.local_bounds(scope.since, scope.until, zone)
    agencies_ = scope.agency_ids if scope.agency_id is None else {scope.agency_id}
    return await survey_results.results(
        session, agency_ids=agencies_, service_id=scope.service_id, channel=scope.channel, since=start, until=end
    )


async def dashboard(session: AsyncSession, me: Principal, **filters: str | None) -> Dashboard:
    """Every figure of the dashboard for the filters `me` chose."""
    scope, agency_choices, service_choices = await scope_for(session, me, **filters)
    config = await config_.current(session)
    names = {c.value: c.label for c in (*agency_choices, *service_choices)}
    board = Dashboard(
        scope=scope,
        agencies=agency_choices,
        services=service_choices,
        channels=[c.value for c in Channel if c is not Channel.push],
        volume=await measures.volume(session, scope),
        journeys=await measures.journeys(session, scope),
        shift=await measures.shift(session, scope),
        cost=await measures.cost(session, scope, config),
        sla=await case_measures.sla(session, scope),
        mixes={},
        hotspots=await case_measures.hotspots(session, scope),
        satisfaction=await satisfaction(session, scope, config.zone),
        window_days=config.window_days,
        names=names,
    )
    contacts = board.volume.total()
    board.mixes = {d: await mix.mix(session, scope, d, contacts=contacts) for d in DIMENSIONS}
    missing = {k for k in board.journeys.by_service if k is not None and str(k) not in names}
    missing |= {c.top_service for c in board.hotspots if c.top_service is not None and str(c.top_service) not in names}
    missing |= {k for k in board.shift.counts if k is not None and str(k) not in names}
    if missing:
        for sid, svc in (await agencies.services_by_id(session, ids=missing)).items():
            names[str(sid)] = svc.name
    return board
