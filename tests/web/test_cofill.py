"""Filling in a form together, from the desk: the agent on a call sends the resident a link to her own draft (by
text, email or chat, through the outbox in the channel's format), sees her answers, fills in fields only while she
allows it, meets her changes as conflicts (never overwriting them), ends the link; her sending makes one case that
says who entered which answer. Every step audited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from html.parser import HTMLParser

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.db import fresh
from tests.support.staff import sign_in_staff
from tests.support.together import (
    EMAIL,
    ORIGIN,
    PHONE,
    Together,
    open_on_phone,
    send_link,
    sent_link,
    together_world,
)
from townsquare.cases.models import Case
from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
from townsquare.drafts.links import DraftLink
from townsquare.drafts.models import Draft
from townsquare.interactions.models import Interaction
from townsquare.staff.models import AuditEntry


@pytest.fixture
async def phone(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The resident's phone: a browser of its own, never signed in."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


async def _ready(client: httpx.AsyncClient, session: AsyncSession) -> Together:
    world = await together_world(session)
    await session.commit()
    await sign_in_staff(client)
    return world


async def _actions(session: AsyncSession, action: str) -> list[AuditEntry]:
    await fresh(session)
    return list((await session.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars())


class _Fields(HTMLParser):
    """What a browser would send for one form of a page: its inputs, checked boxes, chosen options, text areas."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.values: dict[str, str] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name") and (a.get("type") not in ("checkbox", "radio") or "checked" in a):
            self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.values[self.select] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = a.get("name")
            self.values[self.textarea or ""] = ""

    def handle_data(self, data: str) -> None:
        if self.inside and self.textarea:
            self.values[self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def _form(html: str, form_id: str) -> dict[str, str]:
    """The values of one form on a page, as a browser would send them back."""
    found = _Fields(form_id)
    found.feed(html)
    return dict(found.values)


async def _agent_saves(client: httpx.AsyncClient, world: Together, **answers: str) -> httpx.Response:
    page = await client.get(f"/desk/work/{world.item_id}")
    data = _form(page.text, "cofill-answers") | {f"f.{code}": value for code, value in answers.items()}
    return await client.post(f"/desk/work/{world.item_id}/cofill/answers", data=data, headers=ORIGIN)


async def test_the_link_goes_out_by_text_in_the_channels_format_and_the_timeline_hides_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await _ready(client, session)
    page = await client.get(f"/desk/work/{world.item_id}")
    assert "Fill in a form together" in page.text
    assert "Residential parking permit" in page.text  # a service to send
    assert "Phone +1 613-555-0142" in page.text  # her phone, in words

    sent = await send_link(client, world)
    assert sent.status_code == 303, sent.text
    message, token = await sent_link(session)
    assert message.channel == "sms"
    assert message.payload["encoding"] == "GSM-7"
    assert message.payload["segments"] >= 1
    text = str(message.payload["body"])
    assert text.startswith("Wren at City Works sent you a form to fill in together")
    assert f"http://testserver/together/{token}" in text
    recorded = await session.get_one(Interaction, message.interaction_id)
    assert token not in recorded.body
    assert token not in str(recorded.payload)  # the timeline (desk and portal) never shows the capability
    assert "link hidden" in recorded.body

    draft = (await session.execute(select(Draft).where(Draft.citizen_id == world.citizen_id))).scalar_one()
    assert draft.shared_at is not None  # her own draft of the service, started for her
    draft_id = draft.id
    [audit] = await _actions(session, "draft.link_sent")
    assert (audit.actor_kind, audit.subject_id, audit.citizen_id) == ("staff", str(draft_id), world.citizen_id)
    assert token not in str(audit.detail)

    # Sent again (by email): the same draft, not a copy; the first link ends.
    await send_link(client, world, to=f"email:{world.email_id}")
    email, second = await sent_link(session, EMAIL)
    assert email.payload["subject"] == "A form to fill in together: Residential parking permit"
    assert second in str(email.payload["text"])
    assert await session.scalar(select(func.count()).select_from(Draft)) == 1
    first = (await session.execute(select(DraftLink).order_by(DraftLink.created_at))).scalars().first()
    assert first is not None
    assert first.ended_reason == "replaced"


async def test_the_agent_cannot_write_before_she_allows_it_nor_after_she_stops(
    client: httpx.AsyncClient, phone: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await _ready(client, session)
    await send_link(client, world)
    _message, token = await sent_link(session)
    data = {"base_version": "0", "orig.plate": '""', "f.plate": "ABC 123"}
    refused = await client.post(f"/desk/work/{world.item_id}/cofill/answers", data=data, headers=ORIGIN)
    assert refused.status_code == 409
    assert "has not opened the link yet" in refused.text

    base = await open_on_phone(phone, token)
    refused = await client.post(f"/desk/work/{world.item_id}/cofill/answers", data=data, headers=ORIGIN)
    assert refused.status_code == 409
    assert "has not allowed you to fill in this form" in refused.text

    allowed = await phone.post(f"{base}/agreement", data={"allow": "yes", "next": f"{base}/pages/1"}, headers=ORIGIN)
    assert allowed.status_code == 303
    saved = await _agent_saves(client, world, plate="ABC 123")
    assert saved.status_code == 303, saved.text

    await phone.post(f"{base}/agreement", data={"allow": "no"}, headers=ORIGIN)
    refused = await client.post(f"/desk/work/{world.item_id}/cofill/answers", data=data, headers=ORIGIN)
    assert refused.status_code == 409
    assert [a.actor_kind for a in await _actions(session, "draft.agent_allowed")] == ["citizen"]
    assert len(await _actions(session, "draft.agent_stopped")) == 1


async def test_answers_meet_on_one_draft_a_conflict_is_shown_not_lost_and_one_case_says_who_entered_what(
    client: httpx.AsyncClient, phone: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await _ready(client, session)
    await send_link(client, world)
    _message, token = await sent_link(session)
    base = await open_on_phone(phone, token)
    await phone.post(f"{base}/agreement", data={"allow": "yes"}, headers=ORIGIN)

    # She types her plate on her phone: it shows on the desk, as hers.
    mine = await phone.post(
        f"{base}/autosave", json={"base_version": 0, "changes": {"plate": "ABC 123"}}, headers=ORIGIN
    )
    assert mine.status_code == 200, mine.text
    panel = await client.get(f"/desk/work/{world.item_id}/_cofill")
    assert 'value="ABC 123"' in panel.text
    assert "Entered by the resident" in panel.text

    # The agent's page was drawn before she changed the colour: the agent's colour is a conflict, hers is kept.
    page = await client.get(f"/desk/work/{world.item_id}")
    await phone.post(f"{base}/autosave", json={"base_version": 1, "changes": {"colour": "blue"}}, headers=ORIGIN)
    data = _form(page.text, "cofill-answers") | {"f.colour": "red", "f.vehicle": "car"}
    clash = await client.post(f"/desk/work/{world.item_id}/cofill/answers", data=data, headers=ORIGIN)
    assert clash.status_code == 409
    assert "hers: blue; yours: red" in clash.text
    state = (await phone.get(f"{base}/state")).json()
    assert state["answers"] == {"plate": "ABC 123", "colour": "blue", "vehicle": "car"}  # vehicle applied
    assert state["filled_by"] == {"vehicle": "Wren"}
    again = _form(clash.text, "cofill-answers") | {"f.colour": "red"}  # saved again, on purpose
    assert (
        await client.post(f"/desk/work/{world.item_id}/cofill/answers", data=again, headers=ORIGIN)
    ).status_code == 303

    # She sends it from her phone: one case, and the desk's case page says who entered which answer.
    check = await phone.get(f"{base}/check")
    assert check.status_code == 200
    sent = await phone.post(f"{base}/submit", headers=ORIGIN)
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == f"{base}/done"
    twice = await phone.post(f"{base}/submit", headers=ORIGIN)
    assert twice.status_code == 303
    await fresh(session)
    [case] = (await session.execute(select(Case))).scalars().all()
    assert case.entered_by == {
        "plate": "citizen",
        "vehicle": f"staff:{world.agent_id}",
        "colour": f"staff:{world.agent_id}",
    }
    shown = await client.get(f"/desk/cases/{case.reference}")
    assert 'data-entered-by="plate">Entered by the resident' in shown.text
    assert 'data-entered-by="vehicle">Entered by Wren (staff)' in shown.text
    done = await phone.get(f"{base}/done")
    assert case.reference in done.text

    changes = await _actions(session, "draft.answer_changed")
    assert sorted((a.actor_kind, a.detail["field"]) for a in changes) == [
        ("citizen", "colour"),
        ("citizen", "plate"),
        ("staff", "colour"),
        ("staff", "vehicle"),
    ]
    assert await _actions(session, "draft.read")  # every look at her draft from the desk


async def test_the_agent_ends_the_link_and_her_phone_no_longer_reaches_the_form(
    client: httpx.AsyncClient, phone: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await _ready(client, session)
    no_chat = await send_link(client, world, to="chat")
    assert no_chat.status_code == 422
    assert "has no chat to send the link to" in no_chat.text
    await citizens.add_identity(  # she opens the chat widget while on the phone
        session, citizen_id=world.citizen_id, kind=IdentityKind.device, value="d" * 64, region="CA", namespace="chat"
    )
    await session.commit()
    await send_link(client, world, to="chat")
    _message, token = await sent_link(session, str(world.citizen_id))  # a chat reaches every open chat of hers
    base = await open_on_phone(phone, token)
    ended = await client.post(f"/desk/work/{world.item_id}/cofill/end", headers=ORIGIN)
    assert ended.status_code == 303
    gone = await phone.get(f"{base}/pages/1")
    assert gone.status_code == 410
    assert "This link was ended" in gone.text
    assert len(await _actions(session, "draft.link_ended")) == 1
    panel = await client.get(f"/desk/work/{world.item_id}")
    assert "The link was ended" in panel.text
    assert "Send the link" in panel.text  # another can be sent


async def test_only_the_holder_sends_and_only_to_her_own_contacts(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await _ready(client, session)
    wrong = await send_link(client, world, to="sms:00000000-0000-0000-0000-000000000000")
    assert wrong.status_code == 422
    assert "not one of this citizen&#39;s contacts" in wrong.text
    none = await client.post(f"/desk/work/{world.item_id}/cofill", data={"to": f"sms:{world.phone_id}"}, headers=ORIGIN)
    assert none.status_code == 422
    assert "Choose the service" in none.text
    await fresh(session)
    assert await session.scalar(select(func.count()).select_from(DraftLink)) == 0
    assert PHONE  # nothing was sent to her


async def test_each_box_is_merged_from_the_version_it_was_drawn_at(
    client: httpx.AsyncClient, phone: httpx.AsyncClient, session: AsyncSession
) -> None:
    """The page took in her new plate while the agent typed the colour: the agent's plate correction is no conflict
    (that box was drawn at the new version), the colour was typed against the old one and still lands."""
    world = await _ready(client, session)
    await send_link(client, world)
    _message, token = await sent_link(session)
    base = await open_on_phone(phone, token)
    await phone.post(f"{base}/agreement", data={"allow": "yes"}, headers=ORIGIN)
    await phone.post(f"{base}/autosave", json={"base_version": 0, "changes": {"plate": "ABC"}}, headers=ORIGIN)
    drawn = _form((await client.get(f"/desk/work/{world.item_id}")).text, "cofill-answers")
    assert drawn["base.colour"] == "1"
    await phone.post(f"{base}/autosave", json={"base_version": 1, "changes": {"plate": "ABC 1"}}, headers=ORIGIN)
    refreshed = _form((await client.get(f"/desk/work/{world.item_id}/_cofill")).text, "cofill-answers")
    assert (refreshed["base.plate"], refreshed["f.plate"]) == ("2", "ABC 1")
    sent = (
        refreshed | {k: v for k, v in drawn.items() if k.endswith("colour")} | {"f.plate": "ABC 12", "f.colour": "red"}
    )
    saved = await client.post(f"/desk/work/{world.item_id}/cofill/answers", data=sent, headers=ORIGIN)
    assert saved.status_code == 303, saved.text
    state = (await phone.get(f"{base}/state")).json()
    assert state["answers"] == {"plate": "ABC 12", "colour": "red"}
    assert state["filled_by"] == {"plate": "Wren", "colour": "Wren"}
