"""Everything held about one resident, in one document: nothing secret, nothing staff-only, nobody else's."""

from __future__ import annotations

import json
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_service
from townsquare.cases.models import Case
from townsquare.citizens import sessions, verification
from townsquare.citizens.models import Citizen, CitizenSearch, CitizenTotp, IdentityKind
from townsquare.clock import utcnow
from townsquare.drafts.models import Draft
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Attachment, Channel, Direction, InteractionKind
from townsquare.residents import data_export

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


async def _person(session: AsyncSession, *, name: str, email: str, phone: str, tag: str) -> Citizen:
    """A citizen with a case, a conversation on two channels, a staff note, a draft, a search and a session."""
    citizen = await create_citizen(session, name=name, email=email, phone=phone, phone_verified=True)
    agency = await create_agency(session, slug=f"works-{tag}", name=f"Works {tag}")
    service = await create_service(session, agency=agency, code=f"POTHOLE-{tag}", name=f"Report a pothole {tag}")
    case = Case(
        reference=f"TS-2026-{tag}",
        title=f"Pothole {tag}",
        agency_id=agency.id,
        service_id=service.id,
        citizen_id=citizen.id,
        opened_channel="web",
        attributes={"depth": f"deep-{tag}"},
    )
    session.add(case)
    await session.flush()
    conversation = await interactions.start_conversation(
        session, citizen_id=citizen.id, channel=Channel.sms, case_id=case.id
    )
    for channel, direction, kind, body in (
        (Channel.sms, Direction.inbound, InteractionKind.message, f"There is a hole {tag}"),
        (Channel.email, Direction.outbound, InteractionKind.message, f"We are on it {tag}"),
        (Channel.web, Direction.internal, InteractionKind.status_change, f"Status changed {tag}"),
        (Channel.web, Direction.internal, InteractionKind.note, f"STAFF ONLY {tag}"),
    ):
        await interactions.record(
            session,
            conversation=conversation,
            channel=channel,
            direction=direction,
            kind=kind,
            body=body,
            payload={"from": "new", "to": "open"} if kind is InteractionKind.status_change else {},
            attachments=[
                Attachment(filename=f"photo-{tag}.jpg", content_type="image/jpeg", size_bytes=3, sha256="ab" * 32)
            ]
            if channel is Channel.sms
            else (),
        )
    session.add(Draft(citizen_id=citizen.id, service_id=service.id, answers={"where": f"Elm {tag}"}))
    session.add(CitizenSearch(citizen_id=citizen.id, query=f"bins {tag}"))
    await sessions.start(session, citizen_id=citizen.id, method="email_link", hours=1, device=f"Firefox {tag}")
    await verification.issue(
        session, citizen_id=citizen.id, kind=IdentityKind.phone, value=phone, secret_key="k" * 32, valid_minutes=5
    )
    await session.flush()
    return citizen


async def test_the_export_holds_the_whole_record_and_nothing_secret_or_staff_only(session: AsyncSession) -> None:
    maria = await _person(session, name="Maria Lopez", email="maria@example.org", phone="+16135550142", tag="111")
    sam = await _person(session, name="Sam Other", email="sam@example.org", phone="+16135550177", tag="222")
    session.add(CitizenTotp(citizen_id=maria.id, secret=SECRET, confirmed_at=utcnow()))
    await session.flush()

    data = await data_export.export(session, citizen_id=maria.id)
    text = json.dumps(data)  # JSON-safe as it is

    assert data["profile"]["display_name"] == "Maria Lopez"
    assert {(i["kind"], i["value"], i["verified"]) for i in data["identities"]} == {
        ("email", "maria@example.org", False),
        ("phone", "+16135550142", True),
    }
    assert data["preferences"] == {"language": "en", "preferred_channels": [], "quiet_hours": None}
    [case] = data["cases"]
    assert (case["reference"], case["attributes"], case["service"]["code"]) == (
        "TS-2026-111",
        {"depth": "deep-111"},
        "POTHOLE-111",
    )
    assert [h["change"] for h in case["status_history"]] == [{"from": "new", "to": "open"}]
    bodies = [i["body"] for i in data["interactions"]]
    assert bodies == ["There is a hole 111", "We are on it 111", "Status changed 111"]
    assert {i["channel"] for i in data["interactions"]} == {"sms", "email", "web"}
    assert data["interactions"][0]["attachments"][0]["filename"] == "photo-111.jpg"
    assert data["interactions"][0]["case_reference"] == "TS-2026-111"
    assert len(data["conversations"]) == 1
    assert data["drafts"][0]["answers"] == {"where": "Elm 111"}
    assert [s["query"] for s in data["recent_searches"]] == ["bins 111"]
    assert [s["device"] for s in data["sessions"]] == ["Firefox 111"]
    assert data["security"] == {"authenticator_app_enabled": True}
    assert [c["value"] for c in data["verification_codes"]] == ["+16135550142"]

    assert "STAFF ONLY" not in text
    assert SECRET not in text
    assert "code_hash" not in text
    assert "token_hash" not in text
    theirs_all = ("Sam Other", "sam@example.org", "+16135550177", "hole 222", "Elm 222", "bins 222", "Firefox 222")
    for theirs in (*theirs_all, "TS-2026-222", str(sam.id)):
        assert theirs not in text


async def test_a_citizen_with_nothing_yet_exports_empty_lists(session: AsyncSession) -> None:
    citizen = await create_citizen(session, name="New Person")
    data = await data_export.export(session, citizen_id=citizen.id)
    assert data["identities"] == data["cases"] == data["interactions"] == data["drafts"] == []
    assert data["security"] == {"authenticator_app_enabled": False}
    assert uuid.UUID(data["profile"]["id"]) == citizen.id
