"""The post out: an answer to a letter goes by letter, unless the person prefers another channel that reaches
them. The rule is `choose` (pure); `channel_for` reads what reaches the person, `letter` shapes what the letter
provider (`notify.letters`) prints. Never commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.cases.models import Case
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, IdentityKind
from townsquare.interactions.models import Channel
from townsquare.notify.push import service as push

SUBJECT = {"en": "Your letter to us", "fr": "Votre lettre"}  # a reply letter's subject when nothing gives one
# The channels each kind of contact reaches (a phone that texted STOP reaches no text message).
REACHES: dict[IdentityKind, tuple[Channel, ...]] = {
    IdentityKind.phone: (Channel.sms, Channel.voice),
    IdentityKind.email: (Channel.email,),
    IdentityKind.social: (Channel.social,),
    IdentityKind.device: (Channel.chat,),
    IdentityKind.postal: (Channel.mail,),
}


def choose(last: Channel, preferred: Sequence[str], reachable: Collection[Channel]) -> Channel:
    """Where an answer goes: on a letter (`last` is `mail`), the person's first preferred channel that reaches
    them, else a letter; on any other channel, that channel."""
    if last is not Channel.mail:
        return last
    for name in preferred:
        if name != Channel.mail.value and name in Channel.__members__ and Channel(name) in reachable:
            return Channel(name)
    return Channel.mail


def reachable(citizen: Citizen) -> set[Channel]:
    """The channels the person's contacts reach (their identities loaded)."""
    found: set[Channel] = set()
    for identity in citizen.identities:
        if identity.kind is IdentityKind.phone and identity.opted_out_at is not None:
            found.add(Channel.voice)  # STOP stops texts, not calls
            continue
        found.update(REACHES.get(identity.kind, ()))
    return found


async def channel_for(session: AsyncSession, *, citizen_id: uuid.UUID) -> Channel:
    """The channel an answer to this person's letter goes on (see `choose`)."""
    citizen = await citizens.get(session, citizen_id=citizen_id)
    found = reachable(citizen)
    if "push" in citizen.preferred_channels and await push.live_for(session, citizen_id=citizen_id):
        found.add(Channel.push)
    return choose(Channel.mail, citizen.preferred_channels, found)


async def letter(
    session: AsyncSession, *, text: str, subject: str | None, citizen_id: uuid.UUID, case: Case | None, answered: str
) -> dict[str, Any]:
    """What the letter provider prints: the subject, the body, the addressee, the case's reference (its QR code,
    so an answer by post threads back) and agency, in the person's language; `answered` is the letter's subject."""
    citizen = await citizens.get(session, citizen_id=citizen_id)
    language = citizen.language if citizen.language in SUBJECT else "en"
    title = subject or (f"Re: {answered}" if answered else SUBJECT[language])
    payload: dict[str, Any] = {
        "subject": title[:300],
        "body": text.strip(),
        "name": citizen.display_name,
        "language": language,
        "reference": case.reference if case else None,
    }
    if case is not None:
        agency = await session.get(Agency, case.agency_id)
        if agency is not None:
            payload["agency"] = {"name": agency.name}
    return payload
