"""Messages a person asks for themselves come from templates too: the deployment's words when it has them, the
platform's own otherwise, in the reader's language; a code or a link, never an empty line for the other."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.notify import direct, templates
from townsquare.notify.kinds import MessageType
from townsquare.notify.models import OutboxMessage
from townsquare.settings import Settings


async def _sent(session: AsyncSession, recipient: str) -> OutboxMessage:
    return (await session.execute(select(OutboxMessage).where(OutboxMessage.recipient == recipient))).scalar_one()


async def test_without_a_template_of_its_own_the_platform_s_words_are_used_in_french(
    session: AsyncSession, settings: Settings
) -> None:
    await direct.send(
        session,
        settings,
        message_type=MessageType.sign_in,
        channel="email",
        recipient="marie@example.org",
        language="fr",
        values={"url": "https://city.example/account/sign-in/abc", "minutes": 20},
        idempotency_key="sign-in:1",
    )
    payload = (await _sent(session, "marie@example.org")).payload
    assert payload["subject"] == "Votre lien de connexion"
    assert "pendant 20 minutes" in payload["text"]
    assert '<a href="https://city.example/account/sign-in/abc">' in payload["html"]
    assert payload["language"] == "fr"
    assert "list_unsubscribe" not in payload  # the person asked for it: nothing to unsubscribe from


async def test_the_deployment_s_template_wins_and_a_code_leaves_out_the_link_line(
    session: AsyncSession, settings: Settings
) -> None:
    await templates.save(
        session,
        message_type=MessageType.verification,
        channel="sms",
        language="en",
        subject="",
        body="((agency)) code: ((code)) (valid ((minutes)) min)\nOr open ((url))",
    )
    await direct.send(
        session,
        settings,
        message_type=MessageType.verification,
        channel="sms",
        recipient="+16135550188",
        language="en",
        values={"code": "482913", "minutes": 10},
        idempotency_key="verification:1",
    )
    body = (await _sent(session, "+16135550188")).payload["body"]
    assert body == f"{settings.brand_name} code: 482913 (valid 10 min)"


async def test_a_language_without_words_falls_back_to_english(session: AsyncSession, settings: Settings) -> None:
    template = await direct.words(session, message_type=MessageType.verification, channel="sms", language="es")
    assert template.language == "en"
    assert "((code))" in template.body


async def test_the_platform_s_own_words_pass_the_editor_s_checks() -> None:
    for (message_type, channel, language), (subject, body) in direct._essential().items():
        templates.check(MessageType(message_type), channel, language, subject, body)
