"""The application pages' JSON for the autosave script: save the fields a device changed, keep this device's value
in a conflict, and read the draft as every device last saved it.

Translates only: the saves are `residents.drafting` functions; never shows or accepts another person's draft (404).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.drafts.service import SaveResult
from townsquare.errors import FieldError, invalid, too_large
from townsquare.hygiene import JsonRefused, load_json
from townsquare.residents import applications as apps
from townsquare.residents import drafting
from townsquare.residents.types import Draft, Service
from townsquare.web.i18n import gettext as _
from townsquare.web.portal import apply_prefill
from townsquare.web.portal.apply import load
from townsquare.web.portal.apply_forms import attribute, display
from townsquare.web.portal.common import CurrentCitizen, own_draft, settings_of

router = APIRouter(include_in_schema=False)
MAX_AUTOSAVE_BYTES = 200_000


async def _json_body(request: Request) -> dict[str, Any]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_AUTOSAVE_BYTES:
        raise too_large(f"An autosave is at most {MAX_AUTOSAVE_BYTES} bytes.")
    raw = await request.body()
    if len(raw) > MAX_AUTOSAVE_BYTES:
        raise too_large(f"An autosave is at most {MAX_AUTOSAVE_BYTES} bytes.")
    try:
        body = load_json(raw)  # within hygiene's depth limit: never a RecursionError
    except JsonRefused as exc:
        raise invalid(f"The request body must be JSON. {exc.detail}", FieldError("body", exc.detail)) from None
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    return body


def _whole(body: dict[str, Any], name: str, *, optional: bool = False) -> int | None:
    value = body.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(f"'{name}' must be a whole number.", FieldError(name, "Expected a whole number."))
    return value


def _saved_json(service: Service, result: SaveResult) -> JSONResponse:
    draft = result.draft
    answers = apps.public_answers(draft)
    return JSONResponse(
        {
            "version": draft.version,
            "applied": result.applied,
            "conflicts": [
                {
                    "field": c.field,
                    "their_value": apps.to_form(attribute(service, c.field), c.their_value),
                    "your_value": apps.to_form(attribute(service, c.field), c.your_value),
                    "their_text": display(attribute(service, c.field), c.their_value) or _("(no answer)"),
                    "your_text": display(attribute(service, c.field), c.your_value) or _("(no answer)"),
                }
                for c in result.conflicts
            ],
            "fields": {code: apps.to_form(attribute(service, code), value) for code, value in answers.items()},
        }
    )


@router.post("/applications/{draft_id}/autosave", dependencies=[Depends(own_draft)])
async def autosave(request: Request, draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Save the fields a device changed: {base_version, changes, step} → {version, applied, conflicts, fields}."""
    return await autosaved(request, session, citizen.id, draft_id)


async def autosaved(
    request: Request, session: Session, citizen_id: uuid.UUID, draft_id: str, *, own: bool = True
) -> Response:
    """Save what a device changed in the person's draft (`own`: on her signed-in pages, where information other
    agencies hold that went stale is asked about again)."""
    body = await _json_body(request)
    draft, service, tz = await load(session, citizen_id, draft_id)
    changes = body.get("changes", {})
    if not isinstance(changes, dict):
        raise invalid(
            "'changes' must be an object of field names and values.", FieldError("changes", "Expected an object.")
        )
    base, step = _whole(body, "base_version"), _whole(body, "step", optional=True)
    assert base is not None
    result = await drafting.autosave(
        session,
        draft=draft,
        service=service,
        tz=tz,
        base=base,
        changes=changes,
        step=step,
        secret=settings_of(request).secret_key,
    )
    if own:  # saved first (nothing lost), then: information from another agency that went stale is asked again
        await apply_prefill.ask_again_if_stale(request, session, result.draft, service, tz)
    return _saved_json(service, result)


@router.post("/applications/{draft_id}/resolve", dependencies=[Depends(own_draft)])
async def resolve(request: Request, draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """The person chose their own value for a field in conflict: {field, value, base_version}."""
    return await resolved(request, session, citizen.id, draft_id)


async def resolved(request: Request, session: Session, citizen_id: uuid.UUID, draft_id: str) -> Response:
    """Keep this device's value for a field in conflict in the person's draft."""
    body = await _json_body(request)
    draft, service, tz = await load(session, citizen_id, draft_id)
    code = body.get("field")
    if not isinstance(code, str):
        raise invalid("'field' must name a question.", FieldError("field", "Expected text."))
    base = _whole(body, "base_version")
    assert base is not None
    result = await drafting.keep_mine(
        session,
        draft=draft,
        service=service,
        tz=tz,
        code=code,
        value=body.get("value", ""),
        base=base,
        secret=settings_of(request).secret_key,
    )
    return _saved_json(service, result)


@router.get("/applications/{draft_id}/state", dependencies=[Depends(own_draft)])
async def state(request: Request, draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """The draft as every device last saved it, for a page that regains focus."""
    draft, service, _tz = await load(session, citizen.id, draft_id)
    return JSONResponse(state_of(draft, service))


def state_of(draft: Draft, service: Service, *, hidden: Collection[str] = ()) -> dict[str, Any]:
    """The draft as the pages' script reads it; `hidden` answers are left out (shown locked, never sent)."""
    answers = {code: value for code, value in apps.public_answers(draft).items() if code not in hidden}
    return {
        "version": draft.version,
        "step": draft.step,
        "submitted": draft.submitted_at is not None,
        "answers": answers,
        "fields": {code: apps.to_form(attribute(service, code), value) for code, value in answers.items()},
    }
