"""The desk's notification template editor: who may use it, the preview, placeholders checked, versions kept."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_staff
from tests.support.staff import sign_in_staff
from townsquare.content.notification_templates import import_notification_templates
from townsquare.demo.city import NOTIFICATIONS_DIR
from townsquare.notify.models import MessageType, NotificationTemplate
from townsquare.notify.templates import current
from townsquare.staff.models import AuditEntry, StaffRole

PAGE = "/desk/notifications/templates/status_change/sms/en"


async def _staff(session: AsyncSession) -> None:
    await import_notification_templates(session, NOTIFICATIONS_DIR)
    works = await create_agency(session)
    await create_staff(session, email="sue@city.example", agencies=[works], role=StaffRole.supervisor)
    await create_staff(session, email="wren@city.example", agencies=[works])
    await session.commit()


async def test_a_supervisor_sees_every_slot_and_an_agent_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _staff(session)
    await sign_in_staff(client, "sue@city.example")
    grid = await client.get("/desk/notifications/templates")
    assert grid.status_code == 200
    assert f'href="{PAGE}"' in grid.text
    assert "None yet" in grid.text  # the demo has no voice call-back scripts
    await sign_in_staff(client, "wren@city.example")
    assert (await client.get("/desk/notifications/templates")).status_code == 403
    assert (await client.post(PAGE, data={"body": "Hi"})).status_code == 403


async def test_the_preview_fills_sample_values_and_counts_sms_segments(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _staff(session)
    await sign_in_staff(client, "sue@city.example")
    page = await client.get(PAGE)
    assert "your request TS-2026-000123 is now in progress" in page.text
    assert "data-sms-count" in page.text
    typed = {"body": "Votre demande ((reference)) avance : ((note))", "action": "preview"}
    preview = await client.post(PAGE, data=typed)
    assert preview.status_code == 200
    assert "Votre demande TS-2026-000123 avance : A crew will fill it on Friday." in preview.text
    assert "UCS-2" not in preview.text  # é is in the GSM-7 alphabet
    in_use = await current(session, message_type=MessageType.status_change, channel="sms", language="en")
    assert in_use is not None
    assert in_use.version == 1  # a preview saves nothing


async def test_an_unknown_placeholder_is_refused_with_the_form_kept_and_a_good_one_saved_as_a_new_version(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _staff(session)
    await sign_in_staff(client, "sue@city.example")
    refused = await client.post(PAGE, data={"body": "Case ((reference)) is ((stauts))"})
    assert refused.status_code == 422
    assert "Unknown placeholder ((stauts))" in refused.text
    assert "Case ((reference)) is ((stauts))" in refused.text

    saved = await client.post(PAGE, data={"body": "Your request ((reference)) is ((status)). ((note))"})
    assert saved.status_code == 303
    page = await client.get(saved.headers["location"])
    assert "version 2 is in use now" in page.text
    assert "loaded from files" in page.text
    rows = (
        await session.execute(
            select(NotificationTemplate.version, NotificationTemplate.body)
            .where(NotificationTemplate.message_type == MessageType.status_change)
            .where(NotificationTemplate.channel == "sms", NotificationTemplate.language == "en")
            .order_by(NotificationTemplate.version)
        )
    ).all()
    assert [v for v, _ in rows] == [1, 2]
    assert rows[1][1] == "Your request ((reference)) is ((status)). ((note))"
    audit = (
        await session.execute(select(AuditEntry).where(AuditEntry.action == "notification_template.save"))
    ).scalar_one()
    assert audit.detail["version"] == 2


async def test_an_unknown_slot_is_not_found(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _staff(session)
    await sign_in_staff(client, "sue@city.example")
    assert (await client.get("/desk/notifications/templates/status_change/fax/en")).status_code == 404
    assert (await client.get("/desk/notifications/templates/nothing/sms/en")).status_code == 404
