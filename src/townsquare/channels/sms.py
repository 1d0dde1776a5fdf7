"""SMS on Twilio's wire format: inbound webhook, delivery-status callback, and the Twilio REST provider.

The webhook turns Twilio's form into an `InboundMessage`, hands it to the engagement flow, commits once and
renders the outcome's answers in TwiML (a keyword's answer, the assistant's replies, an acknowledgement: the
flow and the SMS policy decide which). It decides nothing itself; it stores nothing for a request that is not
signed, and logs no number and no text. Text it cannot store is normalised by `twilio.signed_form`.
"""

from __future__ import annotations

import logging
import mimetypes

from fastapi import APIRouter, Depends, Request, Response
from twilio.twiml.messaging_response import MessagingResponse

from townsquare.channels.twilio import TwilioForm, twiml
from townsquare.channels.twilio_rest import TwilioRestProvider, configured
from townsquare.citizens.kinds import IdentityKind
from townsquare.db.deps import SessionDep
from townsquare.engagement import sms as engagement_sms
from townsquare.engagement.messages import InboundAttachment, InboundMessage, Sender
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import FieldError, Problem, invalid
from townsquare.hygiene import safe_filename
from townsquare.interactions.kinds import Channel
from townsquare.notify.providers import Provider
from townsquare.settings import Settings
from townsquare.staff.auth import PROVIDER, declared

log = logging.getLogger(__name__)
# The provider's signature (or the email door's token) is checked by each route before anything is read.
router = APIRouter(prefix="/channels/sms", tags=["channels"], dependencies=[Depends(declared(PROVIDER))])
MAX_SID_CHARS = 200
MAX_MEDIA_FIELDS = 100  # Twilio sends at most 10; anything past the limit only needs to be counted


def provider(settings: Settings) -> Provider | None:
    """The outbound SMS provider these settings configure, or None for the recording provider."""
    return TwilioRestProvider(settings) if configured(settings) else None


def _required(form: dict[str, str], *names: str) -> str:
    for name in names:
        value = form.get(name, "").strip()
        if value:
            if len(value) > MAX_SID_CHARS:
                raise invalid(f"{name} is too long.", FieldError(name, "too long"))
            return value
    raise invalid(f"The webhook has no {names[0]}.", FieldError(names[0], "required"))


def _attachments(form: dict[str, str], settings: Settings) -> tuple[InboundAttachment, ...]:
    raw = form.get("NumMedia", "0").strip() or "0"
    if not raw.isdigit():
        raise invalid("NumMedia must be a whole number.", FieldError("NumMedia", "not a whole number"))
    # One past the limit is enough for the pipeline to refuse too many; no need to read a thousand fields.
    count = min(int(raw), settings.max_attachments + 1, MAX_MEDIA_FIELDS)
    files = []
    for i in range(count):
        url = form.get(f"MediaUrl{i}", "").strip()
        if not url.startswith(("https://", "http://")):
            raise invalid(f"MediaUrl{i} is missing or not a URL.", FieldError(f"MediaUrl{i}", "not a URL"))
        content_type = form.get(f"MediaContentType{i}", "").strip() or "application/octet-stream"
        extension = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ""
        name = safe_filename(f"media-{i}{extension}")
        files.append(InboundAttachment(name, content_type, url=url[:2000], from_provider=True))
    return tuple(files)


def inbound_message(form: dict[str, str], settings: Settings) -> InboundMessage:
    """Twilio's inbound SMS/MMS form as the pipeline's message."""
    sid = _required(form, "MessageSid", "SmsMessageSid")
    sender = _required(form, "From")
    body = form.get("Body", "")
    metadata = {"provider": "twilio"}
    for field, key in (
        ("AccountSid", "account_sid"),
        ("MessagingServiceSid", "messaging_service_sid"),
        ("NumSegments", "num_segments"),
        ("FromCountry", "from_country"),
    ):
        if form.get(field):
            metadata[key] = form[field][:64]
    return InboundMessage(
        channel=Channel.sms,
        external_id=sid,
        sender=Sender(IdentityKind.phone, sender),
        recipient=form.get("To", "").strip() or None,
        text=body,
        attachments=_attachments(form, settings),
        metadata=metadata,
        assistant=settings.assistant_enabled,
        answers_in_band=True,
    )


def _polite(problem: Problem, message: InboundMessage, settings: Settings) -> str:
    """What to text back when a message cannot be taken, by why."""
    if problem.status == 415:
        return (
            "Sorry, we can only accept photos, PDF documents, audio and video. Please send it again without that file."
        )
    if problem.status == 413 and len(message.text) > settings.max_body_chars:
        return f"Sorry, your message is too long. Please send at most {settings.max_body_chars} characters."
    if problem.status == 413:
        return (
            f"Sorry, we could not take your files: send at most {settings.max_attachments}, "
            "each a photo or document of reasonable size."
        )
    return (
        "Sorry, we cannot take text messages from this kind of number. Please text us from a mobile phone or call us."
    )


@router.post("/twilio")
async def inbound(request: Request, form: TwilioForm, session: SessionDep) -> Response:
    """Twilio's 'A message comes in' webhook: the flow decides, the answers go back in TwiML."""
    settings: Settings = request.app.state.settings
    pipeline: Pipeline = request.app.state.pipeline
    message = inbound_message(form, settings)
    answer = MessagingResponse()
    try:
        outcome = await pipeline.handle(session, message)
    except Problem as problem:
        unusable_sender = problem.status == 422 and any(e.field == "phone" for e in problem.errors)
        if problem.status not in (413, 415) and not unusable_sender:
            raise
        await session.rollback()
        log.info("sms not accepted (%s %s); answered politely", problem.status, problem.type_slug)
        answer.message(_polite(problem, message, settings))
        return twiml(answer)
    await session.commit()
    for reply in outcome.replies:
        answer.message(reply.text)
    return twiml(answer)


@router.post("/twilio/status")
async def delivery_status(form: TwilioForm, session: SessionDep) -> Response:
    """Twilio's status callback for a message the platform sent: delivered, failed, and so on."""
    sid = _required(form, "MessageSid", "SmsSid")
    status = _required(form, "MessageStatus", "SmsStatus").lower()
    if status not in engagement_sms.PROVIDER_STATUS:
        raise invalid(f"'{status[:32]}' is not a Twilio message status.", FieldError("MessageStatus", "unknown"))
    error_code = form.get("ErrorCode", "").strip() or None
    interaction = await engagement_sms.delivery_update(
        session, message_sid=sid, provider_status=status, error_code=error_code
    )
    await session.commit()
    if interaction is None:
        log.info("sms status callback for a message id this platform did not send; ignored")
    return Response(status_code=200)
