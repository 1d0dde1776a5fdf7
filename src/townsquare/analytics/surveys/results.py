"""Survey results as figures: CSAT (the share of answers that are 4 or 5), the average score and the response
rate, per channel, service, agency, agent or assistant article; and the comments, searched. Reads only.

`results()` is the typed door the dashboards pull the `csat` figure from. Scope is by agency: a caller reading for
some agencies never sees a survey of another (nor one tied to no agency).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, Service
from townsquare.analytics.surveys import scores
from townsquare.analytics.surveys.models import Survey
from townsquare.knowledge.models import ArticleVersion
from townsquare.staff.models import StaffAccount


class By(StrEnum):
    """What the results are grouped by."""

    channel = "channel"  # the channel the contact or case came in on
    service = "service"
    agency = "agency"
    agent = "agent"
    article = "article"


_COLUMN = {
    By.channel: Survey.contact_channel,
    By.service: Survey.service_id,
    By.agency: Survey.agency_id,
    By.agent: Survey.staff_id,
    By.article: Survey.article_id,
}


@dataclass(frozen=True)
class Result:
    """One group's figures. `key` is the channel, or the id of the service, agency, agent or article (None: not
    known, such as a case with no service)."""

    key: str | None
    label: str
    sent: int
    answered: int
    satisfied: int  # answers of 4 or 5
    score_total: int

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None

    @property
    def csat(self) -> float | None:
        return self.satisfied / self.answered if self.answered else None

    @property
    def average(self) -> float | None:
        return self.score_total / self.answered if self.answered else None


@dataclass(frozen=True)
class Comment:
    """One comment as a supervisor reads it, with what it was about."""

    survey_id: uuid.UUID
    citizen_id: uuid.UUID
    agency_id: uuid.UUID | None
    case_id: uuid.UUID | None
    answered_at: datetime | None
    channel: str
    score: int | None
    comment: str
    service: str | None
    agent: str | None


def _scoped(
    *,
    agency_ids: Collection[uuid.UUID] | None,
    service_id: uuid.UUID | None,
    channel: str | None,
    since: datetime | None,
    until: datetime | None,
) -> list[ColumnElement[bool]]:
    """The filters as conditions on the survey rows."""
    where: list[ColumnElement[bool]] = []
    if agency_ids is not None:
        where.append(Survey.agency_id.in_(list(agency_ids)))
    if service_id is not None:
        where.append(Survey.service_id == service_id)
    if channel:
        where.append(Survey.contact_channel == channel)
    if since is not None:
        where.append(Survey.sent_at >= since)
    if until is not None:
        where.append(Survey.sent_at < until)
    return where


async def results(
    session: AsyncSession,
    *,
    agency_ids: Collection[uuid.UUID] | None,
    service_id: uuid.UUID | None = None,
    channel: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    by: By = By.channel,
) -> list[Result]:
    """Surveys sent in [since, until) of these agencies (None: every agency), grouped `by`, most sent first."""
    column = _COLUMN[by]
    satisfied = func.sum(case((Survey.score >= scores.SATISFIED, 1), else_=0))
    stmt = select(
        column, func.count(Survey.id), func.count(Survey.score), satisfied, func.coalesce(func.sum(Survey.score), 0)
    ).group_by(column)
    scope = _scoped(agency_ids=agency_ids, service_id=service_id, channel=channel, since=since, until=until)
    rows = (await session.execute(stmt.where(*scope))).all()
    labels = await _labels(session, by, [r[0] for r in rows if r[0] is not None and by is not By.channel])
    found = [
        Result(
            key=str(key) if key is not None else None,
            label=(key if by is By.channel else labels.get(key, "")) if key is not None else "",
            sent=int(sent),
            answered=int(answered),
            satisfied=int(happy or 0),
            score_total=int(total or 0),
        )
        for key, sent, answered, happy, total in rows
    ]
    return sorted(found, key=lambda r: (-r.sent, r.label))


def overall(rows: list[Result]) -> Result:
    """Every group together."""
    return Result(
        key=None,
        label="",
        sent=sum(r.sent for r in rows),
        answered=sum(r.answered for r in rows),
        satisfied=sum(r.satisfied for r in rows),
        score_total=sum(r.score_total for r in rows),
    )


async def _labels(session: AsyncSession, by: By, ids: list[Any]) -> dict[Any, str]:
    if not ids:
        return {}
    if by is By.service:
        rows = await session.execute(select(Service.id, Service.name).where(Service.id.in_(ids)))
    elif by is By.agency:
        rows = await session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(ids)))
    elif by is By.agent:
        rows = await session.execute(select(StaffAccount.id, StaffAccount.display_name).where(StaffAccount.id.in_(ids)))
    else:
        newest = (
            select(ArticleVersion.article_id, func.max(ArticleVersion.number).label("n"))
            .where(ArticleVersion.article_id.in_(ids))
            .group_by(ArticleVersion.article_id)
            .subquery()
        )
        rows = await session.execute(
            select(ArticleVersion.article_id, ArticleVersion.title).join(
                newest,
                (newest.c.article_id == ArticleVersion.article_id) & (newest.c.n == ArticleVersion.number),
            )
        )
    return {key: str(label) for key, label in rows.all()}


async def comments(
    session: AsyncSession,
    *,
    agency_ids: Collection[uuid.UUID] | None,
    words: str = "",
    service_id: uuid.UUID | None = None,
    channel: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[Comment]:
    """Comments containing every one of `words` (any case), newest first."""
    stmt = (
        select(Survey, Service.name, StaffAccount.display_name)
        .outerjoin(Service, Service.id == Survey.service_id)
        .outerjoin(StaffAccount, StaffAccount.id == Survey.staff_id)
        .where(Survey.comment.is_not(None))
    )
    for word in words.split()[:8]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Survey.comment.ilike(f"%{escaped}%", escape="\\"))
    scope = _scoped(agency_ids=agency_ids, service_id=service_id, channel=channel, since=since, until=until)
    rows = await session.execute(stmt.where(*scope).order_by(Survey.commented_at.desc(), Survey.id).limit(limit))
    return [
        Comment(
            survey_id=s.id,
            citizen_id=s.citizen_id,
            agency_id=s.agency_id,
            case_id=s.case_id,
            answered_at=s.answered_at,
            channel=s.contact_channel,
            score=s.score,
            comment=s.comment or "",
            service=service,
            agent=agent,
        )
        for s, service, agent in rows.all()
    ]


__all__ = ["By", "Comment", "Result", "comments", "overall", "results"]
