"""The desk's case list: cases found by reference, person or words, narrowed by filters, in an order, a page at a
time, within the caller's agencies.

A search asks three questions at once and takes any answer: the case reference typed; the cases of the people
the citizen search finds (a phone number or email address exactly, else a name); the words of the title and
description (PostgreSQL's full-text index `ix_cases_words`; SQLite matches the words with LIKE). Pages follow by
position in the chosen order (keyset), and a page costs the same handful of queries however many cases match:
the page's ids, then the names it shows, one query per kind.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from sqlalchemy import ARRAY, ColumnElement, String, Uuid, bindparam, func, literal, literal_column, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.analytics import config as analytics_config
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus, Priority
from townsquare.casework import desk
from townsquare.casework.case_filters import FINISHED, CaseFilters
from townsquare.casework.desk import staff_names
from townsquare.citizens import service as citizens
from townsquare.clock import utcnow
from townsquare.db import keyset
from townsquare.engagement.access import audit_reads, case_seen
from townsquare.routing import teams
from townsquare.staff.auth import Principal

PAGE = 50
COUNT_CAP = 500  # "more than 500 cases": counting further costs more than a page and helps nobody choose
DUE_SOON = timedelta(hours=24)
PEOPLE = 200  # at most this many people a name search finds are looked for in the cases
RARE = 2_000  # words in at most this many cases are looked up as a set of cases
WALK = 1_000  # kept cases walked, newest first, to tell words met on every page from rarer ones
# The words of a case: a stored tsvector PostgreSQL keeps (migration 0026; no model maps it), GIN-indexed.
WORDS: ColumnElement[Any] = literal_column("cases.words")


@dataclass(frozen=True)
class CaseLine:
    """One case as the list shows it."""

    reference: str
    title: str
    status: CaseStatus
    priority: Priority
    agency: str
    service: str | None
    person: str | None
    channel: str
    assignee: str | None
    team: str | None
    opened_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    overdue: bool


@dataclass(frozen=True)
class CasePage:
    filters: CaseFilters
    lines: list[CaseLine]
    total: int
    capped: bool
    next: str | None  # the token of the next page, when there is one
    zone: ZoneInfo


async def case_page(
    session: AsyncSession,
    *,
    me: Principal,
    request: Request,
    filters: CaseFilters,
    after: str | None,
    region: str,
    reference_prefix: str,
    limit: int = PAGE,
) -> CasePage:
    """One page of the cases `filters` ask for, every case shown written to the access log and committed."""
    zone = (await analytics_config.current(session)).zone
    asked = await conditions(session, me=me, filters=filters, zone=zone, region=region, prefix=reference_prefix)
    if asked is None:
        return CasePage(filters, [], 0, False, None, zone)
    where, either = asked
    name, ascending = ORDERS[filters.sort]
    key = getattr(Case, name)
    if name == "sla_due_at":
        where.append(key.is_not(None))
    counted = list(where)
    position = keyset.read_token(after, field="after")
    if position is not None:
        where.append(_after(name, position, ascending=ascending))
    order = (key.asc(), Case.id.asc()) if ascending else (key.desc(), Case.id.desc())
    rows: dict[uuid.UUID, Case] = {}
    alternatives: list[ColumnElement[bool] | None] = [*either] or [None]
    for alternative in alternatives:  # each its own index's question, merged here
        chosen = [*where, alternative] if alternative is not None else where
        for case in await session.scalars(select(Case).where(*chosen).order_by(*order).limit(limit + 1)):
            rows[case.id] = case
    ordered = sorted(rows.values(), key=lambda c: (getattr(c, name), c.id), reverse=not ascending)[: limit + 1]
    shown = ordered[:limit]
    if position is None and len(ordered) <= limit:  # the whole list is on this page: nothing more to count
        total, capped = len(ordered), False
    else:
        total, capped = await _count(session, counted, either)
    following = keyset.token((getattr(shown[-1], name), shown[-1].id)) if len(ordered) > limit else None
    page = CasePage(filters, await lines(session, shown), total, capped, following, zone)
    await audit_reads(session, me, request, "case.list", [case_seen(c) for c in shown])  # commits
    return page


async def _count(
    session: AsyncSession, where: list[ColumnElement[bool]], either: list[ColumnElement[bool]]
) -> tuple[int, bool]:
    """How many cases match, up to `COUNT_CAP`: with two alternatives, each counted and their overlap taken off."""
    if not either:
        return await keyset.count_up_to(session, select(Case.id).where(*where), COUNT_CAP)
    counts = [await keyset.count_up_to(session, select(Case.id).where(*where, alt), COUNT_CAP) for alt in either]
    if any(capped for _, capped in counts):
        return COUNT_CAP, True
    total = sum(n for n, _ in counts)
    if len(either) == 2:
        both, _ = await keyset.count_up_to(session, select(Case.id).where(*where, *either), COUNT_CAP)
        total -= both
    return min(total, COUNT_CAP), total > COUNT_CAP


Asked = tuple[list[ColumnElement[bool]], list[ColumnElement[bool]]]


async def conditions(
    session: AsyncSession, *, me: Principal, filters: CaseFilters, zone: ZoneInfo, region: str, prefix: str
) -> Asked | None:
    """The WHERE of the list (the caller's agencies and every filter asked) and, for a search, the alternatives
    a case must meet one of; None when nothing can match."""
    scope = _agencies(me, filters.agency)
    assigned = await _assignee(session, me, filters.assignee)
    if scope is None or assigned is None:
        return None
    where = [Case.merged_into_id.is_(None), *scope, *_fields(filters), *assigned, *_sla(filters.sla)]
    where += _period(filters, zone)
    if not filters.q:
        return where, []
    either = await _search(session, filters.q, where, region=region, prefix=prefix)
    return (where, either) if either else None


def _agencies(me: Principal, agency: uuid.UUID | None) -> list[ColumnElement[bool]] | None:
    """The caller's agencies, or the one asked for among them; another agency's cases answer as none at all."""
    visible = me.visible()
    if agency is not None:
        return None if visible is not None and agency not in visible else [Case.agency_id == agency]
    if visible is None:
        return []
    return [Case.agency_id.in_(visible)] if visible else None


def _fields(f: CaseFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.service is not None:
        where.append(Case.service_id == f.service)
    if f.status is not None:
        where.append(Case.status == f.status)
    if f.state == "open":
        where.append(Case.closed_at.is_(None))
    elif f.state == "finished":
        where.append(Case.status.in_(FINISHED))
    if f.channel:
        where.append(Case.opened_channel == f.channel)
    if f.area:
        where.append(Case.zipcode.like(f.area + "%"))
    return where


async def _assignee(session: AsyncSession, me: Principal, assignee: str) -> list[ColumnElement[bool]] | None:
    if not assignee:
        return []
    if assignee == "me":
        return [Case.assigned_to_id == me.id]
    if assignee == "none":
        return [Case.assigned_to_id.is_(None), Case.assigned_team_id.is_(None)]
    if assignee == "my_teams":
        mine = await teams.teams_of(session, staff_id=me.id)
        return [Case.assigned_team_id.in_(mine)] if mine else None
    if assignee.startswith("team:"):
        return [Case.assigned_team_id == uuid.UUID(assignee.removeprefix("team:"))]
    return [Case.assigned_to_id == uuid.UUID(assignee)]


def _sla(state: str) -> list[ColumnElement[bool]]:
    now = utcnow()
    if state == "overdue":
        return [Case.closed_at.is_(None), Case.sla_due_at < now]
    if state == "due_soon":
        return [Case.closed_at.is_(None), Case.sla_due_at >= now, Case.sla_due_at < now + DUE_SOON]
    if state == "on_track":
        return [Case.closed_at.is_(None), Case.sla_due_at >= now + DUE_SOON]
    if state == "no_target":
        return [Case.sla_due_at.is_(None)]
    return []


def _period(f: CaseFilters, zone: ZoneInfo) -> list[ColumnElement[bool]]:
    """Opened today, this week (from Monday), this month, or between two days, in the city's time zone."""
    where: list[ColumnElement[bool]] = []
    today = utcnow().astimezone(zone).date()
    first = {
        "today": today,
        "week": today - timedelta(days=today.weekday()),
        "month": today.replace(day=1),
    }.get(f.period)
    if first is not None:
        where.append(Case.created_at >= analytics_config.local_bounds(first, first, zone)[0])
    if f.since is not None:
        where.append(Case.created_at >= analytics_config.local_bounds(f.since, f.since, zone)[0])
    if f.until is not None:
        where.append(Case.created_at < analytics_config.local_bounds(f.until, f.until, zone)[1])
    return where


async def _search(
    session: AsyncSession, q: str, where: list[ColumnElement[bool]], *, region: str, prefix: str
) -> list[ColumnElement[bool]]:
    """What a case must meet one of to be named by the search: its reference, when the search is one; its person,
    for a phone number or an email address; else its person or its words (a reference named inside words among
    them). Never one OR: each alternative is read through its own index and the pages merged."""
    reference = cases.find_reference(q, prefix=prefix)
    if reference is not None and reference == q.upper():
        return [Case.reference == reference]
    people = await citizens.search_ids(session, query=q, region=region, limit=PEOPLE)
    # Their cases as a set first (the person index, a few hundred rows), never a walk of every case filtered by
    # a list of people: PostgreSQL guesses such a list matches far more cases than it does.
    theirs = Case.id.in_(select(Case.id).where(Case.citizen_id.in_(people)))
    either: list[ColumnElement[bool]] = [theirs] if people else []
    if citizens.is_contact(q, region=region):
        return either
    words = _words(session, q) if reference is None else or_(_words(session, q), Case.reference == reference)
    # Words common among the cases the filters keep ("pothole") are met soon walking the list in its order; rare
    # ones (a name, a street; "tax" among the roads agency's open calls) are read as a set, the word index and the
    # filters' indexes together. Left to guess, PostgreSQL walks every kept case for a word none of them has, and
    # the set costs the word's every case in the city, so a short walk decides first.
    if await _met_often(session, where, words):
        return [*either, words]
    few = list((await session.execute(select(Case.id).where(*where, words).limit(RARE + 1))).scalars())
    if len(few) <= RARE:
        return [*either, _among(session, few)] if few else either
    return [*either, words]


async def _met_often(session: AsyncSession, where: list[ColumnElement[bool]], words: ColumnElement[bool]) -> bool:
    """Whether more than a page of the first `WALK` kept cases, newest first, have the words."""
    walked = (
        select(words.label("hit")).where(*where).order_by(Case.created_at.desc(), Case.id.desc()).limit(WALK).subquery()
    )
    hits = await session.scalar(select(func.count()).select_from(walked).where(walked.c.hit))
    return (hits or 0) > PAGE


def _among(session: AsyncSession, ids: list[uuid.UUID]) -> ColumnElement[bool]:
    """The case is one of these (PostgreSQL takes them as one array, however many)."""
    if session.get_bind().dialect.name == "postgresql":
        return Case.id == func.any(bindparam("word_cases", ids, type_=ARRAY(Uuid())))
    return Case.id.in_(ids)


def _words(session: AsyncSession, q: str) -> ColumnElement[bool]:
    """The title or description has the words (PostgreSQL's stored `words` and its index; SQLite: LIKE)."""
    if session.get_bind().dialect.name == "postgresql":
        # The words are written into the statement: a plan prepared for any words (PostgreSQL's generic plan, after
        # five runs) reads the whole word index and sorts, where the words of a search tell it to walk the list.
        typed = literal(q, String(), literal_execute=True)
        return WORDS.op("@@")(func.websearch_to_tsquery(literal_column("'simple'"), typed))
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(Case.title.ilike(pattern, escape="\\"), Case.description.ilike(pattern, escape="\\"))


# Each order: the column it goes by and whether it goes up ("due" lists only the cases that have a target).
ORDERS = {
    "newest": ("created_at", False),
    "oldest": ("created_at", True),
    "updated": ("updated_at", False),
    "due": ("sla_due_at", True),
}


def _after(name: str, position: keyset.Position, *, ascending: bool) -> ColumnElement[bool]:
    """Cases after `position` in the order of column `name`."""
    key = getattr(Case, name)
    at, last_id = position
    here = tuple_(key, Case.id)
    there = tuple_(literal(at, key.type), literal(last_id, Case.id.type))
    return here > there if ascending else here < there


async def lines(session: AsyncSession, shown: list[Case]) -> list[CaseLine]:
    """The page's cases with the names they show: one query per kind of name, whatever the page's length."""
    if not shown:
        return []
    now = utcnow()
    agency_names = {a.id: a.name for a in await agencies.list_agencies(session)}
    service_ids = {c.service_id for c in shown if c.service_id}
    services = await agencies.services_by_id(session, ids=service_ids) if service_ids else {}
    people = await citizens.display_names(session, ids={c.citizen_id for c in shown if c.citizen_id})
    staff = await staff_names(session, ids={c.assigned_to_id for c in shown if c.assigned_to_id})
    team_ids = {c.assigned_team_id for c in shown if c.assigned_team_id}
    team_names = await teams.names(session, ids=team_ids) if team_ids else {}
    return [
        CaseLine(
            reference=c.reference,
            title=c.title,
            status=c.status,
            priority=c.priority,
            agency=agency_names.get(c.agency_id, ""),
            service=services[c.service_id].name if c.service_id in services else None,
            person=people.get(c.citizen_id) if c.citizen_id else None,
            channel=c.opened_channel,
            assignee=staff.get(c.assigned_to_id) if c.assigned_to_id else None,
            team=team_names.get(c.assigned_team_id) if c.assigned_team_id else None,
            opened_at=c.created_at,
            due_at=c.sla_due_at,
            closed_at=c.closed_at,
            overdue=c.closed_at is None and c.sla_due_at is not None and c.sla_due_at < now,
        )
        for c in shown
    ]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Choices:
    """What the list's filters and bulk actions offer the caller: their agencies' services, teams and staff."""

    agencies: list[Choice]
    services: list[Choice]
    teams: list[Choice]  # value "team:<id>"
    staff: list[Choice]
    my_teams: bool


async def choices(session: AsyncSession, *, me: Principal) -> Choices:
    """The caller's agencies and what they hold, by name; one query per agency for its staff."""
    visible = me.visible()
    mine = [a for a in await agencies.list_agencies(session) if visible is None or a.id in visible]
    several = len(mine) > 1
    services = [
        Choice(str(s.id), f"{s.name} ({a.name})" if several else s.name)
        for a in mine
        for s in await agencies.list_services(session, agency_id=a.id, include_inactive=True)
    ]
    team_refs = await teams.of_agencies(session, agency_ids=[a.id for a in mine])
    names = {a.id: a.name for a in mine}
    staff: dict[uuid.UUID, str] = {}
    for agency in mine:
        for person in await desk.agency_staff(session, agency_id=agency.id):
            staff[person.id] = person.display_name
    return Choices(
        agencies=[Choice(str(a.id), a.name) for a in mine],
        services=sorted(services, key=lambda c: c.label.casefold()),
        teams=[Choice(f"team:{t.id}", f"{t.name} ({names[t.agency_id]})" if several else t.name) for t in team_refs],
        staff=sorted((Choice(str(i), n) for i, n in staff.items()), key=lambda c: c.label.casefold()),
        my_teams=bool(await teams.teams_of(session, staff_id=me.id)),
    )
