"""A staff member's email reply goes out with a greeting, the case reference and a signature; a text as typed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_staff
from townsquare.cases import service as cases
from townsquare.content.notification_templates import import_notification_templates
from townsquare.demo.city import NOTIFICATIONS_DIR
from townsquare.engagement import links, replies
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel
from townsquare.notify.rendering import Content
from townsquare.settings import Settings


async def test_an_email_reply_is_framed_and_a_text_goes_as_typed(session: AsyncSession, settings: Settings) -> None:
    await import_notification_templates(session, NOTIFICATIONS_DIR)
    works = await create_agency(session, name="City Works")
    wren = await create_staff(session, email="wren@city.example", agencies=[works])
    citizen = await create_citizen(session, phone="+16135550142", email="maria@example.org")
    citizen.given_name = "Maria"
    case = await cases.open_case(
        session, prefix="TS", agency_id=works.id, title="Pothole", channel="email", citizen_id=citizen.id
    )
    conversation = await interactions.start_conversation(
        session, citizen_id=citizen.id, channel=Channel.email, case_id=case.id
    )
    options = links.reply_options(settings)
    words = Content("The crew filled it this morning.")
    email = await replies.reply(
        session,
        conversation_id=conversation.id,
        content=words,
        channel=Channel.email,
        staff_id=wren.id,
        options=options,
    )
    text = email.rendered["text"]
    assert text.startswith("Hello Maria,\n\nThe crew filled it this morning.")
    assert f"{wren.display_name.split()[0]}, City Works" in text
    assert case.reference in text
    assert case.reference in email.rendered["subject"]

    sms = await replies.reply(
        session, conversation_id=conversation.id, content=words, channel=Channel.sms, staff_id=wren.id, options=options
    )
    assert sms.rendered["body"] == "The crew filled it this morning."
    automatic = await replies.reply(
        session, conversation_id=conversation.id, content=words, channel=Channel.email, options=options
    )
    assert automatic.rendered["text"] == "The crew filled it this morning."


async def test_a_french_email_reply_names_the_agency_in_french_with_a_french_subject_and_footer(
    session: AsyncSession, settings: Settings
) -> None:
    await import_notification_templates(session, NOTIFICATIONS_DIR)
    works = await create_agency(session, name="City Works")
    works.translations = {"fr": {"name": "Travaux publics"}}
    wren = await create_staff(session, email="wren@city.example", agencies=[works])
    citizen = await create_citizen(session, email="marie@example.org")
    citizen.given_name, citizen.language = "Marie", "fr"
    conversation = await interactions.start_conversation(session, citizen_id=citizen.id, channel=Channel.email)
    email = await replies.reply(
        session,
        conversation_id=conversation.id,
        content=Content("L'équipe a bouché le trou ce matin."),
        channel=Channel.email,
        staff_id=wren.id,
        options=links.reply_options(settings),
    )
    assert "Travaux publics" in email.rendered["text"]
    assert "City Works" not in email.rendered["text"]
    assert email.rendered["subject"] == "Votre message"
    assert email.rendered["language"] == "fr"
