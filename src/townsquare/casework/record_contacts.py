"""Correcting a person's contacts from the desk: add, correct or remove a phone number or an email address.

A contact staff add or correct is unverified until the person proves it. A contact that already belongs to another
person's record is refused (409) and never moved or merged here: if the two records are one person, the record
merge or the linking review decides. Removing the last way to reach the person, or the only way they sign in, needs
the member of staff to say they mean it. Each change is kept with the value it replaced and audited
(`casework.record_edit.note_change`). Never commits.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.casework.record_edit import editable, note_change, reachable, reason_of, refuse_if, refuse_if_merged
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, Identity, IdentityKind
from townsquare.clock import utcnow
from townsquare.errors import FieldError, Problem, invalid, not_found
from townsquare.interactions.models import Interaction
from townsquare.notify.push import service as push
from townsquare.staff.auth import Principal

EDITABLE = (IdentityKind.phone, IdentityKind.email)
REACHING = (IdentityKind.phone, IdentityKind.email, IdentityKind.social, IdentityKind.postal, IdentityKind.device)
SIGN_IN = (IdentityKind.email, IdentityKind.sso)
VALUE_MAX = 320


def kind_of(raw: str) -> IdentityKind:
    """A contact kind the desk edits, as the form names it."""
    for kind in EDITABLE:
        if raw == kind.value:
            return kind
    raise invalid("Choose a phone number or an email address.", FieldError("kind", "kind"))


def _normalise(kind: IdentityKind, raw: str, *, region: str, errors: list[FieldError]) -> str:
    text = raw.strip()
    if not text:
        errors.append(FieldError("value", "required"))
        return ""
    if len(text) > VALUE_MAX:
        errors.append(FieldError("value", "too_long"))
        return ""
    try:
        return citizens.normalise(kind, text, region=region)
    except Problem:
        errors.append(FieldError("value", "not_a_phone" if kind is IdentityKind.phone else "not_an_email"))
        return ""


def elsewhere(kind: IdentityKind) -> Problem:
    """409: the contact is another person's; the page points to the search and the record merge."""
    what = "phone number" if kind is IdentityKind.phone else "email address"
    return Problem(
        409,
        "Conflict",
        f"That {what} already belongs to another person's record, so it was not added. If both records are the "
        "same person, merge them (a supervisor, on this page) or decide it in the linking review.",
        "contact-elsewhere",
        [FieldError("value", "elsewhere")],
    )


async def _free(session: AsyncSession, citizen: Citizen, kind: IdentityKind, value: str) -> None:
    """Refuse a value already on this record (422) or on another person's (409)."""
    found = await citizens.find_identity(session, kind=kind, value=value)
    if found is None:
        return
    if found.citizen_id == citizen.id:
        raise invalid("That contact is already on this record.", FieldError("value", "already_theirs"))
    raise elsewhere(kind)


def _contact(citizen: Citizen, identity_id: uuid.UUID) -> Identity:
    found = next((i for i in citizen.identities if i.id == identity_id and i.kind in EDITABLE), None)
    if found is None:
        raise not_found("Contact", "This person has no such phone number or email address; it may have been removed.")
    return found


async def add_contact(
    session: AsyncSession, *, me: Principal, region: str, citizen_id: uuid.UUID, kind: str, value: str, reason: str
) -> Identity:
    """Add a phone number or an email address, unverified."""
    citizen = await editable(session, me=me, citizen_id=citizen_id)
    refuse_if_merged(citizen)
    which = kind_of(kind)
    errors: list[FieldError] = []
    normalised = _normalise(which, value, region=region, errors=errors)
    why = reason_of(reason, errors)
    refuse_if(errors)
    await _free(session, citizen, which, normalised)
    return await _put(session, me, citizen, which, normalised, previous=None, reason=why)


async def correct_contact(
    session: AsyncSession,
    *,
    me: Principal,
    region: str,
    citizen_id: uuid.UUID,
    identity_id: uuid.UUID,
    value: str,
    reason: str,
) -> Identity:
    """Replace a phone number or an email address with the corrected one, unverified; the contacts that came from
    the old one stay on the timeline."""
    citizen = await editable(session, me=me, citizen_id=citizen_id)
    refuse_if_merged(citizen)
    old = _contact(citizen, identity_id)
    errors: list[FieldError] = []
    normalised = _normalise(old.kind, value, region=region, errors=errors)
    if normalised and normalised == old.value:
        errors.append(FieldError("value", "unchanged"))
    why = reason_of(reason, errors)
    refuse_if(errors)
    await _free(session, citizen, old.kind, normalised)
    previous, kind = old.value, old.kind
    await _forget(session, old)
    return await _put(session, me, citizen, kind, normalised, previous=previous, reason=why)


async def _put(
    session: AsyncSession,
    me: Principal,
    citizen: Citizen,
    kind: IdentityKind,
    value: str,
    *,
    previous: str | None,
    reason: str,
) -> Identity:
    """The new contact, unverified, and its change kept with the value it replaced (if any)."""
    identity = Identity(citizen_id=citizen.id, kind=kind, value=value, last_seen_at=utcnow())
    session.add(identity)
    await session.flush()
    note_change(
        session,
        me=me,
        citizen=citizen,
        field=kind.value,
        old=previous,
        new=value,
        reason=reason,
        identity_id=identity.id,
    )
    return identity


def losing(citizen: Citizen, identity: Identity) -> str | None:
    """What removing this contact would take away without a word: the last way to reach the person ("last_way"),
    or the only way they sign in ("last_sign_in"); None when neither."""
    others = [i for i in citizen.identities if i.id != identity.id]
    if not any(i.kind in REACHING for i in others):
        return "last_way"
    if identity.verified and identity.kind in SIGN_IN and not any(i.verified and i.kind in SIGN_IN for i in others):
        return "last_sign_in"
    return None


async def remove_contact(
    session: AsyncSession, *, me: Principal, citizen_id: uuid.UUID, identity_id: uuid.UUID, reason: str, confirmed: bool
) -> None:
    """Take a phone number or an email address off the record (past contacts from it stay on the timeline); the
    preferred channels it alone reached go with it, kept in the history too."""
    citizen = await editable(session, me=me, citizen_id=citizen_id)
    refuse_if_merged(citizen)
    identity = _contact(citizen, identity_id)
    errors: list[FieldError] = []
    lost = losing(citizen, identity)
    if lost is not None and not confirmed:
        errors.append(FieldError("confirm", lost))
    why = reason_of(reason, errors)
    refuse_if(errors)
    kind, value = identity.kind, identity.value
    await _forget(session, identity)
    note_change(
        session, me=me, citizen=citizen, field=kind.value, old=value, new=None, reason=why, identity_id=identity_id
    )
    left = [i for i in citizen.identities if i.id != identity_id]
    usable = reachable(left, push_on=bool(await push.live_for(session, citizen_id=citizen.id)))
    kept = [c for c in citizen.preferred_channels if c in usable]
    if kept != list(citizen.preferred_channels):
        note_change(
            session,
            me=me,
            citizen=citizen,
            field="preferred_channels",
            old=",".join(citizen.preferred_channels) or None,
            new=",".join(kept) or None,
            reason=why,
        )
        citizen.preferred_channels = kept
    await session.flush()


async def _forget(session: AsyncSession, identity: Identity) -> None:
    """Delete the identity; the interactions that came from it keep their place on the timeline."""
    await session.execute(update(Interaction).where(Interaction.identity_id == identity.id).values(identity_id=None))
    await session.execute(delete(Identity).where(Identity.id == identity.id))
