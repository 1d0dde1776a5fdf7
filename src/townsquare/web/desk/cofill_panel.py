"""How the "Fill in a form together" panel of the work page reads: the read model `casework.cofill_view` gives,
with the form's questions and answers worded as the portal words them (in the page's language), each with who
entered it, and the agent's inputs when the resident lets them fill in.

Pure presentation, apart from reading the panel (`panel`, audited by the use case); values other agencies hold,
offered into her draft, are never shown.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from townsquare.casework import cofill_view
from townsquare.casework.cofill_view import CofillPanel
from townsquare.casework.work import WorkView
from townsquare.db import Session
from townsquare.drafts.service import FieldConflict
from townsquare.engagement.access import purpose
from townsquare.residents import applications as apps
from townsquare.staff.auth import Principal
from townsquare.web.portal import apply_forms as forms
from townsquare.web.portal.content import service_text

SKIPPED = {apps.LAT, apps.LONG}  # the map's point: set by the resident's map, shown through the address


def fields_of(panel: CofillPanel) -> list[dict[str, Any]]:
    """Every question of the form (all pages), with the answer now, who entered it and how to change it."""
    if panel.draft is None or panel.service is None:
        return []
    service, draft = panel.service, panel.draft
    answers = apps.public_answers(draft)
    held = set(draft.prefill or {})
    mine = {c.field: c for c in panel.conflicts}
    found = []
    for page in apps.form_pages(service):
        for field in forms.page_fields(service, page, answers):
            code = field["code"]
            if code in SKIPPED:
                continue
            attribute = forms.attribute(service, code)
            shown = forms.display(attribute, answers.get(code))
            field |= {
                "id": f"cofill-{code}",
                "shown": shown,
                "by": panel.authors.get(code, "resident" if shown else ""),
                "held": code in held,
            }
            if code in mine:  # her answer stays as it is; the agent's is put back in the box, to save again if wanted
                field |= _conflict(attribute, mine[code])
            found.append(field)
    return found


def _conflict(attribute: Any, conflict: FieldConflict) -> dict[str, Any]:
    return {
        "value": apps.to_form(attribute, conflict.your_value),
        "orig": json.dumps(apps.to_form(attribute, conflict.their_value), ensure_ascii=False),
        "conflict": {
            "theirs": forms.display(attribute, conflict.their_value),
            "yours": forms.display(attribute, conflict.your_value),
        },
    }


def context(panel: CofillPanel) -> dict[str, Any]:
    """The panel as the template reads it."""
    photo = apps.photo_of(apps.public_answers(panel.draft)) if panel.draft is not None else None
    return {
        "item_id": panel.item.id,
        "citizen_id": panel.item.citizen_id,
        "holds": panel.holds,
        "state": panel.state,
        "live": panel.live,
        "can_send": panel.can_send,
        "services": panel.services,
        "contacts": panel.contacts,
        "link": panel.link,
        "expires_at": panel.expires_at,
        "service_name": service_text(panel.service, "name") if panel.service is not None else "",
        "version": panel.draft.version if panel.draft is not None else 0,
        "fields": fields_of(panel),
        "photo": photo is not None,
        "case_reference": panel.case_reference,
        "conflicts": bool(panel.conflicts),
    }


async def panel(request: Request, session: Session, me: Principal, work: WorkView) -> dict[str, Any]:
    """The panel's context for the work page (its read of the draft audited and committed); the conflicts of a
    save just refused, if any, are on `request.state`."""
    identities = work.view.citizen.identities if work.view is not None else []
    read = await cofill_view.panel_view(session, me=me, item=work.item, identities=identities, purpose=purpose(request))
    read.conflicts = getattr(request.state, "cofill_conflicts", [])
    return context(read)
