"""Social messaging through Meta: one webhook for Messenger (object `page`), Instagram and the WhatsApp Cloud API.

GET answers Meta's verification handshake (`hub.mode=subscribe`, `hub.verify_token`, `hub.challenge`). POST checks
`X-Hub-Signature-256` (HMAC-SHA256 of the raw body with the app secret) before reading anything, reads the delivery
(`meta_wire`), hands each person's message to the flow once and commits each on its own, then applies delivery
statuses. It decides nothing itself and logs no account id and no text.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from townsquare.channels import meta_wire
from townsquare.channels.meta_graph import graph_root
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.engagement import meta
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import FieldError, Problem, forbidden, invalid, too_large
from townsquare.hygiene import JsonRefused, load_json
from townsquare.settings import Settings
from townsquare.staff.auth import PROVIDER, declared

log = logging.getLogger(__name__)
# Meta's signature (or, for the handshake, the verify token) is checked by each route before anything is read.
router = APIRouter(prefix="/channels/meta", tags=["channels"], dependencies=[Depends(declared(PROVIDER))])
MAX_BODY_BYTES = 1_000_000  # a delivery is a few kilobytes; Meta batches at most a few dozen events
CHALLENGE = re.compile(r"[A-Za-z0-9_.-]{1,100}")
# What the person hears when a message of theirs cannot be taken (the flow's limits); in English, as for SMS.
POLITE = {
    413: "Sorry, we could not take that message: it is too long or has too many files. Please send it again "
    "in shorter parts.",
    415: "Sorry, we can only accept photos, PDF documents, audio and video. Please send it again without that file.",
}


@router.get("/webhook")
async def verify(request: Request) -> Response:
    """Meta's verification of the callback URL: the challenge back, only for the deployment's verify token."""
    settings: Settings = request.app.state.settings
    if not settings.meta_verify_token:
        log.warning("meta webhook verification refused: TOWNSQUARE_META_VERIFY_TOKEN is not set")
        raise forbidden("This webhook is not configured: the platform has no verify token to compare with.")
    query = request.query_params
    given = query.get("hub.verify_token", "")
    if not hmac.compare_digest(given.encode(), settings.meta_verify_token.encode()):
        log.warning("meta webhook verification refused: wrong verify token")
        raise forbidden("The hub.verify_token is not this webhook's verify token.")
    if query.get("hub.mode") != "subscribe":
        raise invalid("hub.mode must be subscribe.", FieldError("hub.mode", "not subscribe"))
    challenge = query.get("hub.challenge", "")
    if not CHALLENGE.fullmatch(challenge):
        raise invalid("hub.challenge is missing or not a short token.", FieldError("hub.challenge", "bad"))
    return PlainTextResponse(challenge)


async def signed_body(request: Request) -> bytes:
    """The raw body of a delivery whose X-Hub-Signature-256 is the HMAC-SHA256 of it under the app secret; a 403
    problem otherwise, before anything is parsed or stored."""
    settings: Settings = request.app.state.settings
    if not settings.meta_app_secret:
        log.warning("meta webhook refused: TOWNSQUARE_META_APP_SECRET is not set")
        raise forbidden("This webhook is not configured: the platform has no app secret to check it with.")
    signature = request.headers.get("x-hub-signature-256", "").strip()
    if not signature:
        log.warning("meta webhook refused: no signature")
        raise forbidden("The request has no X-Hub-Signature-256 header.")
    declared_length = request.headers.get("content-length", "")
    if declared_length.isdigit() and int(declared_length) > MAX_BODY_BYTES:
        raise too_large(f"A delivery may be at most {MAX_BODY_BYTES} bytes.")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise too_large(f"A delivery may be at most {MAX_BODY_BYTES} bytes.")
    expected = "sha256=" + hmac.new(settings.meta_app_secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.lower().encode("utf-8", "replace")):
        log.warning("meta webhook refused: bad signature")
        raise forbidden("The X-Hub-Signature-256 does not match this request.")
    return body


def _payload(body: bytes, content_type: str) -> Any:
    if content_type.split(";")[0].strip().lower() != "application/json":
        detail = "Meta's webhooks are sent as application/json."
        raise Problem(415, "Unsupported media type", detail, "unsupported-media-type")
    try:
        return load_json(body)
    except JsonRefused as refused:
        raise invalid(str(refused), FieldError("body", "not JSON")) from None


@router.post("/webhook")
async def receive(request: Request, session: SessionDep) -> Response:
    """A delivery of messages and statuses: each person's message through the flow once, each committed alone (a
    message refused for the flow's limits is answered politely and the others keep their record), then statuses."""
    body = await signed_body(request)
    settings: Settings = request.app.state.settings
    pipeline: Pipeline = request.app.state.pipeline
    batch = meta_wire.read(_payload(body, request.headers.get("content-type", "")), graph=graph_root(settings))
    result: dict[str, Any] = {"object": batch.network.value, "messages": 0, "duplicates": 0, "refused": []}
    for incoming in batch.incoming:
        await _one(session, pipeline, incoming, result)
    applied = 0
    for status in batch.statuses:
        found = await meta.delivery_update(
            session,
            network=status.network,
            message_id=status.message_id,
            provider_status=status.status,
            error_code=status.error_code,
        )
        applied += found is not None
    if batch.statuses:
        await session.commit()
    result |= {"statuses": len(batch.statuses), "statuses_applied": applied, "ignored": batch.ignored}
    return JSONResponse(result)


async def _one(session: Session, pipeline: Pipeline, incoming: meta_wire.Incoming, result: dict[str, Any]) -> None:
    """One person's message: handled, its answers queued, committed; or refused for the flow's limits."""
    try:
        outcome = await pipeline.handle(session, incoming.message)
    except Problem as problem:
        if problem.status not in POLITE:
            raise
        await session.rollback()
        log.info("meta message not accepted (%s %s); answered politely", problem.status, problem.type_slug)
        await meta.answer_refusal(
            session, sender=incoming.sender, message_id=incoming.message_id, text=POLITE[problem.status]
        )
        await session.commit()
        result["refused"].append({"id": incoming.message_id, "status": problem.status, "detail": problem.detail})
        return
    await meta.send_answers(session, outcome=outcome, sender=incoming.sender)
    await session.commit()
    result["messages"] += 1
    result["duplicates"] += outcome.duplicate
