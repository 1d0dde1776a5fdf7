"""Letters for tests: an outbound letter interaction on a case, and the envelope the outbox hands the provider."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen
from townsquare.agencies.models import Agency
from townsquare.cases import service as cases
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, DeliveryStatus, Direction, InteractionKind
from townsquare.notify.providers import Envelope

ADDRESS = "Élodie Côté\n12 rue de l'Œuvre\nMontréal QC H2X 1Y4"


@dataclass(frozen=True)
class LetterToSend:
    envelope: Envelope
    interaction_id: uuid.UUID
    citizen_id: uuid.UUID
    reference: str


async def letter_to_send(
    session: AsyncSession,
    *,
    agency: Agency | None = None,
    language: str = "fr",
    recipient: str = ADDRESS,
    body: str = "Nous avons bien reçu votre demande.\n\nLa réparation est prévue lundi.",
    key: str | None = None,
) -> LetterToSend:
    """A case with an outbound letter interaction (queued), and its envelope; committed."""
    agency = agency or await create_agency(session)
    citizen = await create_citizen(session, name="Élodie Côté")
    case = await cases.open_case(
        session, prefix="TS", agency_id=agency.id, title="Nid-de-poule", channel="web", citizen_id=citizen.id
    )
    conversation = await interactions.start_conversation(
        session, citizen_id=citizen.id, channel=Channel.mail, case_id=case.id
    )
    interaction = await interactions.record(
        session,
        conversation=conversation,
        channel=Channel.mail,
        direction=Direction.outbound,
        kind=InteractionKind.letter,
        body=body,
        case_id=case.id,
        delivery_status=DeliveryStatus.queued,
    )
    await session.commit()
    payload: dict[str, Any] = {
        "subject": "Votre demande « nid-de-poule »",
        "body": body,
        "language": language,
        "reference": case.reference,
        "name": None,
        "agency": {"name": agency.name, "address": ["Hôtel de ville", "1 rue Principale"]},
        "interaction_id": str(interaction.id),
        "notification_id": None,
    }
    envelope = Envelope("mail", recipient, payload, key or f"interaction:{interaction.id}")
    return LetterToSend(envelope, interaction.id, citizen.id, case.reference)
