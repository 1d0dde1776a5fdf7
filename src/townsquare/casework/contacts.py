"""The workspace's list of the agent's own contacts: the offers waiting for their answer, the work in their hands
and what they finished lately, narrowed by state, channel and queue (`ContactFilters`, read from a query string).

Reads only the signed-in staff member's own work, in a fixed number of queries; commits only the routing profile
made on a first visit. A filter value that is not one of the list's own is a 422 naming the field.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.citizens.models import Citizen
from townsquare.clock import utcnow
from townsquare.db import remembered
from townsquare.errors import FieldError, invalid
from townsquare.interactions.kinds import Channel
from townsquare.routing import agents
from townsquare.routing.models import Agent, Queue, WorkItem, WorkItemStatus
from townsquare.staff.auth import Principal

STATES = ("offered", "assigned", "done")  # offers, in the agent's hands, finished lately
CHANNELS = tuple(c.value for c in Channel if c is not Channel.push)  # push notifications carry no work
FINISHED_WINDOW = timedelta(hours=12)  # "finished lately": within a shift
FINISHED_LIMIT = 20


@dataclass(frozen=True)
class ContactFilters:
    """Which of the agent's contacts the list shows: a state, a channel, a queue; empty asks nothing."""

    state: str = ""
    channel: str = ""
    queue: uuid.UUID | None = None

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> ContactFilters:
        """The filters in a query string's parameters; a 422 naming each bad one."""
        errors: list[FieldError] = []
        state = (params.get("state") or "").strip()
        if state and state not in STATES:
            errors.append(FieldError("state", f"one of {', '.join(STATES)}"))
        channel = (params.get("channel") or "").strip()
        if channel and channel not in CHANNELS:
            errors.append(FieldError("channel", "one of the channels"))
        raw_queue = (params.get("queue") or "").strip()
        queue = None
        try:
            queue = uuid.UUID(raw_queue) if raw_queue else None
        except ValueError:
            errors.append(FieldError("queue", "not an id"))
        if errors:
            raise invalid("Some of the contact list's filters could not be used; check the ones marked.", *errors)
        return cls(state=state, channel=channel, queue=queue)

    @classmethod
    def parse_query(cls, query: str) -> ContactFilters:
        """The filters a form carried back as one query string (`state=offered&channel=sms`)."""
        pairs = (part.partition("=") for part in query[:300].split("&") if part)
        return cls.parse({key: value for key, _sep, value in pairs})

    def params(self) -> dict[str, str]:
        """The filters as query-string parameters, empty ones left out (the inverse of `parse`)."""
        found = {"state": self.state, "channel": self.channel, "queue": str(self.queue) if self.queue else ""}
        return {key: value for key, value in found.items() if value}

    def query_string(self) -> str:
        return urlencode(self.params())

    def suffix(self) -> str:
        """`?state=…` to append to a workspace address, or nothing."""
        query = self.query_string()
        return f"?{query}" if query else ""

    @property
    def narrowed(self) -> bool:
        return bool(self.params())


@dataclass(frozen=True)
class ContactRow:
    """One of the agent's contacts as the list shows it."""

    id: uuid.UUID
    channel: str
    kind: str
    status: WorkItemStatus
    who: str | None
    service: str | None
    queue: str | None
    waiting_seconds: int  # since the contact came in (for finished work: since it was finished)
    expires_at: datetime | None
    expires_in_seconds: int | None
    closed_at: datetime | None


@dataclass
class ContactList:
    """The workspace's left pane: the agent's profile, their contacts by state, and the filters' choices."""

    agent: Agent
    filters: ContactFilters
    offers: list[ContactRow]
    mine: list[ContactRow]
    finished: list[ContactRow]
    queues: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    channels: tuple[str, ...] = CHANNELS

    def rows(self) -> list[ContactRow]:
        """Every contact shown, in the list's order (what next and previous walk through)."""
        return self.offers + self.mine + self.finished

    def page(self) -> dict[str, Any]:
        return {"contacts": self, "filters": self.filters}


# What a row of the list shows, in `_row`'s order.
_ROW_COLUMNS: tuple[Any, ...] = (
    WorkItem.id,
    WorkItem.channel,
    WorkItem.kind,
    WorkItem.status,
    WorkItem.offer_expires_at,
    WorkItem.closed_at,
    WorkItem.created_at,
    Citizen.display_name,
    Service.name,
    Queue.name,
)


@lru_cache(maxsize=16)
def _rows_query(state: str, by_channel: bool, by_queue: bool) -> Select[Any]:
    """The columns a row of the list shows (columns, not work items: the list never needs a whole item), for the
    agent `me` in `state` ("done": finished since `since`), the channel and queue bound when filtered by. Built
    once per shape and only bound after: building and keying a statement costs more than running this one."""
    w = WorkItem
    stmt = (
        select(*_ROW_COLUMNS)
        .outerjoin(Citizen, Citizen.id == w.citizen_id)
        .outerjoin(Service, Service.id == w.service_id)
        .outerjoin(Queue, Queue.id == w.queue_id)
        .where(w.assigned_to_id == bindparam("me"))
    )
    if by_channel:
        stmt = stmt.where(w.channel == bindparam("channel"))
    if by_queue:
        stmt = stmt.where(w.queue_id == bindparam("queue"))
    if state == "done":  # a range of the index on the holder, the state and the time it closed
        stmt = stmt.where(w.status == WorkItemStatus.done, w.closed_at >= bindparam("since"))
        return stmt.order_by(w.closed_at.desc(), w.id).limit(FINISHED_LIMIT)
    wanted = {"offered": [WorkItemStatus.offered], "assigned": [WorkItemStatus.assigned]}.get(
        state, [WorkItemStatus.offered, WorkItemStatus.assigned]
    )
    return stmt.where(w.status.in_(wanted)).order_by(w.offer_expires_at.asc().nulls_last(), w.created_at, w.id)


def _row(row: Any, now: datetime) -> ContactRow:
    item_id, channel, kind, status, offer_expires_at, closed_at, created_at, who, service, queue = row
    expires = offer_expires_at if status is WorkItemStatus.offered else None
    since = closed_at if status is WorkItemStatus.done and closed_at else created_at
    return ContactRow(
        id=item_id,
        channel=channel,
        kind=kind,
        status=status,
        who=who,
        service=service,
        queue=queue,
        waiting_seconds=max(0, int((now - since).total_seconds())),
        expires_at=expires,
        expires_in_seconds=max(0, int((expires - now).total_seconds())) if expires else None,
        closed_at=closed_at,
    )


async def _rows(
    session: AsyncSession, me_id: uuid.UUID, filters: ContactFilters, state: str, now: datetime
) -> list[tuple[Any, ...]]:
    """The agent's contacts in `state`: offered, assigned, both (""), or "done" within the shift, newest first
    (never every item they ever finished: an agent finishes thousands a year)."""
    bound: dict[str, Any] = {"me": me_id}
    if filters.channel:
        bound["channel"] = filters.channel
    if filters.queue is not None:
        bound["queue"] = filters.queue
    if state == "done":
        bound["since"] = now - FINISHED_WINDOW
    stmt = _rows_query(state, "channel" in bound, "queue" in bound)
    return [tuple(row) for row in await session.execute(stmt, bound)]


async def _queues(session: AsyncSession, agency_ids: set[uuid.UUID] | None) -> list[tuple[uuid.UUID, str]]:
    """The queues of these agencies to filter by (configuration, remembered per process for a few seconds)."""

    async def load() -> tuple[tuple[uuid.UUID, str], ...]:
        stmt = select(Queue.id, Queue.name).order_by(Queue.name, Queue.id)
        if agency_ids is not None:
            stmt = stmt.where(Queue.agency_id.in_(agency_ids))
        return tuple((queue_id, name) for queue_id, name in await session.execute(stmt))

    scope = None if agency_ids is None else frozenset(agency_ids)
    return list(await remembered.recall(session, ("desk_filter_queues", scope), load))


async def read_contacts(session: AsyncSession, *, me: Principal, filters: ContactFilters) -> ContactList:
    """The agent's offers, work in hand and work finished lately that the filters keep, with the queues of their
    agencies to filter by; their routing profile is made (offline) and committed on a first visit."""
    me_id = me.id
    agent = await agents.get_agent(session, staff_id=me_id)
    if agent is None:
        agent = await agents.ensure_agent(session, staff_id=me_id)
        await session.commit()
    now = utcnow()
    held = [] if filters.state == "done" else await _rows(session, me_id, filters, filters.state, now)
    done = await _rows(session, me_id, filters, "done", now) if filters.state in ("", "done") else []
    rows = [_row(row, now) for row in held]
    return ContactList(
        agent=agent,
        filters=filters,
        offers=[r for r in rows if r.status is WorkItemStatus.offered],
        mine=[r for r in rows if r.status is WorkItemStatus.assigned],
        finished=[_row(row, now) for row in done],
        queues=await _queues(session, me.visible()),
    )
