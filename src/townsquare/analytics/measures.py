"""The figures the dashboards show, read from the daily rollups only (never from touches or cases), so each
answers in a few milliseconds whatever the history's size.

Every query takes a `Scope`: the caller's agencies (None: every agency, including contacts no agency owns yet),
the filters chosen, the period and how to bucket it. Each returns plain rows a page, a chart and a CSV share.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Date, DateTime, Integer, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.analytics.config import AnalyticsConfig
from townsquare.analytics.models import ContactDay, HandleDay, JourneyDay
from townsquare.analytics.rollups import JOURNEY_SUMS

Period = Literal["day", "week", "month"]


@dataclass(frozen=True)
class Scope:
    since: date
    until: date  # inclusive
    period: Period = "month"
    agency_ids: frozenset[uuid.UUID] | None = None  # whom the caller may see; None: everyone
    agency_id: uuid.UUID | None = None
    service_id: uuid.UUID | None = None
    channel: str | None = None

    def buckets(self) -> list[date]:
        """Every bucket's first day from `since` to `until`, so a quiet period still shows as zero."""
        out: list[date] = []
        day = bucket(self.since, self.period)
        while day <= self.until:
            out.append(day)
            day = _next(day, self.period)
        return out


def bucket(day: date, period: Period) -> date:
    """The first day of the bucket `day` falls in (weeks start on Monday)."""
    if period == "month":
        return day.replace(day=1)
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day


def _next(day: date, period: Period) -> date:
    if period == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=7 if period == "week" else 1)


def _bucketed(session: AsyncSession, day: Any, period: Period) -> ColumnElement[date]:
    """The first day of the bucket of `day`, computed by the database, so a query returns a row per bucket and
    not one per day (a year by month of a large city: thousands of rows, not a hundred thousand)."""
    if period == "day":
        return cast(day, Date)
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc(period, cast(day, DateTime)), Date)
    if period == "month":
        return func.date(day, "start of month", type_=Date)
    weekday = (cast(func.strftime("%w", day), Integer) + 6) % 7  # Monday 0
    return func.date(day, func.printf("-%d days", weekday), type_=Date)


def within(scope: Scope, day: Any, agency: Any, service: Any, channel: Any | None) -> list[ColumnElement[bool]]:
    """The conditions that keep a rollup's rows to the scope."""
    conditions: list[ColumnElement[bool]] = [day >= scope.since, day <= scope.until]
    if scope.agency_ids is not None:
        conditions.append(agency.in_(scope.agency_ids))
    if scope.agency_id is not None:
        conditions.append(agency == scope.agency_id)
    if scope.service_id is not None:
        conditions.append(service == scope.service_id)
    if scope.channel is not None and channel is not None:
        conditions.append(channel == scope.channel)
    return conditions


# Volume by channel ----------------------------------------------------------------------------------------------


@dataclass
class Volume:
    """Contacts per bucket and channel."""

    buckets: list[date]
    channels: list[str]
    counts: dict[tuple[date, str], int] = field(default_factory=dict)

    def count(self, when: date, channel: str) -> int:
        return self.counts.get((when, channel), 0)

    def total(self, channel: str | None = None) -> int:
        return sum(n for (_, c), n in self.counts.items() if channel is None or c == channel)


async def volume(session: AsyncSession, scope: Scope) -> Volume:
    when = _bucketed(session, ContactDay.day, scope.period)
    rows = await session.execute(
        select(when, ContactDay.channel, func.sum(ContactDay.contacts))
        .where(*within(scope, ContactDay.day, ContactDay.agency_id, ContactDay.service_id, ContactDay.channel))
        .group_by(when, ContactDay.channel)
    )
    counts: dict[tuple[date, str], int] = defaultdict(int)
    for day, channel, contacts in rows:
        counts[(bucket(day, scope.period), channel)] += int(contacts or 0)
    channels = sorted(
        {c for (_, c), n in counts.items() if n}, key=lambda c: -sum(n for (_, cc), n in counts.items() if cc == c)
    )
    return Volume(scope.buckets(), channels, dict(counts))


# Journeys -------------------------------------------------------------------------------------------------------


@dataclass
class JourneyFigures:
    """The journey measures over a set of journeys (see docs/analytics.md for each formula)."""

    journeys: int = 0
    contacts: int = 0
    multichannel: int = 0
    switches: int = 0
    repeats: int = 0
    avoidable: int = 0
    asked_again: int = 0
    fcr_decided: int = 0
    fcr_resolved: int = 0
    outcomes: int = 0
    outcome_seconds: int = 0

    def add(self, row: Sequence[Any]) -> None:
        for name, value in zip(JOURNEY_SUMS, row, strict=True):
            setattr(self, name, getattr(self, name) + int(value or 0))

    @property
    def contacts_per_journey(self) -> float | None:
        return self.contacts / self.journeys if self.journeys else None

    @property
    def repeat_rate(self) -> float | None:
        return self.repeats / self.contacts if self.contacts else None

    @property
    def fcr_rate(self) -> float | None:
        return self.fcr_resolved / self.fcr_decided if self.fcr_decided else None

    @property
    def multichannel_rate(self) -> float | None:
        return self.multichannel / self.journeys if self.journeys else None

    @property
    def avoidable_rate(self) -> float | None:
        return self.avoidable / self.contacts if self.contacts else None

    @property
    def days_to_outcome(self) -> float | None:
        return self.outcome_seconds / self.outcomes / 86400 if self.outcomes else None


@dataclass
class Journeys:
    total: JourneyFigures
    by_bucket: dict[date, JourneyFigures]
    by_service: dict[uuid.UUID | None, JourneyFigures]
    by_first_channel: dict[str, JourneyFigures]


async def journeys(session: AsyncSession, scope: Scope) -> Journeys:
    sums = [func.sum(getattr(JourneyDay, name)) for name in JOURNEY_SUMS]
    when = _bucketed(session, JourneyDay.day, scope.period)
    rows = await session.execute(
        select(when, JourneyDay.service_id, JourneyDay.first_channel, *sums)
        .where(*within(scope, JourneyDay.day, JourneyDay.agency_id, JourneyDay.service_id, JourneyDay.first_channel))
        .group_by(when, JourneyDay.service_id, JourneyDay.first_channel)
    )
    out = Journeys(JourneyFigures(), {b: JourneyFigures() for b in scope.buckets()}, {}, {})
    for day, service_id, first_channel, *values in rows:
        out.total.add(values)
        out.by_bucket.setdefault(bucket(day, scope.period), JourneyFigures()).add(values)
        out.by_service.setdefault(service_id, JourneyFigures()).add(values)
        out.by_first_channel.setdefault(first_channel, JourneyFigures()).add(values)
    return out


# Channel shift --------------------------------------------------------------------------------------------------


@dataclass
class Shift:
    """Each service's contacts per month and channel; `share` and `change` are what a director reads."""

    months: list[date]
    channels: list[str]  # most used first
    counts: dict[uuid.UUID | None, dict[tuple[date, str], int]]
    full_months: list[date] = field(default_factory=list)  # the months the period covers from first to last day

    def compared(self) -> tuple[date, date] | None:
        """The last two whole months of the period, the later first: what the page compares."""
        return (self.full_months[-1], self.full_months[-2]) if len(self.full_months) >= 2 else None

    def services_in(self, *months: date) -> list[uuid.UUID | None]:
        """The services with contacts in any of `months`, busiest first."""
        totals = {k: sum(n for (m, _), n in v.items() if m in months) for k, v in self.counts.items()}
        return [k for k, n in sorted(totals.items(), key=lambda kv: (-kv[1], str(kv[0]))) if n]

    def share(self, service: uuid.UUID | None, month: date, channel: str) -> float | None:
        counts = self.counts.get(service, {})
        total = sum(n for (m, _), n in counts.items() if m == month)
        return counts.get((month, channel), 0) / total if total else None

    def change(self, service: uuid.UUID | None, month: date, channel: str) -> float | None:
        """The share's change in points from the month before (None for the first month or an empty one)."""
        index = self.months.index(month)
        if index == 0:
            return None
        now, before = self.share(service, month, channel), self.share(service, self.months[index - 1], channel)
        return None if now is None or before is None else now - before


async def shift(session: AsyncSession, scope: Scope) -> Shift:
    monthly = replace(scope, period="month")
    month = _bucketed(session, ContactDay.day, "month")
    rows = await session.execute(
        select(month, ContactDay.service_id, ContactDay.channel, func.sum(ContactDay.contacts))
        .where(*within(monthly, ContactDay.day, ContactDay.agency_id, ContactDay.service_id, None))
        .group_by(month, ContactDay.service_id, ContactDay.channel)
    )
    counts: dict[uuid.UUID | None, dict[tuple[date, str], int]] = defaultdict(lambda: defaultdict(int))
    for day, service_id, channel, contacts in rows:
        counts[service_id][(bucket(day, "month"), channel)] += int(contacts or 0)
    volume: dict[str, int] = defaultdict(int)
    for per in counts.values():
        for (_, channel), n in per.items():
            volume[channel] += n
    channels = sorted(volume, key=lambda c: (-volume[c], c))
    months = monthly.buckets()
    whole = [m for m in months if m >= scope.since and _next(m, "month") - timedelta(days=1) <= scope.until]
    return Shift(months, channels, {k: dict(v) for k, v in counts.items()}, whole)


# Cost to serve --------------------------------------------------------------------------------------------------


@dataclass
class CostLine:
    key: str  # a channel, or a service or agency id as text ("" when not known)
    contacts: int = 0
    uncosted: int = 0  # contacts on channels with no unit cost set
    cost_by_unit: float = 0.0
    handled: int = 0
    handle_seconds: int = 0

    def cost_by_time(self, per_hour: float) -> float:
        return self.handle_seconds / 3600 * per_hour

    @property
    def minutes_per_handled(self) -> float | None:
        return self.handle_seconds / 60 / self.handled if self.handled else None


@dataclass
class Cost:
    currency: str
    source: str
    staff_cost_per_hour: float
    unit_costs: dict[str, float]
    by_channel: list[CostLine]
    by_service: list[CostLine]
    by_agency: list[CostLine]


def _keys(agency_id: object, service_id: object, channel: str) -> tuple[tuple[str, str], ...]:
    return (("channel", channel), ("service", str(service_id or "")), ("agency", str(agency_id or "")))


async def cost(session: AsyncSession, scope: Scope, config: AnalyticsConfig) -> Cost:
    """Cost to serve two ways, side by side: contacts times the unit cost of their channel, and measured handle
    time times the staff cost of an hour."""
    lines: dict[str, dict[str, CostLine]] = {"channel": {}, "service": {}, "agency": {}}
    contacts = await session.execute(
        select(ContactDay.agency_id, ContactDay.service_id, ContactDay.channel, func.sum(ContactDay.contacts))
        .where(*within(scope, ContactDay.day, ContactDay.agency_id, ContactDay.service_id, ContactDay.channel))
        .group_by(ContactDay.agency_id, ContactDay.service_id, ContactDay.channel)
    )
    for agency_id, service_id, channel, n in contacts:
        unit = config.unit_costs.get(channel)
        for kind, key in _keys(agency_id, service_id, channel):
            line = lines[kind].setdefault(key, CostLine(key))
            line.contacts += int(n or 0)
            if unit is None:
                line.uncosted += int(n or 0)
            else:
                line.cost_by_unit += int(n or 0) * unit
    handled = await session.execute(
        select(
            HandleDay.agency_id,
            HandleDay.service_id,
            HandleDay.channel,
            func.sum(HandleDay.handled),
            func.sum(HandleDay.handle_seconds),
        )
        .where(*within(scope, HandleDay.day, HandleDay.agency_id, HandleDay.service_id, HandleDay.channel))
        .group_by(HandleDay.agency_id, HandleDay.service_id, HandleDay.channel)
    )
    for agency_id, service_id, channel, n, seconds in handled:
        for kind, key in _keys(agency_id, service_id, channel):
            line = lines[kind].setdefault(key, CostLine(key))
            line.handled += int(n or 0)
            line.handle_seconds += int(seconds or 0)
    ordered = {k: sorted(v.values(), key=lambda line: (-line.contacts, line.key)) for k, v in lines.items()}
    return Cost(
        config.currency,
        config.unit_cost_source,
        config.staff_cost_per_hour,
        dict(config.unit_costs),
        ordered["channel"],
        ordered["service"],
        ordered["agency"],
    )
