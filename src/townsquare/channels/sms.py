"""SMS on Twilio's wire format: inbound webhook, delivery-status callback, and the Twilio REST provider.

The webhook turns Twilio's form into an `InboundMessage`, hands it to the pipeline and answers in TwiML: a
keyword's answer, the assistant's replies, or the acknowledgement of a message a person will answer.
It never decides who the person is or where the message goes; it stores nothing for a request that is not
signed, and logs no number and no text. Text it cannot store is normalised by `twilio.signed_form`.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import replace

from fastapi import APIRouter, BackgroundTasks, Depends, Request, Response
from twilio.twiml.messaging_response import MessagingResponse

from townsquare.channels.twilio import TwilioForm, twiml
from townsquare.channels.twilio_rest import TwilioRestProvider, configured
from townsquare.citizens.models import IdentityKind
from townsquare.db.deps import SessionDep
from townsquare.engagement import sms as engagement_sms
from townsquare.engagement.messages import InboundAttachment, InboundMessage, Sender
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import FieldError, Problem, invalid
from townsquare.hygiene import safe_filename
from townsquare.interactions.models import Channel
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
        files.append(InboundAttachment(filename=name, content_type=content_type, url=url[:2000]))
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
        needs_person=engagement_sms.keyword_of(body) is None,
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
async def inbound(request: Request, form: TwilioForm, session: SessionDep, background: BackgroundTasks) -> Response:
    """Twilio's 'A message comes in' webhook: record the text, answer in TwiML."""
    settings: Settings = request.app.state.settings
    pipeline: Pipeline = request.app.state.pipeline
    message = inbound_message(form, settings)
    sender = message.sender.value if message.sender else ""
    sort = await engagement_sms.sort_inbound(session, sender=sender, text=message.text, region=settings.default_region)
    # The assistant answers first unless it is off or the number opted out (then nothing may be texted back).
    use_assistant = settings.assistant_enabled and not sort.opted_out and sort.keyword is None
    message = replace(message, needs_person=sort.keyword is None, assistant=use_assistant)
    answer = MessagingResponse()
    try:
        result = await pipeline.ingest(session, message)
    except Problem as problem:
        unusable_sender = problem.status == 422 and any(e.field == "phone" for e in problem.errors)
        if problem.status not in (413, 415) and not unusable_sender:
            raise
        await session.rollback()
        log.info("sms not accepted (%s %s); answered politely", problem.status, problem.type_slug)
        answer.message(_polite(problem, message, settings))
        return twiml(answer)
    assistant = (
        engagement_sms.Assistant(pipeline, request.app.state.runtime.knowledge, settings) if use_assistant else None
    )
    texts = await engagement_sms.answer_inbound(
        session,
        result=result,
        message_sid=message.external_id or "",
        keyword=sort.keyword,
        text=message.text,
        assistant=assistant,
    )
    await session.commit()
    if message.attachments and not result.duplicate:
        background.add_task(
            engagement_sms.fetch_media,
            request.app.state.db,
            pipeline.store,
            settings,
            interaction_id=result.interaction_id,
        )
    for text in texts:
        answer.message(text)
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
