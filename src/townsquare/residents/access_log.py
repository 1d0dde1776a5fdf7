"""The resident's "Who has looked at my data": every audit-log row about them, newest first, in pages, with who
(a member of staff, an agency's system, themselves, the city's systems), for which agency, why and under which
agreement or consent; and "Why?", which opens a case for the reading agency's privacy officer.

Reading this log is itself a read of the person's data, by the person: it writes nothing, so looking at one's own
log does not grow it (every other reader of it is audited where it reads). Never shows another person's rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.agencies.wording import translated
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.clock import utcnow
from townsquare.db import keyset
from townsquare.engagement import queueing
from townsquare.errors import not_found
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel
from townsquare.residents.prefill import PREVIEWED
from townsquare.settings import Settings
from townsquare.sharing.access import READ, REFUSED
from townsquare.sharing.models import SharingAgreement
from townsquare.staff import service as staff
from townsquare.staff.models import ApiKey, AuditEntry, StaffAccount

TIMEZONE = "America/Toronto"
PAGE_SIZE = 50
EXPORT_CAP = 5_000
KINDS = ("staff", "systems", "you", "refusals")
ASKED = "citizen.privacy_question"
WHY_PER_DAY = 3  # "Why?" cases a resident may open in 24 hours
_ASKABLE = ("staff", "api_key")  # a person of an agency, or an agency's system


@dataclass(frozen=True)
class Filters:
    """What the resident narrowed the log to; every field optional."""

    start: date | None = None
    end: date | None = None
    agency_id: uuid.UUID | None = None
    kind: str = ""  # one of KINDS, or "" for all


@dataclass(frozen=True)
class Entry:
    """One row of the log as the resident reads it."""

    id: uuid.UUID
    occurred_at: datetime
    action: str
    who: str  # staff, system (an agency's system), you, city (the city's own systems)
    who_name: str  # the member of staff or the system (an API key's name); "" for you and the city
    agency: Agency | None
    purpose: str  # the sharing purpose's words, when there is one
    route: str  # the route or use that read it
    channel: str
    agreements: list[str] = field(default_factory=list)
    consents: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)

    @property
    def askable(self) -> bool:
        """Whether "Why?" may be asked: a read or refusal by a person or system of an agency."""
        return self.who in ("staff", "system") and self.agency is not None


@dataclass(frozen=True)
class LogPage:
    entries: list[Entry]
    next: str | None  # the token of the next (older) page


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(TIMEZONE))


def _conditions(citizen_id: uuid.UUID, filters: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [AuditEntry.citizen_id == citizen_id]
    if filters.start is not None:
        where.append(AuditEntry.occurred_at >= _day_start(filters.start))
    if filters.end is not None:
        where.append(AuditEntry.occurred_at < _day_start(filters.end + timedelta(days=1)))
    if filters.agency_id is not None:
        where.append(AuditEntry.agency_id == filters.agency_id)
    if filters.kind == "staff":
        where += [AuditEntry.actor_kind == "staff", AuditEntry.action != REFUSED]
    elif filters.kind == "systems":
        where += [AuditEntry.actor_kind.in_(("api_key", "system")), AuditEntry.action != REFUSED]
    elif filters.kind == "you":
        where += [AuditEntry.actor_kind == "citizen", AuditEntry.actor_id == str(citizen_id)]
    elif filters.kind == "refusals":
        where.append(AuditEntry.action == REFUSED)
    return where


def _query(citizen_id: uuid.UUID, filters: Filters) -> Select[Any]:
    return (
        select(AuditEntry)
        .where(and_(*_conditions(citizen_id, filters)))
        .order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
    )


def _strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


async def _names(session: AsyncSession, rows: list[AuditEntry]) -> dict[str, str]:
    """Staff display names and API key names by the actor id the log holds."""
    staff_ids, key_ids = set(), set()
    for row in rows:
        try:
            if row.actor_kind == "staff" and row.actor_id:
                staff_ids.add(uuid.UUID(row.actor_id))
            elif row.actor_kind == "api_key" and row.actor_id:
                key_ids.add(uuid.UUID(row.actor_id))
        except ValueError:
            continue
    names: dict[str, str] = {}
    if staff_ids:
        people = select(StaffAccount.id, StaffAccount.display_name).where(StaffAccount.id.in_(staff_ids))
        names |= {str(i): n for i, n in await session.execute(people)}
    if key_ids:
        keys = select(ApiKey.id, ApiKey.name).where(ApiKey.id.in_(key_ids))
        names |= {str(i): n for i, n in await session.execute(keys)}
    return names


async def _terms(session: AsyncSession, rows: list[AuditEntry]) -> list[SharingAgreement]:
    """The agreements the sharing rows may name (every version, so an old read keeps its words)."""
    shared = [row for row in rows if row.action in (READ, REFUSED) and row.agency_id is not None]
    if not shared:
        return []
    query = select(SharingAgreement).where(
        SharingAgreement.consumer_agency_id.in_({r.agency_id for r in shared}),
        SharingAgreement.purpose.in_({str((r.detail or {}).get("purpose", "")) for r in shared}),
    )
    return list((await session.execute(query)).scalars())


def _who(row: AuditEntry, citizen_id: uuid.UUID) -> str:
    if row.actor_kind == "staff":
        return "staff"
    if row.actor_kind == "api_key":
        return "system"
    if row.actor_kind == "citizen" and row.actor_id == str(citizen_id):
        return "you"
    return "city"


def _purpose(row: AuditEntry, terms: list[SharingAgreement], language: str) -> str:
    """The sharing purpose in words, from the agreement the read relied on (or any of that purpose)."""
    if row.action not in (READ, REFUSED, PREVIEWED):
        return ""
    code = str((row.detail or {}).get("purpose", ""))
    labels = _strings((row.detail or {}).get("agreements"))
    fitting = [t for t in terms if t.consumer_agency_id == row.agency_id and t.purpose == code]
    named = [t for t in fitting if f"{t.reference} v{t.version}" in labels] or fitting
    if not named:
        return code
    chosen = max(named, key=lambda t: t.version)
    return translated(chosen.translations, language, "purpose_text", chosen.purpose_text)


async def _entries(session: AsyncSession, citizen_id: uuid.UUID, rows: list[AuditEntry], language: str) -> list[Entry]:
    """The rows in words: staff, keys, agencies and agreements looked up once each, whatever the page's length."""
    names = await _names(session, rows)
    terms = await _terms(session, rows)
    agency_ids = {row.agency_id for row in rows if row.agency_id is not None}
    agencies = {a.id: a for a in (await session.execute(select(Agency).where(Agency.id.in_(agency_ids)))).scalars()}
    entries = []
    for row in rows:
        detail = row.detail or {}
        who = _who(row, citizen_id)
        refused = detail.get("refused")
        entries.append(
            Entry(
                id=row.id,
                occurred_at=row.occurred_at,
                action=row.action,
                who=who,
                who_name=names.get(row.actor_id or "", "") if who in ("staff", "system") else "",
                agency=agencies.get(row.agency_id) if row.agency_id is not None else None,
                purpose=_purpose(row, terms, language),
                route=row.purpose,
                channel=str(detail.get("channel", "")),
                agreements=_strings(detail.get("agreements")),
                consents=_strings(detail.get("consents")),
                attributes=_strings(detail.get("attributes")),
                refused={str(k): str(v) for k, v in refused.items()} if isinstance(refused, dict) else {},
            )
        )
    return entries


async def page(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID,
    filters: Filters,
    before: str | None = None,
    language: str = "en",
    size: int = PAGE_SIZE,
) -> LogPage:
    """One page of the resident's log, newest first, from the position `before` (a keyset token)."""
    query = _query(citizen_id, filters)
    position = keyset.read_token(before)
    if position is not None:
        query = query.where(keyset.older_than(AuditEntry.occurred_at, AuditEntry.id, position))
    rows = list((await session.execute(query.limit(size + 1))).scalars())
    more = len(rows) > size
    rows = rows[:size]
    last = (rows[-1].occurred_at, rows[-1].id) if more and rows else None
    return LogPage(await _entries(session, citizen_id, rows, language), keyset.token(last))


async def export(session: AsyncSession, *, citizen_id: uuid.UUID, filters: Filters, language: str) -> list[Entry]:
    """Every row the filters select (at most `EXPORT_CAP`), newest first, for the CSV download."""
    rows = list((await session.execute(_query(citizen_id, filters).limit(EXPORT_CAP))).scalars())
    return await _entries(session, citizen_id, rows, language)


async def agencies_in_log(session: AsyncSession, *, citizen_id: uuid.UUID) -> list[Agency]:
    """The agencies the resident's log names, for the filter, by name."""
    ids = select(AuditEntry.agency_id).where(AuditEntry.citizen_id == citizen_id, AuditEntry.agency_id.is_not(None))
    return list((await session.execute(select(Agency).where(Agency.id.in_(ids)).order_by(Agency.name))).scalars())


async def entry_of(session: AsyncSession, *, citizen_id: uuid.UUID, entry_id: uuid.UUID, language: str) -> Entry:
    """One row of the resident's own log (404 for another person's, as for one that does not exist)."""
    row = await session.get(AuditEntry, entry_id)
    if row is None or row.citizen_id != citizen_id:
        raise not_found("Entry", "None of the entries about you has that identifier.")
    return (await _entries(session, citizen_id, [row], language))[0]


async def why_wait(session: AsyncSession, *, citizen_id: uuid.UUID) -> int:
    """0 when the resident may ask "Why?" again; else the seconds until the oldest of today's questions is a day
    old. Counted from the log, so it holds across processes and restarts."""
    since = utcnow() - timedelta(days=1)
    asked = list(
        (
            await session.execute(
                select(AuditEntry.occurred_at)
                .where(AuditEntry.citizen_id == citizen_id, AuditEntry.action == ASKED, AuditEntry.occurred_at >= since)
                .order_by(AuditEntry.occurred_at)
            )
        ).scalars()
    )
    if len(asked) < WHY_PER_DAY:
        return 0
    return max(1, int((asked[-WHY_PER_DAY] + timedelta(days=1) - utcnow()).total_seconds()))


async def ask_why(
    session: AsyncSession,
    *,
    settings: Settings,
    citizen_id: uuid.UUID,
    entry_id: uuid.UUID,
    title: str,
    description: str,
    language: str,
) -> Case:
    """A case in the agency that read, for its privacy officer: why did this access happen? On the web, in the
    resident's name, queued for the agency and on their timeline. Only for a read or refusal by an agency's staff
    or systems of the resident's own log (404 otherwise). The caller checks `why_wait` first."""
    entry = await entry_of(session, citizen_id=citizen_id, entry_id=entry_id, language=language)
    if not entry.askable or entry.agency is None:
        raise not_found("Entry", "None of the entries about you has that identifier.")
    case = await cases.open_case(
        session,
        prefix=settings.case_reference_prefix,
        agency_id=entry.agency.id,
        title=title[:200],
        channel=Channel.web.value,
        description=description,
        citizen_id=citizen_id,
    )
    conversation = await interactions.start_conversation(
        session, citizen_id=citizen_id, channel=Channel.web, case_id=case.id, subject=case.title
    )
    await queueing.case_opened(
        session,
        case=case,
        conversation=conversation,
        channel=Channel.web,
        by="citizen",
        language=language,
        context={"privacy_question": str(entry.id)},
    )
    staff.audit_own_record(session, citizen_id, ASKED, {"entry_id": str(entry.id), "case_id": str(case.id)})
    staff.audit(
        session,
        actor_kind="citizen",
        actor_id=str(citizen_id),
        action="case.open",
        subject_kind="case",
        subject_id=str(case.id),
        citizen_id=citizen_id,
        agency_id=case.agency_id,
    )
    return case
