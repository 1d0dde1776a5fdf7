"""Links to fill in one draft together: a hashed, single-use, short-lived token bound to one draft, the session
it becomes on the device that opens it, the person's agreement, the end; and who changed each field, audited once
the draft is shared."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_agent, create_citizen, create_service, desk_work_item
from townsquare.citizens.models import Citizen
from townsquare.clock import utcnow
from townsquare.drafts import links
from townsquare.drafts import service as drafts
from townsquare.drafts.links import DraftLink, LinkPurpose, Opened, Refused
from townsquare.drafts.models import Draft
from townsquare.staff.models import AuditEntry


async def _draft(session: AsyncSession) -> tuple[Draft, uuid.UUID]:
    agency = await create_agency(session)
    service = await create_service(session, agency=agency, code="PERMIT")
    citizen = await create_citizen(session)
    agent = await create_agent(session, agencies=[agency])
    return await drafts.start_or_resume(session, citizen_id=citizen.id, service_id=service.id), agent.id


async def _link(session: AsyncSession, draft: Draft, staff_id: uuid.UUID, minutes: int = 30) -> tuple[DraftLink, str]:
    return await links.create(
        session,
        draft=draft,
        staff_id=staff_id,
        work_item_id=None,
        channel="sms",
        purpose=LinkPurpose.form,
        minutes=minutes,
    )


async def test_a_link_keeps_only_a_hash_opens_once_and_becomes_a_session_of_that_device(session: AsyncSession) -> None:
    draft, staff_id = await _draft(session)
    link, token = await _link(session, draft, staff_id)
    assert len(token) >= 24
    assert token not in (link.token_hash, link.session_hash)
    assert draft.shared_at is not None  # from now on its changes are attributed and audited

    opened = await links.open_link(session, token=token, session_minutes=120, browser_session=None)
    assert isinstance(opened, Opened)
    assert opened.session_token is not None
    assert link.session_hash is not None
    assert opened.session_token not in link.session_hash

    again = await links.open_link(session, token=token, session_minutes=120, browser_session=None)
    assert again is Refused.used  # another device
    same = await links.open_link(session, token=token, session_minutes=120, browser_session=opened.session_token)
    assert isinstance(same, Opened)
    assert same.session_token is None  # the same device keeps its session

    held = await links.holding(session, draft_id=draft.id, browser_session=opened.session_token)
    assert not isinstance(held, Refused)
    assert held[1].id == draft.id


async def test_a_link_is_refused_when_expired_unknown_ended_or_for_another_draft(session: AsyncSession) -> None:
    draft, staff_id = await _draft(session)
    stale, stale_token = await _link(session, draft, staff_id)
    stale.expires_at = utcnow() - timedelta(seconds=1)
    opened = await links.open_link(session, token=stale_token, session_minutes=120, browser_session=None)
    assert opened is Refused.expired
    assert await links.open_link(session, token="not-a-token", session_minutes=120, browser_session=None) is (
        Refused.unknown
    )

    link, token = await _link(session, draft, staff_id)
    live = await links.open_link(session, token=token, session_minutes=120, browser_session=None)
    assert isinstance(live, Opened)
    assert live.session_token is not None
    other = await create_service(session, agency=await create_agency(session, slug="parks"), code="OTHER")
    another = await drafts.start_or_resume(session, citizen_id=draft.citizen_id, service_id=other.id)
    wrong = await links.holding(session, draft_id=another.id, browser_session=live.session_token)
    assert wrong is Refused.other_draft
    assert await links.holding(session, draft_id=draft.id, browser_session=None) is Refused.no_session

    link.session_expires_at = utcnow() - timedelta(seconds=1)
    assert await links.holding(session, draft_id=draft.id, browser_session=live.session_token) is Refused.expired
    link.session_expires_at = utcnow() + timedelta(minutes=5)
    await links.end(session, link=link)
    assert await links.holding(session, draft_id=draft.id, browser_session=live.session_token) is Refused.ended


async def test_a_new_link_for_the_same_work_ends_the_last_one(session: AsyncSession) -> None:
    draft, staff_id = await _draft(session)
    citizen = await session.get_one(Citizen, draft.citizen_id)
    agency = await create_agency(session, slug="roads")
    item = await desk_work_item(session, agency=agency, citizen=citizen, conversation_id=None, holder=None)
    first, _ = await links.create(
        session,
        draft=draft,
        staff_id=staff_id,
        work_item_id=item.id,
        channel="sms",
        purpose=LinkPurpose.form,
        minutes=5,
    )
    second, _ = await links.create(
        session,
        draft=draft,
        staff_id=staff_id,
        work_item_id=item.id,
        channel="email",
        purpose=LinkPurpose.upload,
        minutes=5,
    )
    assert (first.ended_at is not None, first.ended_reason) == (True, "replaced")
    assert await links.live_for_item(session, work_item_id=item.id) is second


async def test_the_agreement_is_hers_to_give_and_to_stop(session: AsyncSession) -> None:
    draft, staff_id = await _draft(session)
    link, _ = await _link(session, draft, staff_id)
    assert await links.agree(session, link=link, allow=True)
    assert link.allowed_at is not None
    assert not await links.agree(session, link=link, allow=True)  # nothing changed
    assert await links.agree(session, link=link, allow=False)
    assert link.allowed_at is None
    assert link.agreement_at is not None


async def test_each_field_remembers_who_changed_it_and_a_shared_drafts_changes_are_audited(
    session: AsyncSession,
) -> None:
    draft, staff_id = await _draft(session)
    await drafts.save(session, draft_id=draft.id, citizen_id=draft.citizen_id, base_version=0, changes={"plate": "A"})
    audited = select(AuditEntry).where(AuditEntry.action == drafts.CHANGED)
    assert (await session.execute(audited)).scalars().all() == []  # not shared: her own draft, nothing to audit

    await _link(session, draft, staff_id)
    await drafts.save(
        session,
        draft_id=draft.id,
        citizen_id=draft.citizen_id,
        base_version=1,
        changes={"colour": "red"},
        author=drafts.staff_author(staff_id),
    )
    await drafts.save(session, draft_id=draft.id, citizen_id=draft.citizen_id, base_version=2, changes={"plate": "B"})
    assert draft.field_authors == {"plate": "citizen", "colour": f"staff:{staff_id}"}
    rows = (await session.execute(audited.order_by(AuditEntry.occurred_at))).scalars().all()
    assert [(r.actor_kind, r.actor_id, r.detail["field"]) for r in rows] == [
        ("staff", str(staff_id), "colour"),
        ("citizen", str(draft.citizen_id), "plate"),
    ]
    assert all(r.subject_id == str(draft.id) and r.citizen_id == draft.citizen_id for r in rows)
    assert "red" not in str([r.detail for r in rows])  # which field, never the value
    assert drafts.entered_by(draft, ["plate", "colour", "other"]) == {
        "plate": "citizen",
        "colour": f"staff:{staff_id}",
        "other": "citizen",
    }
    assert drafts.entered_by(draft, ["plate"]) == {}  # all hers: nothing to say
