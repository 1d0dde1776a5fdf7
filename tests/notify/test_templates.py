"""Templates: placeholders checked on save, filled on send (optional lines left out), versions kept."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_staff
from townsquare.content.files import ContentInvalid
from townsquare.content.notification_templates import import_notification_templates
from townsquare.demo.city import NOTIFICATIONS_DIR
from townsquare.errors import Problem
from townsquare.notify import templates
from townsquare.notify.models import MessageType, NotificationTemplate


@pytest.mark.parametrize(
    ("channel", "language", "subject", "body", "words"),
    [
        ("sms", "en", "", "Case ((reference)) is ((stauts))", "Unknown placeholder ((stauts))"),
        ("fax", "en", "", "Hello", "Templates are for"),
        ("sms", "de", "", "Hallo", "Templates are in"),
        ("email", "en", "", "Hello ((name))", "needs a subject"),
        ("sms", "en", "", "   ", "needs some words"),
        ("sms", "en", "", "x" * 919, "at most 918"),
    ],
)
async def test_a_template_that_could_not_be_sent_is_refused(
    session: AsyncSession, channel: str, language: str, subject: str, body: str, words: str
) -> None:
    with pytest.raises(Problem) as refused:
        await templates.save(
            session,
            message_type=MessageType.status_change,
            channel=channel,
            language=language,
            subject=subject,
            body=body,
        )
    assert refused.value.status == 422
    assert words in refused.value.detail


async def test_saving_adds_a_version_and_the_same_words_add_none(session: AsyncSession) -> None:
    wren = await create_staff(session, email="wren@city.example")
    slot = MessageType.status_change

    async def save(body: str, staff_id: uuid.UUID | None = None) -> NotificationTemplate:
        return await templates.save(
            session, message_type=slot, channel="sms", language="en", subject="", body=body, staff_id=staff_id
        )

    first = await save("((reference)) is ((status))")
    same = await save(" ((reference)) is ((status)) ")
    second = await save("Your request ((reference)) is ((status))", wren.id)
    assert (first.version, same.version, second.version) == (1, 1, 2)
    assert second.created_by_id == wren.id
    history = await templates.history(session, message_type=MessageType.status_change, channel="sms", language="en")
    assert [t.version for t in history] == [2, 1]


async def test_filling_replaces_every_placeholder_leaves_out_empty_lines_and_names_what_is_missing(
    session: AsyncSession,
) -> None:
    template = await templates.save(
        session,
        message_type=MessageType.status_change,
        channel="email",
        language="en",
        subject="Request ((reference))",
        body="Hello ((name)),\n\nYour request is ((status)).\n\n((note))\n\nReference: ((reference))",
    )
    values = {"name": "Maria", "status": "resolved", "note": "", "reference": "TS-2026-000123"}
    filled = templates.fill(template, values)
    assert filled.subject == "Request TS-2026-000123"
    assert filled.body == "Hello Maria,\n\nYour request is resolved.\n\nReference: TS-2026-000123"
    with pytest.raises(Problem) as refused:
        templates.fill(template, {"name": "Maria"})
    assert "missing reference, status, note" in refused.value.detail


async def test_the_demo_templates_import_once_and_a_broken_file_changes_nothing(
    session: AsyncSession, tmp_path: Path
) -> None:
    assert await import_notification_templates(session, NOTIFICATIONS_DIR) >= 30
    assert await import_notification_templates(session, NOTIFICATIONS_DIR) == 0
    (tmp_path / "bad.toml").write_text(
        '[[template]]\ntype = "status_change"\nchannel = "sms"\nlanguage = "fr"\nbody = "((status)) changed"\n'
        '[[template]]\ntype = "status_change"\nchannel = "sms"\nlanguage = "en"\nbody = "((nope))"\n'
    )
    with pytest.raises(ContentInvalid) as refused:
        await import_notification_templates(session, tmp_path)
    assert "bad.toml: template[1]" in str(refused.value.errors[0])
    french = await templates.current(session, message_type=MessageType.status_change, channel="sms", language="fr")
    assert french is not None
    assert french.version == 1  # the good template of the broken file was not saved either
