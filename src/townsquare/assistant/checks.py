"""Proving a case is yours before the assistant says anything about it: the contact you gave us for it.

An answer is normalised the way identities are (E.164 phones, lower-cased emails) and compared exactly with the
case citizen's phone and email identities. Never says which contacts are on file.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.assistant.intents import contact_in
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Identity, IdentityKind
from townsquare.errors import Problem

MAX_TRIES = 3
METHOD = {IdentityKind.email: "email on file", IdentityKind.phone: "phone on file"}


async def contacts_on_file(session: AsyncSession, *, citizen_id: uuid.UUID) -> list[Identity]:
    """The phone and email identities a person could name to prove a case is theirs."""
    rows = await session.execute(
        select(Identity).where(
            Identity.citizen_id == citizen_id, Identity.kind.in_((IdentityKind.phone, IdentityKind.email))
        )
    )
    return list(rows.scalars())


def normalised_contact(text: str, *, region: str) -> tuple[IdentityKind, str] | None:
    """The email address or phone number in a message, normalised; None if there is none or it is unusable."""
    found = contact_in(text)
    if found is None:
        return None
    kind = IdentityKind(found[0])
    try:
        return kind, citizens.normalise(kind, found[1], region=region)
    except Problem:
        return None


async def check_contact(session: AsyncSession, *, citizen_id: uuid.UUID, text: str, region: str) -> str | None:
    """How the person proved the case is theirs ("email on file", "phone on file"), or None if they did not."""
    given = normalised_contact(text, region=region)
    if given is None:
        return None
    kind, value = given
    for identity in await contacts_on_file(session, citizen_id=citizen_id):
        if identity.kind is kind and identity.value == value:
            return METHOD[kind]
    return None
