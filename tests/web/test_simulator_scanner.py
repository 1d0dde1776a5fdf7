"""The simulator's letter scanner: "scan a reply" writes on one of the city's letters and scans it, and the page
shows that it landed on the letter's case; a dropped file goes the same way, and a refused one says why."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.notify.letters.factories import letter_to_send
from tests.support import scans
from townsquare.app import Runtime
from townsquare.notify.letters.provider import LetterProvider
from townsquare.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"simulator": True, "mail_scan_dpi": 200})


async def test_a_reply_on_our_letter_lands_on_its_case(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    sent = await letter_to_send(session)
    provider = runtime.providers.for_channel("mail")
    assert isinstance(provider, LetterProvider)
    letter_id = await provider.send(sent.envelope)

    page = await client.get("/simulator/scanner")
    assert page.status_code == 200
    assert f'value="{letter_id}"' in page.text
    answer = await client.post(
        "/simulator/scanner/reply", data={"letter": letter_id, "text": "Merci. Le trou est toujours là."}
    )
    assert answer.status_code == 200
    case = re.search(r'id="outcome-case">([^<]+)<', answer.text)
    assert case is not None
    assert case.group(1) == sent.reference

    refused = await client.post("/simulator/scanner", files={"file": ("a.pdf", scans.with_script())})
    assert refused.status_code == 422
    assert "script" in refused.text
