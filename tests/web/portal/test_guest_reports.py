"""Reporting and following without an account: a phone or an email proved by a code before anything is sent; a
contact someone already proved sends the report in their name but never opens their account; followers and
"me too" are counted and hear the city's public updates."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_citizen, create_staff
from tests.support.messages import body_of, code_in, last_sent_to
from tests.web.portal.test_map import ELM, _case, _form, _world
from townsquare.cases import followers, links
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus
from townsquare.casework import cases as casework
from townsquare.citizens.models import Citizen, CitizenSession, CitizenStatus, Identity
from townsquare.content.notification_templates import import_notification_templates
from townsquare.demo.city import NOTIFICATIONS_DIR
from townsquare.settings import Settings
from townsquare.staff.auth import Principal
from townsquare.staff.models import AuditEntry, StaffRole

PHONE, RAW_PHONE = "+16135550177", "613 555 0177"


async def _report_as_guest(client: httpx.AsyncClient) -> str:
    """Start a pothole report signed out and answer its pages; the draft's id (the check page is next)."""
    start = await client.get("/services/POTHOLE/apply")
    assert start.status_code == 200
    assert "You do not need an account" in start.text
    assert 'action="/services/POTHOLE/report"' in start.text
    begun = await client.post("/services/POTHOLE/report")
    assert begun.status_code == 303
    assert begun.headers["location"] == "/services/POTHOLE/apply"
    first = await client.get("/services/POTHOLE/apply")
    draft_id = first.headers["location"].split("/")[2]
    where = await client.get(f"/applications/{draft_id}/pages/1")
    await client.post(f"/applications/{draft_id}/pages/1", data={**_form(where), "f._address": ELM["address"]})
    details = await client.get(f"/applications/{draft_id}/pages/2")
    await client.post(
        f"/applications/{draft_id}/pages/2", data={**_form(details), "f._details": "Deep, by the bus stop"}
    )
    assert (await client.get(f"/applications/{draft_id}/check")).status_code == 200
    return draft_id


async def _prove(client: httpx.AsyncClient, session: AsyncSession, purpose: str, **contact: str) -> httpx.Response:
    asked = await client.post("/contact", data={"for": purpose, **contact})
    assert asked.status_code == 303, asked.text
    assert asked.headers["location"] == f"/contact/code?for={purpose}"
    recipient = PHONE if contact["how"] == "phone" else contact["email"]
    code = code_in(body_of(await last_sent_to(session, recipient)))
    page = await client.get(asked.headers["location"])
    assert "We texted a 6-digit code" in page.text or "We emailed a 6-digit code" in page.text
    wrong = "000000" if code != "000000" else "111111"
    refused = await client.post("/contact/code", data={"for": purpose, "code": wrong})
    assert refused.status_code == 422
    assert "That code is not right" in refused.text
    return await client.post("/contact/code", data={"for": purpose, "code": code})


async def test_a_report_is_sent_without_an_account_once_a_texted_code_proves_the_phone(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _world(session)
    draft_id = await _report_as_guest(client)
    account = await client.get("/account")  # a guest's own page: the unfinished report, no contact yet
    assert account.status_code == 200
    assert f"/applications/{draft_id}" in account.text or "/services/POTHOLE/apply" in account.text
    sent = await client.post(f"/applications/{draft_id}/submit")
    assert sent.headers["location"] == f"/contact?for=draft:{draft_id}"  # nothing is sent before a contact
    await session.rollback()
    assert (await session.execute(select(Case))).first() is None
    form = await client.get(sent.headers["location"])
    assert "How should we tell you about your report?" in form.text
    missing = await client.post("/contact", data={"for": f"draft:{draft_id}"})
    assert missing.status_code == 422
    assert "Choose how we should contact you" in missing.text
    bad = await client.post("/contact", data={"for": f"draft:{draft_id}", "how": "phone", "phone": "12"})
    assert bad.status_code == 422
    assert "Enter a phone number" in bad.text
    done = await _prove(client, session, f"draft:{draft_id}", how="phone", phone=RAW_PHONE)
    assert done.status_code == 303
    assert done.headers["location"] == f"/applications/{draft_id}/done"
    confirmed = await client.get(done.headers["location"])
    assert "TS-" in confirmed.text
    await session.rollback()
    case = (await session.execute(select(Case))).scalar_one()
    assert case.address_string == ELM["address"]
    phone = (await session.execute(select(Identity).where(Identity.value == PHONE))).scalar_one()
    assert phone.verified
    assert phone.citizen_id == case.citizen_id
    page = await client.get(f"/reports/{case.reference}")
    assert "You reported this problem" in page.text
    assert "1 person reported this problem." in page.text
    # The same browser can find its report again on the account page, like anyone signed in.
    assert case.reference in (await client.get("/account/cases")).text


async def test_a_contact_someone_already_proved_sends_the_report_in_their_name_but_never_signs_in_as_them(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _world(session)
    holder = await create_citizen(session, name="Ana Holder", phone=PHONE, phone_verified=True)
    holder.status = CitizenStatus.confirmed
    holder_id = holder.id
    await session.commit()
    draft_id = await _report_as_guest(client)
    guest_cookie = client.cookies.get("ts_citizen")
    await client.post(f"/applications/{draft_id}/submit")
    done = await _prove(client, session, f"draft:{draft_id}", how="phone", phone=RAW_PHONE)
    found = re.fullmatch(r"/reports/(TS-\d{4}-\d+)\?sent=1", done.headers["location"])
    assert found is not None, done.headers["location"]
    page = await client.get(done.headers["location"])
    assert "Report sent" in page.text
    assert found.group(1) in page.text
    await session.rollback()
    case = await cases.require(session, reference=found.group(1))
    assert case.citizen_id == holder_id
    guests = (await session.execute(select(Citizen).where(Citizen.merged_into_id == holder_id))).scalars().all()
    assert [g.status for g in guests] == [CitizenStatus.merged]
    live = select(CitizenSession).where(CitizenSession.citizen_id == guests[0].id, CitizenSession.revoked_at.is_(None))
    assert (await session.execute(live)).first() is None
    client.cookies.set("ts_citizen", guest_cookie or "")  # the old guest cookie opens nothing of the holder's
    account = await client.get("/account")
    assert account.status_code == 303
    assert account.headers["location"].startswith("/account/sign-in")


async def test_only_reports_start_without_an_account_and_a_purpose_must_be_one_we_know(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _world(session)
    licence = await client.get("/services/LICENCE/apply")
    assert licence.status_code == 303
    assert licence.headers["location"].startswith("/account/sign-in")
    assert (await client.post("/services/LICENCE/report")).status_code == 404
    assert (await client.get("/contact", params={"for": "anything"})).status_code == 404
    assert (await client.get("/contact", params={"for": "draft:abc"})).status_code == 404  # signed out: no draft
    assert (await client.get("/contact", params={"for": "follow:TS-1999-000001"})).status_code == 404  # no such report
    nothing = await client.post("/contact", data={"for": "metoo:TS-1999-000001", "how": "phone", "phone": RAW_PHONE})
    assert nothing.status_code == 404  # refused before any code is sent
    unknown = await client.post("/reports/TS-1999-000001/follow")
    assert unknown.status_code == 404


async def test_anyone_can_say_me_too_or_follow_and_followers_hear_the_public_updates(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    agency, pothole, _ = await _world(session)
    await import_notification_templates(session, NOTIFICATIONS_DIR)
    case = await _case(session, agency, pothole, address=ELM["address"], point=(43.651, -79.38))
    reference = case.reference
    await session.commit()
    page = await client.get(f"/reports/{reference}")
    assert "1 person reported this problem." in page.text
    assert "I have this problem too" in page.text
    asked = await client.post(f"/reports/{reference}/me-too")
    assert asked.headers["location"] == f"/contact?for=metoo:{reference}"
    followed = await _prove(client, session, f"metoo:{reference}", how="email", email="neighbour@example.org")
    assert followed.headers["location"] == f"/reports/{reference}?followed=1"
    page = await client.get(followed.headers["location"])
    assert "2 people reported this problem." in page.text
    assert "Stop following" in page.text
    assert "You have this problem too" in page.text
    mine = await client.get("/account/cases")
    assert "Reports you follow" in mine.text
    assert f'href="/reports/{reference}"' in mine.text
    assert "you have this problem too" in mine.text
    await session.rollback()
    audited = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert "citizen.report_followed" in audited
    assert "citizen.guest_started" in audited

    admin = await create_staff(session, role=StaffRole.admin)
    me = Principal("staff", admin.id, "Admin", StaffRole.admin, None)
    case = await cases.require(session, reference=reference)
    await casework.change_status(
        session, settings=settings, actor=me, case=case, status=CaseStatus.in_progress, note="A crew is booked."
    )
    await session.commit()
    told = await last_sent_to(session, "neighbour@example.org")
    assert "The report you follow" in body_of(told)
    assert "A crew is booked." in body_of(told)
    assert f"/reports/{reference}" in body_of(told)
    assert "secret details" not in body_of(told)  # the reporter's words
    assert "A crew is booked." in (await client.get(f"/reports/{reference}")).text

    stopped = await client.post(f"/reports/{reference}/unfollow")
    assert stopped.status_code == 303
    assert "1 person reported this problem." in (await client.get(f"/reports/{reference}")).text


async def test_a_duplicate_merged_into_a_report_counts_as_its_reporters_me_too(session: AsyncSession) -> None:
    agency, pothole, _ = await _world(session)
    opened = [await _case(session, agency, pothole, address=ELM["address"], point=None) for _ in range(2)]
    await links.merge(session, duplicate=opened[1], into=opened[0])
    assert await followers.reported_by(session, case_id=opened[0].id) == 2
    assert await followers.followers(session, case=opened[0]) == [opened[1].citizen_id]


async def test_just_after_where_it_is_open_reports_close_by_are_offered_with_their_pages(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    agency, pothole, _ = await _world(session)
    near = await _case(session, agency, pothole, address="14 Elm Street", point=(43.6511, -79.38))
    far = await _case(session, agency, pothole, address="40 Oak Avenue", point=(43.66, -79.39))
    references = near.reference, far.reference
    await session.commit()
    await client.post("/services/POTHOLE/report")
    draft_id = (await client.get("/services/POTHOLE/apply")).headers["location"].split("/")[2]
    where = await client.get(f"/applications/{draft_id}/pages/1")
    assert "Already reported nearby?" not in where.text
    await client.post(f"/applications/{draft_id}/pages/1", data={**_form(where), "f._address": ELM["address"]})
    after = await client.get(f"/applications/{draft_id}/pages/2")
    assert "Already reported nearby?" in after.text
    assert f'href="/reports/{references[0]}"' in after.text
    assert "11 metres away" in after.text
    assert references[1] not in after.text  # a kilometre away: another pothole
