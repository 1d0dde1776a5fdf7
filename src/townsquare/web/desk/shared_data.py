"""The citizen page's "Shared data" panel: recording a consent the person gave by voice or at a counter, and
"Show shared values", which reads only through the one access decision and shows its refusal in plain words.

Translates only: `casework.shared_data` checks, records, audits and reads. The consent script is read to the
person in their own language.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import records, shared_data
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.engagement.access import purpose
from townsquare.errors import Problem
from townsquare.staff.auth import Principal
from townsquare.web import i18n
from townsquare.web.desk.common import CurrentStaff, earlier_url
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)


def script(item: shared_data.SharedAgreement, language: str) -> str:
    """What the agent reads to the person before recording their consent, in the person's language."""
    with i18n.speaking(language):
        names = ", ".join(a.name_in_language for a in item.attributes)
        return i18n.gettext(
            "{consumer} would like to read this information that {provider} holds about you: {attributes}. "
            "It is used only for this: {purpose} It is allowed under agreement {agreement}. Your consent lasts "
            "one year, and you can withdraw it at any time on your account page or by calling us. Do you agree "
            "that {consumer} reads exactly this information, for this purpose?"
        ).format(
            consumer=item.consumer.name,
            provider=item.provider.name,
            attributes=names,
            purpose=item.purpose_text_in_language,
            agreement=item.label,
        )


def channel_labels() -> dict[str, str]:
    return {
        "web": i18n.gettext("on the web"),
        "voice": i18n.gettext("by voice"),
        "counter": i18n.gettext("at a counter"),
    }


def state_labels() -> dict[str, str]:
    return {
        "active": i18n.gettext("In force"),
        "expired": i18n.gettext("Expired"),
        "revoked": i18n.gettext("Withdrawn"),
    }


async def panel_context(session: Session, me: Principal, citizen_id: uuid.UUID) -> dict[str, Any]:
    """What the citizen page needs to show its "Shared data" panel."""
    panel = await shared_data.panel(session, me=me, citizen_id=citizen_id)
    return {
        "shared": panel,
        "scripts": {item.id: script(item, panel.language) for item in panel.agreements},
        "script_language": panel.language,
        "consent_channels": channel_labels(),
        "consent_states": state_labels(),
    }


@router.post("/desk/citizens/{citizen_id}/consents")
async def record_consent(request: Request, citizen_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """Record the consent the person gave on the phone or at the counter to exactly the attributes ticked."""
    form = await request.form()
    chosen = str(form.get("agreement", ""))[:64]
    try:
        await shared_data.record_consent(
            session,
            me=me,
            citizen_id=citizen_id,
            agreement=chosen,
            attributes=[str(a)[:200] for a in form.getlist("attributes")][:100],
            channel=str(form.get("channel", ""))[:16],
            confirmed=form.get("confirmed") == "yes",
        )
    except Problem as exc:
        if exc.status != 422:
            raise
        await shared_data.roll_back(session)
        view = await records.read_citizen(session, me=me, citizen_id=citizen_id, before=None, purpose=purpose(request))
        context = {
            "me": me,
            "view": view,
            "consent_error": exc,
            "consent_agreement": chosen,
            "earlier_url": earlier_url(request.url.path, view.earlier),
        }
        context |= await panel_context(session, me, citizen_id)
        return templates.TemplateResponse(request, "desk/citizen.html", context, status_code=422)
    await session.commit()
    return RedirectResponse(f"/desk/citizens/{citizen_id}?notice=consent#shared-data", status_code=303)


@router.get("/desk/citizens/{citizen_id}/shared-values", response_class=HTMLResponse)
async def shared_values(
    request: Request, citizen_id: uuid.UUID, session: SessionDep, me: CurrentStaff, agreement: str = ""
) -> Response:
    """The values the agreement lets the agency read about the person, with where each comes from — or, when the
    read is refused (no consent, the agreement ended …), why, and nothing else. Either way it is logged."""
    found = await shared_data.show_values(
        session, me=me, citizen_id=citizen_id, agreement=agreement[:64], via=purpose(request)
    )
    context = {"me": me, "citizen_id": citizen_id, "found": found}
    return templates.TemplateResponse(request, "desk/shared_values.html", context)
