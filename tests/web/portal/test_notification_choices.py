"""What a resident chooses to receive, channel by channel (/account/notifications), and an email's unsubscribe
link: asked before anything changes, one click from a mail client, undone from the same page."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.web.portal.conftest import Resident, make_resident, sign_in
from townsquare.notify import opt_outs
from townsquare.notify.kinds import MessageType
from townsquare.notify.models import NotificationOptOut
from townsquare.settings import Settings

ORIGIN = {"origin": "http://testserver"}
FORM = {"content-type": "application/x-www-form-urlencoded"}


async def _off(session: AsyncSession, resident: Resident) -> set[tuple[str, str]]:
    await session.commit()  # a fresh read, not the one this session made before the request
    rows = await session.execute(
        select(NotificationOptOut.channel, NotificationOptOut.message_type).where(
            NotificationOptOut.citizen_id == resident.citizen_id
        )
    )
    return {(c, t.value) for c, t in rows.all()}


def _link(settings: Settings, resident: Resident, message_type: MessageType = MessageType.status_change) -> str:
    wanted = opt_outs.Unsubscribe(resident.citizen_id, "email", message_type)
    return "/unsubscribe/" + opt_outs.token(settings.secret_key, wanted)


async def test_the_page_shows_the_channels_that_reach_the_resident_and_saves_what_is_unticked(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    resident = await make_resident(session, phone="+16135550177")
    sign_in(client, resident)
    page = await client.get("/account/notifications")
    assert page.status_code == 200
    assert "Emails" in page.text
    assert "Text messages" in page.text
    assert "Letters by post" not in page.text  # no postal address on record
    assert page.text.count("checked") == 2 * len(opt_outs.OPTIONAL_TYPES)

    keep = ["acknowledgement", "status_change", "information_request", "agent_reply"]
    form = [("channels", "email"), ("channels", "sms")] + [("on-email", t) for t in keep]
    saved = await client.post("/account/notifications", content=urlencode(form), headers=ORIGIN | FORM)
    assert saved.status_code == 303
    off = await _off(session, resident)
    assert {t for c, t in off if c == "sms"} == {t.value for t in opt_outs.OPTIONAL_TYPES}  # nothing ticked
    assert {t for c, t in off if c == "email"} == {t.value for t in opt_outs.OPTIONAL_TYPES} - set(keep)
    again = await client.get(saved.headers["location"])
    assert "Your choices were saved." in again.text
    client.cookies.set("ts_lang", "fr")
    assert "Ce que nous vous envoyons" in (await client.get("/account/notifications")).text


async def test_an_unknown_message_type_is_refused_and_nothing_is_saved(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    sign_in(client, resident)
    refused = await client.post(
        "/account/notifications", data={"channels": "email", "on-email": "sign_in"}, headers=ORIGIN
    )
    assert refused.status_code == 422
    assert await _off(session, resident) == set()
    signed_out = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with signed_out:
        assert (await signed_out.post("/account/notifications", data={}, headers=ORIGIN)).status_code in (303, 401)


async def test_the_link_asks_first_then_one_click_from_a_mail_client_turns_that_type_off(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident, settings: Settings
) -> None:
    link = _link(settings, resident)
    page = await client.get(link)
    assert page.status_code == 200
    assert "Stop these emails" in page.text
    assert "Updates when your request moves on" in page.text
    assert await _off(session, resident) == set()  # a link checker opening it changes nothing

    # RFC 8058: the mail client POSTs the body below, with no cookies and no Origin.
    clicked = await client.post(link, content=b"List-Unsubscribe=One-Click", headers=FORM)
    assert clicked.status_code == 200
    assert await _off(session, resident) == {("email", "status_change")}
    assert "You will not get these emails" in (await client.get(link)).text

    undone = await client.post(link, data={"undo": "1"}, headers=ORIGIN)
    assert undone.status_code == 200
    assert await _off(session, resident) == set()


async def test_the_page_can_stop_every_email_we_send_on_our_own(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident, settings: Settings
) -> None:
    done = await client.post(_link(settings, resident), data={"scope": "all"}, headers=ORIGIN)
    assert done.status_code == 200
    assert "We will not email you on our own any more." in done.text
    assert await _off(session, resident) == {("email", t.value) for t in opt_outs.OPTIONAL_TYPES}


async def test_an_altered_or_foreign_link_is_a_404_that_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident, settings: Settings
) -> None:
    good = _link(settings, resident)
    altered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    foreign = "/unsubscribe/" + opt_outs.token(
        "another-secret", opt_outs.Unsubscribe(resident.citizen_id, "email", MessageType.status_change)
    )
    for link in (altered, foreign, "/unsubscribe/nonsense"):
        assert (await client.get(link)).status_code == 404
        refused = await client.post(link, content=b"List-Unsubscribe=One-Click", headers=FORM)
        assert refused.status_code == 404
        assert "This link does not work" in refused.text
    assert await _off(session, resident) == set()
