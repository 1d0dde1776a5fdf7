"""What SMS and voice share as Twilio-compatible webhooks: the signature check and the TwiML response.

Twilio signs each webhook with HMAC-SHA1 over the full public URL and the sorted form fields, keyed by the
account's auth token. The check uses the `twilio` library's own `RequestValidator` against
`TOWNSQUARE_PUBLIC_URL` (what the provider was told to call), not the URL this process happens to see
behind a proxy.
"""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Request, Response
from twilio.request_validator import RequestValidator

from townsquare.errors import Problem, forbidden, invalid
from townsquare.hygiene import clean_text
from townsquare.settings import Settings

log = logging.getLogger(__name__)
TWIML_MEDIA_TYPE = "application/xml"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


def public_url_of(request: Request, settings: Settings) -> str:
    """The URL the provider called: the public base plus this request's path and query."""
    url = settings.public_url.rstrip("/") + request.url.path
    return f"{url}?{request.url.query}" if request.url.query else url


def parse_form(body: bytes, content_type: str) -> dict[str, str]:
    """The webhook's form fields; refuses another content type or bytes that are not UTF-8."""
    if content_type.split(";")[0].strip().lower() != FORM_MEDIA_TYPE:
        raise Problem(
            415,
            "Unsupported media type",
            f"Webhooks must be sent as {FORM_MEDIA_TYPE}, as Twilio sends them.",
            "unsupported-media-type",
        )
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise invalid("The webhook body is not a valid UTF-8 form.") from None
    return dict(pairs)


async def signed_form(request: Request) -> dict[str, str]:
    """The form of a webhook whose X-Twilio-Signature is valid, its text normalised (`hygiene.clean_text`); a 403
    problem otherwise, before anything is stored."""
    settings: Settings = request.app.state.settings
    signature = request.headers.get("x-twilio-signature", "")
    body = await request.body()
    if not settings.twilio_auth_token:
        log.warning("twilio webhook refused: TOWNSQUARE_TWILIO_AUTH_TOKEN is not set")
        raise forbidden("This webhook is not configured: the platform has no Twilio auth token to check it with.")
    if not signature:
        log.warning("twilio webhook refused: no signature on %s", request.url.path)
        raise forbidden("The request has no X-Twilio-Signature header.")
    form = parse_form(body, request.headers.get("content-type", ""))
    validator = RequestValidator(settings.twilio_auth_token)
    if not validator.validate(public_url_of(request, settings), form, signature):
        log.warning("twilio webhook refused: bad signature on %s", request.url.path)
        raise forbidden("The X-Twilio-Signature does not match this request.")
    # Twilio cannot act on a refusal, so text we cannot store is normalised (after the signature, which covers
    # what was sent): NUL and control characters dropped, lone surrogates replaced by U+FFFD.
    return {clean_text(name): clean_text(value) for name, value in form.items()}


TwilioForm = Annotated[dict[str, str], Depends(signed_form)]


def twiml(document: object) -> Response:
    """An HTTP response carrying a TwiML document (a twilio `VoiceResponse` or `MessagingResponse`)."""
    return Response(content=str(document), media_type=TWIML_MEDIA_TYPE)
