"""The desk's call panel: where an accepted call stands, the softphone's access token, and the agent's call
actions (hold, resume, transfer, hang up), plus the phone an agent chooses to take calls on and a call's
recording read by staff of its agency.

Acts only for the staff member holding the work (the routes' rule says so too). The read is a few queries and
commits nothing; the actions never commit; reading a recording writes its audit row and commits first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Agency
from townsquare.casework import desk, work, work_actions
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen
from townsquare.clock import utcnow
from townsquare.engagement import connecting
from townsquare.engagement.access import Seen, audit_reads
from townsquare.errors import FieldError, Problem, conflict, invalid, not_found
from townsquare.interactions.models import Attachment, Interaction
from townsquare.routing import agents, engine
from townsquare.routing.models import LiveCallState, Team, WorkItem
from townsquare.settings import Settings
from townsquare.staff.auth import Principal

TOKEN_SECONDS = 3600
DEMO_KEY_SID = "SK" + "0" * 32  # the demo's stand-in API key (the simulator checks tokens with its secret)


@dataclass(frozen=True)
class CallPanel:
    """A voice work item's call as the desk shows it."""

    item_id: uuid.UUID
    state: str  # waiting (nobody accepted), connecting, connected, on_hold, transferring, ended
    holds: bool  # the viewer is the agent on this call
    leg: str  # softphone or phone
    device: str  # twilio or demo: which softphone the browser runs
    agent: str | None
    caller: str | None
    recording: bool
    started_at: datetime | None
    connected_at: datetime | None
    ended_at: datetime | None
    phone: str | None  # the viewer's own phone for calls, if they chose one
    agents: list[desk.StaffChoice]
    teams: list[Team]
    other_agencies: list[Agency]

    @property
    def live(self) -> bool:
        return self.state in ("connecting", "connected", "on_hold")

    @property
    def seconds(self) -> int:
        """How long the agent and the caller have been (or were) connected."""
        if self.connected_at is None:
            return 0
        return max(0, int(((self.ended_at or utcnow()) - self.connected_at).total_seconds()))


async def panel(session: AsyncSession, *, me: Principal, item: WorkItem, settings: Settings) -> CallPanel | None:
    """The call panel of a work item; None for work that is not a live call (a scheduled call-back, a text)."""
    if item.channel != "voice" or item.kind != "call" or not (item.context or {}).get("call_sid"):
        return None
    live = await connecting.live_call(session, item_id=item.id)
    holds = work.holds(me, item) and live is not None and live.staff_id == me.id
    state = "waiting"
    if live is not None:
        state = "on_hold" if live.on_hold and live.state is LiveCallState.connected else live.state.value
    names = await desk.staff_names(session, ids={live.staff_id} if live and live.staff_id else set())
    citizen = await session.get(Citizen, item.citizen_id) if item.citizen_id else None
    agent = await agents.get_agent(session, staff_id=me.id)
    staff = await desk.agency_staff(session, agency_id=item.agency_id) if holds else []
    agency_list = await agencies.list_agencies(session) if holds else []
    return CallPanel(
        item_id=item.id,
        state=state,
        holds=holds,
        leg=live.leg if live else ("phone" if agent and agent.call_phone else "softphone"),
        device=settings.voice_softphone,
        agent=names.get(live.staff_id) if live and live.staff_id else None,
        caller=citizen.display_name if citizen else None,
        recording=bool(live and live.recording),
        started_at=live.started_at if live else None,
        connected_at=live.connected_at if live else None,
        ended_at=live.ended_at if live else None,
        phone=agent.call_phone if agent else None,
        agents=[a for a in staff if a.agent and a.id != me.id],
        teams=await engine.teams_for(session, agency_ids={item.agency_id}) if holds else [],
        other_agencies=[a for a in agency_list if a.id != item.agency_id],
    )


async def state(session: AsyncSession, *, me: Principal, item_id: uuid.UUID, settings: Settings) -> CallPanel | None:
    """The panel of a work item of the staff member's agencies; None for work that is not a call."""
    item = await work.work_item_in_scope(session, me, item_id)
    return await panel(session, me=me, item=item, settings=settings)


def softphone_token(settings: Settings, *, me: Principal) -> str:
    """A Twilio access token for the staff member's softphone: a Voice grant to call out through the TwiML App
    (whose voice URL joins them to the call of the work they hold), never to receive calls. In the demo, signed
    with a stand-in key the simulator checks."""
    if settings.voice_softphone == "demo":
        key_sid, secret, app_sid = DEMO_KEY_SID, settings.twilio_auth_token or "", "AP" + "0" * 32
    else:
        key_sid = settings.twilio_api_key_sid or ""
        secret = settings.twilio_api_key_secret or ""
        app_sid = settings.twilio_twiml_app_sid or ""
    if not (settings.twilio_account_sid and key_sid and secret and app_sid):
        raise Problem(
            503,
            "The softphone is not set up",
            "Set TOWNSQUARE_TWILIO_API_KEY_SID, _API_KEY_SECRET and _TWIML_APP_SID, or choose a phone for calls.",
            "softphone-not-configured",
        )
    token = AccessToken(
        settings.twilio_account_sid, key_sid, secret, identity=connecting.identity_of(me.id), ttl=TOKEN_SECONDS
    )
    token.add_grant(VoiceGrant(outgoing_application_sid=app_sid, incoming_allow=False))
    return str(token.to_jwt())


async def token_for(session: AsyncSession, *, me: Principal, item_id: uuid.UUID, settings: Settings) -> str:
    """The softphone token, for the agent on the call of `item_id` only."""
    call = await state(session, me=me, item_id=item_id, settings=settings)
    if call is None or not call.holds or not call.live:
        raise conflict("There is no call of yours to join on this work.")
    return softphone_token(settings, me=me)


async def hold(session: AsyncSession, *, me: Principal, item_id: uuid.UUID, on: bool) -> None:
    await connecting.hold(session, item_id=item_id, staff_id=me.id, on=on)


async def hang_up(session: AsyncSession, *, me: Principal, item_id: uuid.UUID) -> None:
    await connecting.hang_up(session, item_id=item_id, staff_id=me.id)


async def transfer(session: AsyncSession, *, me: Principal, item_id: uuid.UUID, to: str, note: str) -> None:
    """The work's own transfer (to an agent, a team or an agency, with the note); the caller holds meanwhile."""
    await work_actions.transfer(session, me=me, item_id=item_id, to=to, note=note)


async def set_phone(session: AsyncSession, *, me: Principal, phone: str, region: str) -> None:
    """The phone the desk rings when this agent accepts a call; empty: the browser softphone."""
    agent = await agents.ensure_agent(session, staff_id=me.id)
    phone = phone.strip()
    if not phone:
        agent.call_phone = None
    else:
        try:
            agent.call_phone = citizens.normalise_phone(phone, region=region)
        except Problem:
            raise invalid("That is not a phone number.", FieldError("phone", "not a phone number")) from None
    await session.flush()


@dataclass(frozen=True)
class KeptFile:
    filename: str
    content_type: str
    sha256: str


async def kept_file(session: AsyncSession, *, me: Principal, request: Request, attachment_id: uuid.UUID) -> KeptFile:
    """A file kept here from a contact (a call's recording, a voicemail, a photo), for staff of an agency whose
    work the contact's conversation was; the read is audited and committed before the file leaves. Anyone else,
    or a file not kept (a provider's link not yet fetched), is a 404."""
    row = (
        await session.execute(
            select(Attachment, Interaction)
            .join(Interaction, Interaction.id == Attachment.interaction_id)
            .where(Attachment.id == attachment_id)
        )
    ).first()
    if row is None:
        raise not_found("File")
    attachment, contact = row
    owners = (
        await session.execute(select(WorkItem.agency_id).where(WorkItem.conversation_id == contact.conversation_id))
    ).scalars()
    agency = next((a for a in owners if me.may_see(a)), None)
    if attachment.sha256 is None or agency is None:
        raise not_found("File")
    seen = Seen("attachment", str(attachment.id), contact.citizen_id, agency)
    await audit_reads(session, me, request, "attachment.read", [seen])
    return KeptFile(attachment.filename, attachment.content_type, attachment.sha256)
