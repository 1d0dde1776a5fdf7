"""Correcting a person's record from the desk: the name, the preferences (language, preferred channels, quiet
hours) and the notification choices; who may, and the history of every change with the value it replaced.

Who may: staff of an agency the person has dealt with (a case or a piece of work of that agency), administrators
for anyone, and any member of staff for a record no agency has dealt with yet. Every change is a
`citizen_changes` row (field, old and new value, who, when, why) and an audit row naming it, in the caller's
transaction; a form that is refused changes nothing and names every field's problem at once (field errors whose
message is a short code the page words). `read_record` commits its access-log row; the actions never commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases.models import Case
from townsquare.casework import desk
from townsquare.citizens import changes
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, CitizenStatus, Identity, IdentityKind
from townsquare.errors import FieldError, conflict, forbidden, invalid
from townsquare.notify import opt_outs
from townsquare.notify.push import service as push
from townsquare.routing.models import WorkItem
from townsquare.staff.auth import Principal

CORRECTED = "citizen.record_corrected"
REASON_MAX = 500
NAME_FIELDS = {"display_name": 200, "given_name": 100, "family_name": 100}  # each field and its longest value
LANGUAGES = ("en", "fr")
PREFERABLE = ("sms", "voice", "email", "push")  # channels a person may prefer, in the order they are offered
_BY_KIND: dict[IdentityKind, tuple[str, ...]] = {
    IdentityKind.phone: ("sms", "voice"),
    IdentityKind.email: ("email",),
}


@dataclass(frozen=True)
class ChangeView:
    """One change on the record as the desk shows it."""

    at: datetime
    field: str
    old: str | None
    new: str | None
    reason: str
    who: str


@dataclass
class RecordView:
    """Everything the correction page shows: the record, what its preferences may name, the choices per channel
    and the history."""

    citizen: Citizen
    channels: list[str]  # channels a preference may name: those the person's contacts reach
    notifications: list[opt_outs.ChannelChoices]
    types: tuple[str, ...]  # the message types a person may turn off, in the order they are shown
    history: list[ChangeView]


async def dealt_with(session: AsyncSession, *, citizen_id: uuid.UUID) -> set[uuid.UUID]:
    """The agencies that have had a case or a piece of work of this person."""
    stmt = union(
        select(Case.agency_id).where(Case.citizen_id == citizen_id),
        select(WorkItem.agency_id).where(WorkItem.citizen_id == citizen_id),
    )
    return set((await session.execute(stmt)).scalars())


async def may_correct(session: AsyncSession, *, me: Principal, citizen_id: uuid.UUID) -> bool:
    """Whether this member of staff may correct the person's record and write to them from the desk."""
    return me.kind == "staff" and me.may_see_any(await dealt_with(session, citizen_id=citizen_id))


async def editable(session: AsyncSession, *, me: Principal, citizen_id: uuid.UUID) -> Citizen:
    """The person, if this member of staff may correct their record (404 unknown, 403 out of their scope)."""
    citizen = await citizens.get(session, citizen_id=citizen_id)
    if not await may_correct(session, me=me, citizen_id=citizen.id):
        raise forbidden("You may correct the records of people your agencies have dealt with.")
    return citizen


def refuse_if_merged(citizen: Citizen) -> None:
    """A record merged into another is corrected there (409)."""
    if citizen.status is CitizenStatus.merged:
        raise conflict("This record was merged into another one; correct that record instead.")


def reason_of(raw: str, errors: list[FieldError]) -> str:
    """Why the change is made, as typed; a missing or overlong reason adds its problem to `errors`."""
    reason = " ".join(raw.split())
    if not reason:
        errors.append(FieldError("reason", "required"))
    elif len(reason) > REASON_MAX:
        errors.append(FieldError("reason", "too_long"))
    return reason[:REASON_MAX]


def refuse_if(errors: list[FieldError]) -> None:
    """Every problem of a form at once, before anything is changed."""
    if errors:
        raise invalid("Nothing was changed: correct what is marked and send the form again.", *errors)


def note_change(
    session: AsyncSession,
    *,
    me: Principal,
    citizen: Citizen,
    field: str,
    old: str | None,
    new: str | None,
    reason: str,
    identity_id: uuid.UUID | None = None,
) -> None:
    """Keep the change with the value it replaced, and write its audit row (ids and the field's name only)."""
    change = changes.record(
        session, citizen_id=citizen.id, field=field, old=old, new=new, reason=reason, staff_id=me.id
    )
    detail = {"field": field, "change_id": str(change.id)}
    if identity_id is not None:
        detail["identity_id"] = str(identity_id)
    me.audit(
        session,
        action=CORRECTED,
        subject_kind="citizen",
        subject_id=str(citizen.id),
        citizen_id=citizen.id,
        detail=detail,
    )


async def history(session: AsyncSession, *, citizen_id: uuid.UUID) -> list[ChangeView]:
    """The person's changes, newest first, with who made each."""
    rows = await changes.history(session, citizen_id=citizen_id)
    names = await desk.staff_names(session, ids={r.staff_id for r in rows if r.staff_id})
    return [
        ChangeView(
            r.created_at, r.field, r.old_value, r.new_value, r.reason, names.get(r.staff_id, "") if r.staff_id else ""
        )
        for r in rows
    ]


def reachable(identities: list[Identity], *, push_on: bool) -> list[str]:
    """The channels a preference may name: those the person's phones and email addresses reach, and push when a
    device of theirs has it on."""
    found = {c for i in identities for c in _BY_KIND.get(i.kind, ())} | ({"push"} if push_on else set())
    return [c for c in PREFERABLE if c in found]


async def read_record(session: AsyncSession, *, me: Principal, citizen_id: uuid.UUID, purpose: str) -> RecordView:
    """The correction page's view of the person, its read written to the access log and committed."""
    citizen = await editable(session, me=me, citizen_id=citizen_id)
    pushes = await push.live_for(session, citizen_id=citizen.id)
    view = RecordView(
        citizen=citizen,
        channels=reachable(list(citizen.identities), push_on=bool(pushes)),
        notifications=await opt_outs.choices(session, citizen_id=citizen.id),
        types=opt_outs.TYPES,
        history=await history(session, citizen_id=citizen.id),
    )
    await read_logged(session, me=me, citizen_id=citizen.id, purpose=purpose)
    return view


async def read_logged(session: AsyncSession, *, me: Principal, citizen_id: uuid.UUID, purpose: str) -> None:
    """Write the read of the person to the access log and commit it, before the page shows them."""
    me.audit(
        session,
        action="citizen.read",
        subject_kind="citizen",
        subject_id=str(citizen_id),
        citizen_id=citizen_id,
        purpose=purpose,
    )
    await session.commit()


async def change_name(
    session: AsyncSession, *, me: Principal, citizen_id: uuid.UUID, names: dict[str, str], reason: str
) -> int:
    """Correct the name shown, the given name and the family name (empty clears one); the number of fields that
    changed."""
    citizen = await editable(session, me=me, citizen_id=citizen_id)
    refuse_if_merged(citizen)
    errors: list[FieldError] = []
    wanted: dict[str, str | None] = {}
    for field, longest in NAME_FIELDS.items():
        value = " ".join(names.get(field, "").split())
        if len(value) > longest:
            errors.append(FieldError(field, "too_long"))
        wanted[field] = value or None
    if not any(wanted.values()):
        errors.append(FieldError("display_name", "name_required"))
    why = reason_of(reason, errors)
    refuse_if(errors)
    changed = 0
    for field, new in wanted.items():
        old = getattr(citizen, field)
        if old != new:
            setattr(citizen, field, new)
            note_change(session, me=me, citizen=citizen, field=field, old=old, new=new, reason=why)
            changed += 1
    await session.flush()
    return changed


def _quiet(start: str, end: str, errors: list[FieldError]) -> tuple[time, time] | None:
    """Quiet hours from the form: both times ("22:00") or neither."""
    if not start.strip() and not end.strip():
        return None
    parsed: list[time] = []
    for field, text in (("quiet_start", start), ("quiet_end", end)):
        try:
            parsed.append(time.fromisoformat(text.strip()))
        except ValueError:
            errors.append(FieldError(field, "time"))
    if len(parsed) < 2:
        return None
    if parsed[0] == parsed[1]:
        errors.append(FieldError("quiet_end", "quiet_same"))
    return parsed[0], parsed[1]


def quiet_words(start: time | None, end: time | None) -> str | None:
    """Quiet hours as the history keeps them: "22:00-07:00", or None."""
    return f"{start:%H:%M}-{end:%H:%M}" if start is not None and end is not None else None


async def change_preferences(
    session: AsyncSession,
    *,
    me: Principal,
    citizen_id: uuid.UUID,
    language: str,
    channels: list[str],
    quiet_start: str,
    quiet_end: str,
    reason: str,
) -> int:
    """Correct the language, the preferred channels (among those the person's contacts reach, in the order
    offered) and the quiet hours; the number of preferences that changed."""
    citizen = await editable(session, me=me, citizen_id=citizen_id)
    refuse_if_merged(citizen)
    errors: list[FieldError] = []
    if language not in LANGUAGES:
        errors.append(FieldError("language", "language"))
    usable = reachable(list(citizen.identities), push_on=bool(await push.live_for(session, citizen_id=citizen.id)))
    if any(c not in usable for c in channels):
        errors.append(FieldError("channels", "not_reachable"))
    hours = _quiet(quiet_start, quiet_end, errors)
    why = reason_of(reason, errors)
    refuse_if(errors)
    chosen = [c for c in usable if c in channels]
    before = {
        "language": citizen.language,
        "preferred_channels": ",".join(citizen.preferred_channels) or None,
        "quiet_hours": quiet_words(citizen.quiet_hours_start, citizen.quiet_hours_end),
    }
    citizen.language = language
    citizen.preferred_channels = chosen
    citizen.quiet_hours_start, citizen.quiet_hours_end = hours if hours is not None else (None, None)
    after = {
        "language": language,
        "preferred_channels": ",".join(chosen) or None,
        "quiet_hours": quiet_words(citizen.quiet_hours_start, citizen.quiet_hours_end),
    }
    changed = [field for field in before if before[field] != after[field]]
    for field in changed:
        note_change(session, me=me, citizen=citizen, field=field, old=before[field], new=after[field], reason=why)
    await session.flush()
    return len(changed)


async def change_notifications(
    session: AsyncSession, *, me: Principal, citizen_id: uuid.UUID, wanted: dict[str, list[str]], reason: str
) -> int:
    """Keep exactly the wanted message types on each channel that reaches the person; the number of channels whose
    choices changed. A channel that does not reach them, or a type that is not optional, is refused."""
    citizen = await editable(session, me=me, citizen_id=citizen_id)
    refuse_if_merged(citizen)
    errors: list[FieldError] = []
    now = {c.channel: c.on for c in await opt_outs.choices(session, citizen_id=citizen.id)}
    if any(channel not in now for channel in wanted):
        errors.append(FieldError("channels", "not_reachable"))
    if any(t not in opt_outs.TYPES for types in wanted.values() for t in types):
        errors.append(FieldError("message_types", "unknown"))
    why = reason_of(reason, errors)
    refuse_if(errors)

    def words(on: frozenset[str] | set[str]) -> str | None:
        return ",".join(t for t in opt_outs.TYPES if t in on) or None

    changed = [c for c, types in wanted.items() if set(types) != set(now[c])]
    for channel in changed:
        field = f"notifications.{channel}"
        note_change(
            session,
            me=me,
            citizen=citizen,
            field=field,
            old=words(now[channel]),
            new=words(set(wanted[channel])),
            reason=why,
        )
    await opt_outs.choose(session, citizen_id=citizen.id, wanted=opt_outs.parse(wanted), source="desk", audit=False)
    return len(changed)
