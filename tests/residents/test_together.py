"""The resident's use cases of filling in a form together, without HTTP: what a link's page knows, opening it, her
agreement (audited only when it changes), who filled what, and sending a form that holds another agency's values."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_agent, create_citizen, create_service
from townsquare.app import Runtime
from townsquare.drafts import links
from townsquare.drafts import service as drafts
from townsquare.drafts.links import LinkPurpose, Opened, Refused
from townsquare.errors import Problem
from townsquare.residents import together
from townsquare.staff.models import AuditEntry


async def _opened(session: AsyncSession) -> tuple[together.Holding, str]:
    agency = await create_agency(session)
    service = await create_service(session, agency=agency, code="PERMIT", name="Residential parking permit")
    citizen = await create_citizen(session, name="Maria Lopez")
    agent = await create_agent(session, email="wren@city.example", agencies=[agency])
    draft = await drafts.start_or_resume(session, citizen_id=citizen.id, service_id=service.id)
    _link, token = await links.create(
        session, draft=draft, staff_id=agent.id, work_item_id=None, channel="sms", purpose=LinkPurpose.form, minutes=9
    )
    invited = await together.invitation(session, token=token, browser_session=None)
    assert invited.refused is None
    assert (invited.agent, invited.service and invited.service.code) == ("Wren", "PERMIT")
    opened = await together.open_link(session, token=token, browser_session=None, session_minutes=60)
    assert isinstance(opened, Opened)
    assert opened.session_token is not None
    held = await together.holding(session, draft_id=draft.id, browser_session=opened.session_token)
    assert isinstance(held, together.Holding)
    return held, token


async def test_her_agreement_is_audited_when_it_changes_and_staff_entries_are_named(session: AsyncSession) -> None:
    held, token = await _opened(session)
    assert (await together.invitation(session, token=token, browser_session=None)).refused is Refused.used
    await together.agree(session, held=held, allow=True)
    await together.agree(session, held=held, allow=True)  # the same answer again: nothing new to audit
    again = await together.holding(session, draft_id=held.draft.id, browser_session=None)
    assert again is Refused.no_session
    actions = (await session.execute(select(AuditEntry.action).order_by(AuditEntry.occurred_at))).scalars().all()
    assert [a for a in actions if a.startswith("draft.")] == [together.OPENED, together.ALLOWED]
    await drafts.save(
        session,
        draft_id=held.draft.id,
        citizen_id=held.draft.citizen_id,
        base_version=0,
        changes={"colour": "red"},
        author=drafts.staff_author(held.link.staff_id),
    )
    assert await together.filled_by(session, draft=held.draft) == {"colour": "Wren"}


async def test_a_form_holding_another_agencys_changed_value_is_not_sent_from_a_link(
    session: AsyncSession, runtime: Runtime
) -> None:
    held, _token = await _opened(session)
    held.draft.answers = {"colour": "typed over"}
    held.draft.prefill = {"colour": {"source": "licensing.colour", "verified": True, "hash": "not its hash"}}
    await session.flush()
    with pytest.raises(Problem) as refused:
        await together.send(session, runtime.pipeline, held=held, language="en", secret="s" * 32, prefill_hours=24.0)
    assert refused.value.status == 422
    assert held.draft.submitted_at is None
