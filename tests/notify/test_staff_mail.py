"""A password-reset link to a staff address goes through the outbox, in the asker's language; an unknown address
queues nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, create_staff
from townsquare.notify import staff_mail
from townsquare.notify.models import OutboxMessage
from townsquare.settings import Settings


async def test_a_known_address_gets_the_link_an_unknown_one_nothing(session: AsyncSession, settings: Settings) -> None:
    await create_staff(session, email="wren@city.example")

    assert not await staff_mail.request_password_reset(session, settings, email="nobody@city.example", language="en")
    assert await count(session, OutboxMessage) == 0
    assert await staff_mail.request_password_reset(session, settings, email=" WREN@city.example", language="fr")

    message = (await session.execute(select(OutboxMessage))).scalar_one()
    assert (message.channel, message.recipient) == ("email", "wren@city.example")
    assert message.payload["subject"].startswith("Réinitialiser votre mot de passe")
    assert "http://testserver/desk/sign-in/reset/" in message.payload["text"]
    assert message.payload["language"] == "fr"
