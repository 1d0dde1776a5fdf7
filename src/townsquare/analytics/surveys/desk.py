"""What the desk's satisfaction pages read, for a supervisor and only within their agencies: the figures, and the
comments. Comments are people's own words: every one shown is written to the access log, committed before the
page leaves (the one place in this package that commits, as the desk's read use cases do).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, Service
from townsquare.analytics.surveys import results as figures
from townsquare.analytics.surveys.results import By, Comment, Result
from townsquare.staff.auth import Principal

COMMENT_LIMIT = 200
CHANNELS = ("sms", "voice", "email", "chat", "web", "mobile", "api", "mail", "counter")


@dataclass(frozen=True)
class Filters:
    """The page's filters, as given (anything a supervisor may not see is dropped, not refused)."""

    agency_id: uuid.UUID | None = None
    service_id: uuid.UUID | None = None
    channel: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive: the whole day

    def period(self) -> tuple[datetime | None, datetime | None]:
        start = datetime.combine(self.since, time(), tzinfo=UTC) if self.since else None
        end = datetime.combine(self.until + timedelta(days=1), time(), tzinfo=UTC) if self.until else None
        return start, end


@dataclass(frozen=True)
class Choice:
    id: str
    name: str


@dataclass(frozen=True)
class ResultsView:
    by: By
    rows: list[Result]
    total: Result
    agencies: list[Choice]
    services: list[Choice]


def _agencies(me: Principal, filters: Filters) -> set[uuid.UUID] | None:
    """The agencies read for: the one chosen if the supervisor may see it, else all of theirs."""
    mine = me.visible()
    if filters.agency_id is not None and me.may_see(filters.agency_id):
        return {filters.agency_id}
    return mine


async def _choices(session: AsyncSession, me: Principal) -> tuple[list[Choice], list[Choice]]:
    mine = me.visible()
    agencies = select(Agency.id, Agency.name).order_by(Agency.name)
    services = select(Service.id, Service.name).order_by(Service.name)
    if mine is not None:
        agencies = agencies.where(Agency.id.in_(mine))
        services = services.where(Service.agency_id.in_(mine))
    return (
        [Choice(str(i), n) for i, n in (await session.execute(agencies)).all()],
        [Choice(str(i), n) for i, n in (await session.execute(services)).all()],
    )


async def read_results(session: AsyncSession, *, me: Principal, filters: Filters, by: By) -> ResultsView:
    """The figures grouped `by`, with the totals, for the supervisor's agencies (figures only: nobody's words)."""
    since, until = filters.period()
    rows = await figures.results(
        session,
        agency_ids=_agencies(me, filters),
        service_id=filters.service_id,
        channel=filters.channel,
        since=since,
        until=until,
        by=by,
    )
    agencies, services = await _choices(session, me)
    return ResultsView(by, rows, figures.overall(rows), agencies, services)


@dataclass(frozen=True)
class CommentsView:
    words: str
    comments: list[Comment]
    agencies: list[Choice]
    services: list[Choice]
    limited: bool  # more matched than are shown


async def read_comments(
    session: AsyncSession, *, me: Principal, filters: Filters, words: str, purpose: str
) -> CommentsView:
    """Comments containing `words`, newest first, each written to the access log and committed before it is
    shown."""
    since, until = filters.period()
    found = await figures.comments(
        session,
        agency_ids=_agencies(me, filters),
        words=words.strip()[:200],
        service_id=filters.service_id,
        channel=filters.channel,
        since=since,
        until=until,
        limit=COMMENT_LIMIT + 1,
    )
    shown = found[:COMMENT_LIMIT]
    for comment in shown:
        me.audit(
            session,
            action="survey.comment.read",
            subject_kind="satisfaction_survey",
            subject_id=str(comment.survey_id),
            citizen_id=comment.citizen_id,
            agency_id=comment.agency_id,
            purpose=purpose,
        )
    await session.commit()
    agencies, services = await _choices(session, me)
    return CommentsView(words.strip()[:200], shown, agencies, services, len(found) > COMMENT_LIMIT)
