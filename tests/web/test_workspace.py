"""The agent's workspace: the work page with the citizen 360 view (fixed query count), replies on any channel,
internal notes, canned responses, routing actions, case actions and who may see or act."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from playwright.async_api import Browser
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import (
    PASSWORD,
    create_agency,
    create_agent,
    create_staff,
    desk_citizen_with_history,
    desk_work_item,
)
from tests.support.browser import axe_violations, share_cookies
from tests.support.db import record_statements
from tests.support.servers import LiveApp
from tests.support.staff import sign_in_staff
from townsquare.agencies.models import Agency, CannedResponse
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseLink, CaseStatus
from townsquare.casework.desk import TIMELINE_LIMIT
from townsquare.db import remembered
from townsquare.interactions.models import Direction, Interaction, InteractionKind
from townsquare.notify.models import OutboxMessage
from townsquare.routing import engine
from townsquare.routing.models import Team, TransferKind, WorkItem, WorkItemStatus, WorkTransfer, WrapUpCode
from townsquare.staff.models import AuditEntry, StaffAccount

# Sign-in session with its agencies (1), work item (1), citizen and identities (1, joined), cases (1), case links (1),
# timeline page and its attachments (2), staff names (1), applications in progress (1), conversation (1), its
# queue's name (none here), agencies (1), canned responses (1), the agency's staff, agents marked, who also name the
# holders (1), wrap-up codes (1), teams (1), transfers and escalations (1), the audit entry (1), the knowledge
# revision the suggested answers are searched at (1), the city's time zone the page writes its times in (1); and the
# workspace's contact list: the agent's routing profile (1), their offers and work in hand (1), what they finished
# lately (1), their queues (1); the newest link to fill in a form together sent on this work (1) and the services a
# link can be sent for (1).
WORK_PAGE_STATEMENTS = 25
# Of those, configuration remembered for a few seconds (casework.work_catalogue, analytics.config): the agencies, the
# canned responses, wrap-up codes, teams, the services a link can be sent for, the city's time zone, and the queues
# the contact list filters by.
REMEMBERED = 7


@dataclass
class Desk:
    agency: Agency
    agent: StaffAccount
    item: WorkItem
    citizen_id: uuid.UUID
    case: Case | None


async def _desk(
    session: AsyncSession,
    *,
    touchpoints: int = 3,
    slug: str = "city-works",
    email: str = "wren@city.example",
    with_case: bool = True,
) -> Desk:
    agency = (await session.execute(select(Agency).where(Agency.slug == slug))).scalar_one_or_none()
    if agency is None:
        agency = await create_agency(session, slug=slug, name=slug.replace("-", " ").title())
    agent = (await session.execute(select(StaffAccount).where(StaffAccount.email == email))).scalar_one_or_none()
    if agent is None:
        agent = await create_agent(session, email=email, agencies=[agency])
    case = None
    if with_case:
        case = await cases.open_case(session, prefix="TS", agency_id=agency.id, title="Pothole", channel="sms")
    citizen, conversation = await desk_citizen_with_history(
        session,
        touchpoints=touchpoints,
        name=f"Maria {touchpoints}",
        phone=f"+1613555{touchpoints % 10000:04d}",
        email=f"maria{touchpoints}@example.org",
        staff_id=agent.id,
        case_id=case.id if case else None,
    )
    if case is not None:
        case.citizen_id = citizen.id
        other = await cases.open_case(session, prefix="TS", agency_id=agency.id, title="Same pothole", channel="web")
        await cases.link(session, case=case, other=other, staff_id=agent.id)
    item = await desk_work_item(
        session,
        agency=agency,
        citizen=citizen,
        conversation_id=conversation.id,
        holder=agent,
        case_id=case.id if case else None,
    )
    return Desk(agency, agent, item, citizen.id, case)


async def _work_page_statements(client: httpx.AsyncClient, runtime: Runtime, desk: Desk) -> int:
    with record_statements(runtime.db.engine) as statements:
        page = await client.get(f"/desk/work/{desk.item.id}")
    assert page.status_code == 200, page.text
    return len(statements.queries)


async def test_the_work_page_reads_a_fixed_number_of_queries_for_10_or_1000_touchpoints(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    small = await _desk(session, touchpoints=10)
    large = await _desk(session, touchpoints=1000)
    await session.commit()
    await sign_in_staff(client)
    await client.get(f"/desk/work/{small.item.id}")  # warm caches (compiled statements, pools)

    for desk in (small, large):
        remembered.forget()  # the configuration read too, as on the first page after an administrator's edit
        assert await _work_page_statements(client, runtime, desk) == WORK_PAGE_STATEMENTS
        assert await _work_page_statements(client, runtime, desk) == WORK_PAGE_STATEMENTS - REMEMBERED

    html = (await client.get(f"/desk/work/{large.item.id}")).text
    newest = 1000 - TIMELINE_LIMIT  # the oldest touchpoint on the first page
    assert "touchpoint 999" in html
    assert f"touchpoint {newest}<" in html
    assert f"touchpoint {newest - 1}<" not in html  # the rest is a link away
    assert html.index("touchpoint 999") < html.index("touchpoint 998")  # newest first
    assert "Show earlier touchpoints" in html
    assert html.count("photo") == TIMELINE_LIMIT // 10  # every attachment shown, loaded in one query
    assert "by Wren" in html  # the staff author of outbound replies


async def test_show_earlier_pages_back_to_the_first_touchpoint(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    total = 2 * TIMELINE_LIMIT + 3
    desk = await _desk(session, touchpoints=total, with_case=False)
    await session.commit()
    await sign_in_staff(client)
    html = (await client.get(f"/desk/citizens/{desk.citizen_id}")).text
    pages = [html]
    while 'class="show-earlier"' in html:
        link = html.split('class="show-earlier"')[0].rsplit('href="', 1)[1].split('"')[0]
        html = (await client.get(link.replace("&amp;", "&"))).text
        pages.append(html)
        assert len(pages) <= 3
    assert len(pages) == 3
    shown = [[i for i in range(total) if f"touchpoint {i}<" in page] for page in pages]
    assert shown == [
        list(range(total - TIMELINE_LIMIT, total)),
        list(range(3, 3 + TIMELINE_LIMIT)),
        [0, 1, 2],
    ]
    assert "Show earlier touchpoints" not in pages[-1]
    assert (await client.get(f"/desk/citizens/{desk.citizen_id}?before=garbage")).status_code == 422


async def test_the_work_page_shows_what_is_known_and_audits_the_read(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    desk = await _desk(session)
    desk.item.context = {**desk.item.context, "menu_path": ["main", "3:voicemail"]}
    session.add(
        WorkTransfer(
            work_item_id=desk.item.id,
            kind=TransferKind.transfer,
            at=datetime(2026, 1, 5, 10, tzinfo=UTC),
            note="needs roads",
        )
    )
    await session.commit()
    await sign_in_staff(client)
    html = (await client.get(f"/desk/work/{desk.item.id}")).text
    assert "Identified by: Phone, verified by a code sent by text message" in html
    assert "Main menu \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} 3: leave a message" in html
    assert "needs roads" in html
    assert 'id="knowledge-suggestions"' in html
    assert "Suggested answers" in html
    assert 'for="reply-body"' in html
    assert "Yes, by a code sent by text message" in html  # the 360 view's identities
    assert desk.case is not None
    assert desk.case.reference in html
    entries = (await session.execute(select(AuditEntry).where(AuditEntry.action == "citizen.read"))).scalars().all()
    assert [e.citizen_id for e in entries] == [desk.citizen_id]
    assert entries[0].detail == {"work_item_id": str(desk.item.id)}


async def _sent(runtime: Runtime) -> list[tuple[str, str]]:
    await runtime.worker.drain()
    return [(e.channel, e.recipient) for e in runtime.recording.sent]


async def test_a_reply_goes_on_the_conversations_channel_by_default_or_on_the_one_chosen(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    desk = await _desk(session, touchpoints=2, with_case=False)
    await session.commit()
    await sign_in_staff(client)
    page = (await client.get(f"/desk/work/{desk.item.id}")).text
    assert '<option value="sms" selected>' in page
    assert '<option value="email"' in page

    sent = await client.post(f"/desk/work/{desk.item.id}/reply", data={"body": "The crew is booked."})
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/desk/work/{desk.item.id}#reply"
    by_email = await client.post(
        f"/desk/work/{desk.item.id}/reply", data={"body": "Details follow.", "channel": "email"}
    )
    assert by_email.status_code == 303
    assert await _sent(runtime) == [("sms", "+16135550002"), ("email", "maria2@example.org")]
    replies = (
        (await session.execute(select(Interaction).where(Interaction.body.contains("Details follow.")))).scalars().all()
    )
    assert [(r.direction, r.staff_id) for r in replies] == [(Direction.outbound, desk.agent.id)]


async def test_a_refused_reply_shows_the_reason_on_the_page_and_sends_nothing(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    desk = await _desk(session, touchpoints=2, with_case=False)
    await session.commit()
    await sign_in_staff(client)
    nowhere = await client.post(f"/desk/work/{desk.item.id}/reply", data={"body": "Hi", "channel": "social"})
    assert nowhere.status_code == 422
    assert "cannot be reached on" in nowhere.text
    assert 'role="alert"' in nowhere.text
    empty = await client.post(f"/desk/work/{desk.item.id}/reply", data={"body": "  "})
    assert empty.status_code == 422
    assert "A reply needs some text." in empty.text
    assert await session.scalar(select(OutboxMessage.id).limit(1)) is None
    assert await _sent(runtime) == []


async def test_a_note_is_internal_on_the_timeline_and_never_sent(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    desk = await _desk(session, touchpoints=2, with_case=False)
    await session.commit()
    await sign_in_staff(client)
    posted = await client.post(f"/desk/work/{desk.item.id}/note", data={"body": "Called the depot, crew Tuesday"})
    assert posted.status_code == 303
    note = (await session.execute(select(Interaction).where(Interaction.kind == InteractionKind.note))).scalar_one()
    assert (note.direction, note.staff_id, note.delivery_status) == (Direction.internal, desk.agent.id, None)
    html = (await client.get(f"/desk/work/{desk.item.id}")).text
    assert "Internal note, not sent" in html
    assert "Called the depot, crew Tuesday" in html
    assert await _sent(runtime) == []
    assert await session.scalar(select(OutboxMessage.id).limit(1)) is None


async def test_the_360_fragment_an_open_page_refreshes_shows_new_contact_and_is_audited(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    desk = await _desk(session, touchpoints=2, with_case=False)
    await session.commit()
    url = f"/desk/citizens/{desk.citizen_id}/_360"
    assert (await client.get(url)).status_code == 401
    await sign_in_staff(client)
    page = (await client.get(f"/desk/work/{desk.item.id}")).text
    # the workspace refreshes the citizen's record (right pane) and their thread (middle pane) apart
    assert f'data-desk-fragment="{url}?pane=context"' in page
    assert f'data-desk-fragment="{url}?pane=thread"' in page
    assert f'data-watch-citizen="{desk.citizen_id}"' in page
    await client.post(f"/desk/work/{desk.item.id}/note", data={"body": "Crew booked for Tuesday"})
    for whole in (await client.get(url), await client.get(url, params={"pane": "thread"})):
        assert whole.status_code == 200
        assert "Crew booked for Tuesday" in whole.text
        assert "<html" not in whole.text  # a fragment, not a page
    context = await client.get(url, params={"pane": "context"})
    assert "Identities" in context.text
    assert "Crew booked for Tuesday" not in context.text  # the thread is the middle pane's
    assert (await client.get(url, params={"pane": "sideways"})).status_code == 422
    refreshes = await session.scalars(
        select(AuditEntry).where(AuditEntry.action == "citizen.read", AuditEntry.citizen_id == desk.citizen_id)
    )
    assert any(entry.detail.get("refresh") for entry in refreshes)


async def test_canned_responses_are_filled_in_and_prefill_the_reply_box_without_javascript(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    desk = await _desk(session)
    session.add_all(
        [
            CannedResponse(
                agency_id=desk.agency.id,
                slug="booked",
                title="Crew booked",
                language="en",
                body="Hello {first_name}, a crew is booked for {case_reference}.",
            ),
            CannedResponse(agency_id=desk.agency.id, slug="booked", title="Équipe", language="fr", body="Bonjour"),
        ]
    )
    await session.commit()
    await sign_in_staff(client)
    assert desk.case is not None
    expected = f"Hello Maria, a crew is booked for {desk.case.reference}."
    html = (await client.get(f"/desk/work/{desk.item.id}")).text
    assert f'data-body="{expected}"' in html
    assert "Équipe" not in html  # only the citizen's language
    prefilled = (await client.get(f"/desk/work/{desk.item.id}", params={"canned": "booked"})).text
    assert f">{expected}</textarea>" in prefilled


async def test_complete_with_a_wrap_up_code(client: httpx.AsyncClient, session: AsyncSession) -> None:
    desk = await _desk(session, with_case=False)
    session.add(WrapUpCode(agency_id=desk.agency.id, code="resolved", label="Resolved on first contact"))
    await session.commit()
    await sign_in_staff(client)
    missing = await client.post(f"/desk/work/{desk.item.id}/complete", data={"outcome": "done"})
    assert missing.status_code == 422
    assert "wrap-up codes" in missing.text
    done = await client.post(
        f"/desk/work/{desk.item.id}/complete", data={"wrap_up_code": "resolved", "outcome": "Crew booked"}
    )
    assert done.status_code == 303
    back = f"/desk/work/{desk.item.id}?done=complete#conversation-title"  # the workspace, the same contact chosen
    assert done.headers["location"] == back
    shown = (await client.get(back.partition("#")[0])).text
    assert "The contact is complete." in shown
    assert "How it ended: Resolved on first contact. Outcome: Crew booked" in shown
    await session.refresh(desk.item)
    assert (desk.item.status, desk.item.wrap_up_code, desk.item.outcome) == (
        WorkItemStatus.done,
        "resolved",
        "Crew booked",
    )


async def test_transfer_to_a_team_keeps_the_context_and_records_the_transfer(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    desk = await _desk(session, with_case=False)
    team = Team(agency_id=desk.agency.id, slug="roads", name="Roads")
    session.add(team)
    await session.commit()
    before = dict(desk.item.context)
    await sign_in_staff(client)
    page = (await client.get(f"/desk/work/{desk.item.id}")).text
    assert f'value="team:{team.id}"' in page
    bad = await client.post(f"/desk/work/{desk.item.id}/transfer", data={"to": "nobody"})
    assert bad.status_code == 422
    assert "Choose an agent, a team or an agency" in bad.text
    moved = await client.post(f"/desk/work/{desk.item.id}/transfer", data={"to": f"team:{team.id}", "note": "roads"})
    assert moved.status_code == 303
    await session.refresh(desk.item)
    assert desk.item.status is WorkItemStatus.queued
    assert desk.item.target_team_id == team.id
    assert {k: desk.item.context[k] for k in before} == before
    moves = await engine.transfers_of(session, item_id=desk.item.id)
    assert [(t.to_team_id, t.note) for t in moves] == [(team.id, "roads")]
    again = await client.post(f"/desk/work/{desk.item.id}/transfer", data={"to": f"team:{team.id}"})
    assert again.status_code == 403  # it is back in the queue, no longer this agent's


async def test_escalate_and_schedule_a_callback(client: httpx.AsyncClient, session: AsyncSession) -> None:
    desk = await _desk(session, with_case=False)
    await session.commit()
    await sign_in_staff(client)
    call = await client.post(
        f"/desk/work/{desk.item.id}/callback",
        data={"at": "2099-03-02T14:30", "phone": "+16135550003", "note": "after lunch"},
    )
    assert call.status_code == 303, call.text
    callback = (await session.execute(select(WorkItem).where(WorkItem.kind == "callback"))).scalar_one()
    assert callback.not_before is not None
    assert callback.not_before.isoformat() == "2099-03-02T19:30:00+00:00"  # 14:30 in Toronto (EST)
    assert callback.context["callback_number"] == "+16135550003"
    wrong_phone = await client.post(
        f"/desk/work/{desk.item.id}/callback", data={"at": "2099-03-02T14:30", "phone": "+16135559999"}
    )
    assert wrong_phone.status_code == 422
    up = await client.post(f"/desk/work/{desk.item.id}/escalate", data={"reason": "Threatening a lawsuit"})
    assert up.status_code == 303
    await session.rollback()  # end the test's read snapshot to see what the request wrote
    await session.refresh(desk.item)
    assert desk.item.target_role == "supervisor"
    (escalation,) = await engine.transfers_of(session, item_id=desk.item.id)
    assert (escalation.kind, escalation.note) == (TransferKind.escalation, "Threatening a lawsuit")


async def test_only_the_holder_acts_other_agencies_get_404_and_visitors_sign_in(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    desk = await _desk(session, with_case=False)
    await create_staff(session, email="kim@city.example", agencies=[desk.agency])
    elsewhere = await create_agency(session, slug="licensing", name="Licensing")
    await create_staff(session, email="lee@city.example", agencies=[elsewhere])
    await session.commit()

    visitor = await client.get(f"/desk/work/{desk.item.id}")
    assert visitor.status_code == 303
    assert visitor.headers["location"] == f"/desk/sign-in?next=/desk/work/{desk.item.id}"

    await sign_in_staff(client, "lee@city.example")
    assert (await client.get(f"/desk/work/{desk.item.id}")).status_code == 404
    assert (await client.post(f"/desk/work/{desk.item.id}/note", data={"body": "x"})).status_code == 404

    client.cookies.clear()
    await sign_in_staff(client, "kim@city.example")
    reading = await client.get(f"/desk/work/{desk.item.id}")
    assert reading.status_code == 200
    assert "only the person handling it can reply" in reading.text
    refused = await client.post(f"/desk/work/{desk.item.id}/reply", data={"body": "Hello"})
    assert refused.status_code == 403
    assert await session.scalar(select(OutboxMessage.id).limit(1)) is None


async def _audit(session: AsyncSession, action: str) -> list[dict[str, Any]]:
    rows = (await session.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars().all()
    return [{"subject": r.subject_id, **r.detail} for r in rows]


async def test_case_status_assign_link_and_merge_through_the_routes(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    desk = await _desk(session)
    colleague = await create_staff(session, email="kim@city.example", agencies=[desk.agency])
    dup = await cases.open_case(session, prefix="TS", agency_id=desk.agency.id, title="Pothole again", channel="sms")
    dup.citizen_id = desk.citizen_id
    await session.commit()
    assert desk.case is not None
    ref, back = desk.case.reference, f"/desk/work/{desk.item.id}"
    await sign_in_staff(client)

    status = await client.post(f"/desk/cases/{ref}/status", data={"status": "in_progress", "next": back})
    assert (status.status_code, status.headers["location"]) == (303, back)
    assigned = await client.post(f"/desk/cases/{ref}/assign", data={"staff_id": str(colleague.id)})
    assert (assigned.status_code, assigned.headers["location"]) == (303, f"/desk/cases/{ref}")
    mine = await client.post(f"/desk/cases/{dup.reference}/assign", data={"staff_id": "me"})
    assert mine.status_code == 303
    merged = await client.post(f"/desk/cases/{dup.reference}/link", data={"other": ref.lower(), "kind": "duplicate"})
    assert merged.status_code == 303
    again = await client.post(f"/desk/cases/{dup.reference}/link", data={"other": ref, "kind": "related"})
    assert again.status_code == 409

    await session.refresh(desk.case)
    await session.refresh(dup)
    assert (desk.case.status, desk.case.assigned_to_id) == (CaseStatus.in_progress, colleague.id)
    assert (dup.merged_into_id, dup.status, dup.assigned_to_id) == (desk.case.id, CaseStatus.closed, desk.agent.id)
    link = (await session.execute(select(CaseLink).where(CaseLink.case_id == dup.id))).scalar_one()
    assert (link.linked_case_id, link.kind) == (desk.case.id, "duplicate")
    notes = (
        await session.execute(
            select(Interaction.case_id, Interaction.body).where(Interaction.kind == InteractionKind.status_change)
        )
    ).all()
    assert (dup.id, f"Merged into {ref} as a duplicate; this case is closed") in notes
    assert (desk.case.id, f"{dup.reference} was merged into this case as a duplicate") in notes
    assert await _audit(session, "case.status") == [{"subject": str(desk.case.id), "from": "new", "to": "in_progress"}]
    assert [a["subject"] for a in await _audit(session, "case.assign")] == [str(desk.case.id), str(dup.id)]
    assert sorted(a["subject"] for a in await _audit(session, "case.merge")) == sorted([str(dup.id), str(desk.case.id)])

    page = (await client.get(f"/desk/cases/{ref}")).text
    assert "Duplicate merged here:" in page
    assert "Kim" in page  # the assignee
    work = (await client.get(back)).text
    assert "related to" in work  # the first case's related link, in the 360 view


async def test_the_work_page_in_chromium_keyboard_first_with_no_axe_violations(
    browser: Browser, live_app: LiveApp
) -> None:
    async def seed() -> Desk:
        async with live_app.runtime.db.session() as s:
            desk = await _desk(s, touchpoints=12)
            s.add(CannedResponse(agency_id=desk.agency.id, slug="hi", title="Greeting", body="Hello {first_name}. "))
            s.add(WrapUpCode(agency_id=desk.agency.id, code="resolved", label="Resolved"))
            await s.commit()
            return desk

    desk = await live_app.call(seed)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{live_app.url}/desk/sign-in")
    await page.fill("#email", "wren@city.example")
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk")
    await page.goto(f"{live_app.url}/desk/work/{desk.item.id}")
    assert await axe_violations(page) == []

    await page.keyboard.press("Alt+r")
    assert await page.evaluate("document.activeElement.id") == "reply-body"
    await page.keyboard.type("Thanks. ")
    await page.click("text=Insert")
    assert await page.input_value("#reply-body") == "Thanks. Hello Maria. "
    assert page.url.endswith(f"/desk/work/{desk.item.id}")  # inserted in place, no page load
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")  # the focused "Send reply" button
    await page.wait_for_url(f"{live_app.url}/desk/work/{desk.item.id}#reply")
    assert "Thanks. Hello Maria." in await page.inner_text(".timeline")
    assert await axe_violations(page) == []

    phone = await browser.new_page(viewport={"width": 320, "height": 640})
    await share_cookies(page.context, phone.context)
    await phone.goto(f"{live_app.url}/desk/work/{desk.item.id}")
    assert await axe_violations(phone) == []
    overflow = await phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the work page scrolls sideways on a 320px phone"
