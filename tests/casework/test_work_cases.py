"""Joining the work in front of an agent to one of the citizen's existing cases, from the workspace: the work and
its conversation join the case, the audit log says who joined them; another person's case, another agency's, an
unknown or merged one are refused with a reason and change nothing."""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_agent, create_citizen, desk_citizen_with_history, desk_work_item
from tests.support.staff import sign_in_staff
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.interactions.models import Conversation, Interaction
from townsquare.routing.models import WorkItem
from townsquare.staff.models import AuditEntry


@dataclass
class Linking:
    item_id: uuid.UUID
    citizen_id: uuid.UUID
    conversation_id: uuid.UUID
    theirs: str  # a case of the citizen, in the agent's agency
    someone_elses: str  # a case of another person, in the agent's agency
    elsewhere: str  # a case of the citizen, in an agency the agent does not work for
    merged: str  # a case of the citizen merged into `theirs`


async def _linking(session: AsyncSession) -> Linking:
    works = await create_agency(session)
    parks = await create_agency(session, slug="parks", name="Parks")
    agent = await create_agent(session, email="wren@city.example", agencies=[works])
    await create_agent(session, email="kim@city.example", agencies=[works])
    citizen, conversation = await desk_citizen_with_history(session, touchpoints=3, staff_id=agent.id)
    other = await create_citizen(session, name="Omar Other", email="omar@example.org")

    async def case(title: str, agency_id: uuid.UUID, citizen_id: uuid.UUID) -> Case:
        return await cases.open_case(
            session, prefix="TS", agency_id=agency_id, title=title, channel="web", citizen_id=citizen_id
        )

    theirs = await case("Pothole on Elm", works.id, citizen.id)
    someone_elses = await case("Omar's pothole", works.id, other.id)
    elsewhere = await case("Park bench", parks.id, citizen.id)
    merged = await case("Pothole again", works.id, citizen.id)
    merged.merged_into_id = theirs.id
    item = await desk_work_item(session, agency=works, citizen=citizen, conversation_id=conversation.id, holder=agent)
    await session.commit()
    return Linking(
        item.id,
        citizen.id,
        conversation.id,
        theirs.reference,
        someone_elses.reference,
        elsewhere.reference,
        merged.reference,
    )


async def _audit(session: AsyncSession) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.action == "work_item.link_case")
    return list((await session.execute(stmt)).scalars())


async def test_the_panel_offers_the_citizens_own_cases_only(client: httpx.AsyncClient, session: AsyncSession) -> None:
    linking = await _linking(session)
    await sign_in_staff(client)
    page = (await client.get(f"/desk/work/{linking.item_id}")).text
    panel = page.split('id="link-case"', 1)[1].split("</section>", 1)[0]
    assert f'<option value="{linking.theirs}">' in panel
    assert linking.someone_elses not in panel  # another person's
    assert linking.elsewhere not in panel  # an agency the agent does not work for
    assert linking.merged not in panel  # merged away
    assert f'action="/desk/work/{linking.item_id}/link-case"' in panel


async def test_linking_joins_the_work_and_its_conversation_to_the_case_and_is_audited(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    linking = await _linking(session)
    await sign_in_staff(client)
    linked = await client.post(
        f"/desk/work/{linking.item_id}/link-case",
        data={"reference": linking.theirs.lower(), "contacts": "state=assigned"},
    )
    assert (linked.status_code, linked.headers["location"]) == (
        303,
        f"/desk/work/{linking.item_id}?state=assigned#item-title",  # the workspace, same contact, same filters
    )
    session.expire_all()
    case = (await session.execute(select(Case).where(Case.reference == linking.theirs))).scalar_one()
    item = await session.get_one(WorkItem, linking.item_id)
    assert (item.case_id, item.context["case_reference"]) == (case.id, case.reference)
    conversation = await session.get_one(Conversation, linking.conversation_id)
    assert conversation.case_id == case.id
    bodies = select(Interaction.case_id).where(Interaction.conversation_id == linking.conversation_id)
    assert set((await session.execute(bodies)).scalars()) == {case.id}  # what they already sent is on the case
    (entry,) = await _audit(session)
    assert (entry.subject_kind, entry.subject_id, entry.citizen_id) == ("work_item", str(item.id), linking.citizen_id)
    assert entry.detail == {"case_id": str(case.id), "reference": case.reference}
    page = (await client.get(f"/desk/work/{linking.item_id}")).text
    assert f'Case: <a href="/desk/cases/{case.reference}">{case.reference}</a>' in page
    assert 'id="link-case"' not in page
    again = await client.post(f"/desk/work/{linking.item_id}/link-case", data={"reference": linking.theirs})
    assert again.status_code == 422
    assert "This work has a case already." in again.text


async def test_another_persons_another_agencys_unknown_or_merged_case_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    linking = await _linking(session)
    await sign_in_staff(client)
    refusals = {
        linking.someone_elses: f"Case {linking.someone_elses} is not this person's",
        linking.elsewhere: f"None of the cases your agencies may see has the reference {linking.elsewhere}.",
        "TS-2099-999999": "None of the cases your agencies may see has the reference TS-2099-999999.",
        linking.merged: f"Case {linking.merged} was merged into another case as a duplicate",
        "": "Choose the case this contact is about.",
    }
    for reference, reason in refusals.items():
        refused = await client.post(f"/desk/work/{linking.item_id}/link-case", data={"reference": reference})
        assert refused.status_code == 422, reference
        assert reason in html.unescape(refused.text)
        assert 'role="alert"' in refused.text
        assert '<details class="action-panel" name="work-action" id="panel-case" open>' in refused.text
    session.expire_all()
    item = await session.get_one(WorkItem, linking.item_id)
    assert (item.case_id, item.context.get("case_reference")) == (None, None)
    conversation = await session.get_one(Conversation, linking.conversation_id)
    assert conversation.case_id is None
    assert await _audit(session) == []


async def test_only_the_holder_links(client: httpx.AsyncClient, session: AsyncSession) -> None:
    linking = await _linking(session)
    await sign_in_staff(client, "kim@city.example")
    refused = await client.post(f"/desk/work/{linking.item_id}/link-case", data={"reference": linking.theirs})
    assert refused.status_code == 403
    assert 'id="link-case"' not in (await client.get(f"/desk/work/{linking.item_id}")).text
    assert await _audit(session) == []
