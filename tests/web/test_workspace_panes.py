"""The workspace without JavaScript: /desk/work and /desk/work/{id} are whole pages with the three panes (the
agent's contacts, the selected conversation, the actions and the citizen), the list filtered by query parameters,
and every action a form that comes back to the workspace with the same contact and the same filters; the panes and
the list also come alone, for the page to swap in; all of it in French too."""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_agent, create_citizen, desk_citizen_with_history
from tests.support.french import english_in, visible_text
from tests.support.staff import sign_in_staff
from townsquare.clock import utcnow
from townsquare.routing import engine
from townsquare.routing import service as routing
from townsquare.routing.models import WorkItem, WorkItemStatus, WrapUpCode
from townsquare.web.i18n import LANGUAGE_COOKIE


@dataclass
class Shift:
    sms: uuid.UUID  # in the agent's hands: a text from Maria, in the texts queue
    email: uuid.UUID  # in the agent's hands: an email from Ben
    chat: uuid.UUID  # offered to the agent: a chat from Cleo
    texts_queue: uuid.UUID


async def _shift(session: AsyncSession) -> Shift:
    """An agent with two contacts in hand and one offered, routed and accepted as the queue does it."""
    works = await create_agency(session)
    texts = await routing.create_queue(session, agency_id=works.id, slug="texts", name="Texts", channels=["sms"])
    await routing.create_queue(session, agency_id=works.id, slug="general", name="General")
    session.add(WrapUpCode(agency_id=works.id, code="answered", label="Answered"))
    wren = await create_agent(session, email="wren@city.example", agencies=[works])
    await create_agent(session, email="kim@city.example", agencies=[works], presence="offline")
    maria, talk = await desk_citizen_with_history(session, touchpoints=4, staff_id=wren.id)
    ben = await create_citizen(session, name="Ben Okafor", email="ben@example.org")
    cleo = await create_citizen(session, name="Cleo Martin", email="cleo@example.org")
    ids: dict[str, uuid.UUID] = {}
    for channel, who, conversation in (("sms", maria.id, talk.id), ("email", ben.id, None), ("chat", cleo.id, None)):
        item = await routing.create(
            session,
            channel=channel,
            kind="message",
            agency_id=works.id,
            received_at=utcnow(),
            citizen_id=who,
            conversation_id=conversation,
        )
        ids[channel] = item.id
        await engine.route(session)
        if channel != "chat":
            await engine.accept(session, item_id=item.id, staff_id=wren.id)
    await session.commit()
    return Shift(ids["sms"], ids["email"], ids["chat"], texts.id)


def _pane(page: str, pane_id: str) -> str:
    """One pane of the page, from its opening tag's `<` to the next pane's (never from inside a tag, whose
    attributes, a citizen's id among them, would read as text)."""
    named = page.index(f'id="{pane_id}"')
    start = page.rindex("<", 0, named)
    ends = [page.find(f'id="{other}"', named + 1) for other in ("conversation-pane", "context-pane")]
    ends = [e for e in ends if e > named] or [page.index('id="workspace-announcer"')]
    return page[start : page.rindex("<", 0, min(ends))]


def _listed(page: str) -> list[str]:
    return re.findall(r'data-contact="([0-9a-f-]{36})"', page)


async def test_the_workspace_is_three_panes_and_every_contact_a_link(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shift = await _shift(session)
    await sign_in_staff(client)
    empty = await client.get("/desk/work")
    assert empty.status_code == 200
    for pane in ("contacts-pane", "conversation-pane", "context-pane"):
        assert f'id="{pane}"' in empty.text
    assert "No contact chosen" in empty.text
    assert _listed(empty.text) == [str(shift.chat), str(shift.sms), str(shift.email)]  # offers, then in hand
    contacts = _pane(empty.text, "contacts-pane")
    assert 'role="img" aria-label="Chat"' in contacts  # the channel's icon, named in words
    assert 'aria-label="Text message"' in contacts
    assert "Chat from Cleo Martin" in contacts
    assert f'action="/desk/offers/{shift.chat}/accept"' in contacts
    assert 'aria-current="page"' not in contacts

    page = await client.get(f"/desk/work/{shift.sms}")
    assert page.status_code == 200
    chosen = re.search(r'<a href="([^"]+)"[^>]*data-contact="([^"]+)"[^>]*aria-current="page"', page.text)
    assert chosen is not None
    assert chosen.groups() == (f"/desk/work/{shift.sms}", str(shift.sms))
    middle = _pane(page.text, "conversation-pane")
    assert "Text message from Maria Lopez" in middle
    assert 'id="reply-body"' in middle
    assert "touchpoint 3</p>" in middle  # the whole thread, in the middle
    side = _pane(page.text, "context-pane")
    for panel in ("note", "complete", "transfer", "escalate", "callback", "case"):
        assert f'id="panel-{panel}"' in side
    assert side.count(" open>") == 0  # every panel closed until one is asked for
    assert "Identities" in side
    assert "touchpoint 3</p>" not in side


async def test_the_list_is_filtered_by_state_channel_and_queue_in_the_address(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shift = await _shift(session)
    await sign_in_staff(client)
    offers = (await client.get("/desk/work", params={"state": "offered"})).text
    assert _listed(offers) == [str(shift.chat)]
    assert 'id="mine-title"' not in offers
    emails = (await client.get(f"/desk/work/{shift.sms}", params={"channel": "email"})).text
    assert _listed(emails) == [str(shift.email)]
    assert f'href="/desk/work/{shift.email}?channel=email"' in emails  # the filters follow every link
    assert 'name="contacts" value="channel=email"' in emails  # and every action's form
    texts = (await client.get("/desk/work", params={"queue": str(shift.texts_queue), "state": "assigned"})).text
    assert _listed(texts) == [str(shift.sms)]
    assert f'<option value="{shift.texts_queue}" selected>Texts</option>' in texts
    for bad in ({"state": "sideways"}, {"channel": "pigeon"}, {"queue": "not-an-id"}):
        refused = await client.get("/desk/work", params=bad)
        assert refused.status_code == 422, bad
        assert "filters could not be used" in html.unescape(refused.text)


async def test_actions_post_and_come_back_to_the_workspace_with_the_same_contact_and_filters(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shift = await _shift(session)
    await sign_in_staff(client)
    keep = {"contacts": "channel=sms"}
    replied = await client.post(f"/desk/work/{shift.sms}/reply", data={"body": "On its way", **keep})
    assert (replied.status_code, replied.headers["location"]) == (303, f"/desk/work/{shift.sms}?channel=sms#reply")
    noted = await client.post(f"/desk/work/{shift.sms}/note", data={"body": "Depot called", **keep})
    back = f"/desk/work/{shift.sms}?channel=sms&done=note"
    assert (noted.status_code, noted.headers["location"]) == (303, f"{back}#timeline-title")
    page = (await client.get(back)).text
    assert "Your note was added to the timeline." in page
    assert "Depot called" in _pane(page, "conversation-pane")

    refused = await client.post(f"/desk/work/{shift.sms}/escalate", data={"reason": "", **keep})
    assert refused.status_code == 422  # shown in the workspace, in the panel it came from
    assert '<details class="action-panel" name="work-action" id="panel-escalate" open>' in refused.text
    assert _listed(refused.text) == [str(shift.sms)]  # still filtered

    done = await client.post(
        f"/desk/work/{shift.sms}/complete", data={"wrap_up_code": "answered", "outcome": "Booked", **keep}
    )
    assert done.headers["location"] == f"/desk/work/{shift.sms}?channel=sms&done=complete#conversation-title"
    finished = (await client.get(done.headers["location"].partition("#")[0])).text
    assert "The contact is complete." in finished
    assert 'id="finished-title"' in finished
    assert re.search(rf'data-contact="{shift.sms}"[^>]*aria-current="page"', finished)  # now finished lately
    assert 'id="panel-note"' not in finished  # nothing more to do on it

    accepted = await client.post(
        f"/desk/offers/{shift.chat}/accept", data={"back": "workspace", "contacts": "state=offered"}
    )
    assert accepted.headers["location"] == f"/desk/work/{shift.chat}?state=offered"
    status = await client.post("/desk/presence", data={"presence": "away", "next": f"/desk/work/{shift.chat}"})
    assert status.headers["location"] == f"/desk/work/{shift.chat}"
    session.expire_all()
    item = await session.get_one(WorkItem, shift.chat)
    assert item.status is WorkItemStatus.assigned


async def test_declining_in_the_workspace_keeps_the_contact_chosen(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shift = await _shift(session)
    await sign_in_staff(client)
    page = (await client.get(f"/desk/work/{shift.chat}")).text
    assert "This contact is offered to you." in _pane(page, "conversation-pane")
    assert 'id="reply-body"' not in page
    declined = await client.post(
        f"/desk/offers/{shift.chat}/decline", data={"back": "workspace", "selected": str(shift.email)}
    )
    assert declined.headers["location"] == f"/desk/work/{shift.email}"
    from_desk = await client.post(f"/desk/offers/{shift.chat}/decline")
    assert from_desk.status_code in (303, 409)  # answered on the desk home as before
    taken = await client.post(f"/desk/offers/{shift.chat}/accept", data={"back": "workspace"})
    assert taken.status_code == 409  # no longer offered: said in the workspace
    assert 'id="contacts-pane"' in taken.text
    assert 'role="alert"' in taken.text


async def test_the_panes_and_the_list_come_alone_for_the_page_to_swap_in(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shift = await _shift(session)
    await sign_in_staff(client)
    panes = await client.get(f"/desk/work/{shift.email}/_panes", params={"channel": "email"})
    assert panes.status_code == 200
    assert "<html" not in panes.text
    assert 'id="conversation-pane"' in panes.text
    assert 'id="context-pane"' in panes.text
    assert 'id="contacts-pane"' not in panes.text
    assert "Email from Ben Okafor" in panes.text
    listed = await client.get("/desk/_contacts", params={"selected": str(shift.email)})
    assert listed.status_code == 200
    assert "<html" not in listed.text
    assert re.search(rf'data-contact="{shift.email}"[^>]*aria-current="page"', listed.text)
    client.cookies.clear()
    assert (await client.get("/desk/_contacts")).status_code == 401


async def test_the_workspace_speaks_french(client: httpx.AsyncClient, session: AsyncSession) -> None:
    shift = await _shift(session)
    await sign_in_staff(client)
    client.cookies.set(LANGUAGE_COOKIE, "fr")
    page = (await client.get(f"/desk/work/{shift.sms}")).text
    assert "Espace de travail" in page
    middle = _pane(page, "conversation-pane").split('id="workspace-thread"')[0]
    actions = _pane(page, "context-pane").split('id="citizen-360"')[0]
    names = ("Maria Lopez", "Ben Okafor", "Cleo Martin", "City Works", "Texts", "General", "Wren", "Answered")
    for part in (_pane(page, "contacts-pane"), middle, actions):
        assert english_in(visible_text(part), allowed=names) == []
    dialog = page.split('id="shortcuts"', 1)[1].split("</dialog>", 1)[0]
    assert english_in(visible_text(dialog)) == []
    assert "Raccourcis clavier" in dialog


async def test_someone_elses_work_is_read_only_in_the_workspace(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shift = await _shift(session)
    await sign_in_staff(client, "kim@city.example")
    page = (await client.get(f"/desk/work/{shift.sms}")).text
    assert "only the person handling it can reply" in page
    assert 'id="actions"' not in page
    assert _listed(page) == []  # Kim's own list is empty
    assert (await session.execute(select(WorkItem.id).where(WorkItem.assigned_to_id.is_(None)))).first() is None
