"""A resident says how they want to be contacted: language, channels in order, quiet hours."""

from __future__ import annotations

from datetime import time

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.web.portal.conftest import Resident, make_resident, sign_in
from townsquare.citizens.models import Citizen


async def _citizen(session: AsyncSession, resident: Resident) -> Citizen:
    await session.rollback()
    citizen = await session.get(Citizen, resident.citizen_id)
    assert citizen is not None
    return citizen


async def test_preferences_are_saved_on_the_record_in_the_order_ticked(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    resident = await make_resident(session, phone="+16135550142")
    sign_in(client, resident)
    form = await client.get("/account/preferences")
    assert form.status_code == 200
    for channel in ("sms", "voice", "email"):
        assert f'value="{channel}"' in form.text
    saved = await client.post(
        "/account/preferences",
        data={"language": "fr", "channels": ["email", "sms"], "quiet_start": "21:30", "quiet_end": "07:00"},
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/account?updated=preferences"
    citizen = await _citizen(session, resident)
    assert citizen.language == "fr"
    assert citizen.preferred_channels == ["email", "sms"]
    assert (citizen.quiet_hours_start, citizen.quiet_hours_end) == (time(21, 30), time(7, 0))

    account = await client.get("/account?updated=preferences")
    assert '<html lang="fr"' in account.text  # the remembered language speaks on every device
    again = await client.get("/account/preferences")
    assert again.text.index('value="email"') < again.text.index('value="sms"')  # shown in the chosen order

    cleared = await client.post("/account/preferences", data={"language": "en"})
    assert cleared.status_code == 303
    citizen = await _citizen(session, resident)
    assert (citizen.preferred_channels, citizen.quiet_hours_start, citizen.quiet_hours_end) == ([], None, None)


async def test_bad_preferences_are_explained_and_nothing_is_saved(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    sign_in(client, resident)
    for data, message in (
        ({"language": "en", "quiet_start": "25:00", "quiet_end": "07:00"}, "Enter the start of quiet hours as a time"),
        ({"language": "en", "quiet_start": "21:00"}, "Enter both a start and an end"),
        ({"language": "en", "quiet_start": "21:00", "quiet_end": "21:00"}, "start and end at different times"),
        ({"language": "en", "channels": ["sms"]}, "Choose only ways of contacting you"),  # no verified phone
        ({"language": "de"}, "Choose English or French"),
    ):
        refused = await client.post("/account/preferences", data=data)
        assert refused.status_code == 422, data
        assert "There is a problem" in refused.text
        assert message in refused.text
        assert "<title>Error:" in refused.text
    citizen = await _citizen(session, resident)
    assert (citizen.language, citizen.preferred_channels, citizen.quiet_hours_start) == ("en", [], None)
