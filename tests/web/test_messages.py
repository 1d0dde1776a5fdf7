"""The read-more page: `/m/{token}` shows one outbound message in full, and nothing for any other token."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_citizen
from townsquare.engagement import links
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, DeliveryStatus, Direction, InteractionKind
from townsquare.settings import Settings


async def test_the_page_prefers_the_untruncated_text_and_hides_who_it_was_for(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    citizen = await create_citizen(session, name="Maria Lopez", phone="+16135551234")
    conversation = await interactions.start_conversation(session, citizen_id=citizen.id, channel=Channel.sms)
    sent = await interactions.record(
        session,
        conversation=conversation,
        channel=Channel.sms,
        direction=Direction.outbound,
        kind=InteractionKind.message,
        body="Your permit is ready...",
        payload={
            "rendered": {"body": "Your permit is ready...\nhttps://x/m/t", "segments": 1},
            "full_text": "Your permit is ready.\nBring <b>photo ID</b> to the counter.",
        },
        delivery_status=DeliveryStatus.sent,
    )
    await session.commit()
    page = await client.get(links.message_url(settings, sent.id).removeprefix(settings.public_url))
    assert page.status_code == 200
    assert '<p class="govuk-body">Bring &lt;b&gt;photo ID&lt;/b&gt; to the counter.</p>' in page.text
    assert "Maria" not in page.text
    assert "555" not in page.text
    assert "noindex" in page.headers["x-robots-tag"]

    other_secret = links.sign_id("another-deployment-secret", "message", sent.id)
    wrong_purpose = links.sign_id(settings.secret_key, "case", sent.id)
    for token in (other_secret, wrong_purpose, "", "a.b.c", "%00"):
        response = await client.get(f"/m/{token}")
        assert response.status_code == 404, token
        assert "Your permit" not in response.text
