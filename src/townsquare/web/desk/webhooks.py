"""The administrators' Webhooks page at /desk/webhooks: every integrator's endpoint with its recent deliveries
(status, attempts, the last answer, the next try) and a Replay button per delivery.

Administrators only. A replay is a new delivery of the same event to the same endpoint, audited by the use case;
the page never shows an endpoint's secret.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db.deps import SessionDep
from townsquare.notify.webhooks import service as webhooks
from townsquare.staff.auth import Principal
from townsquare.web.desk.common import admins_only
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Admin = Annotated[Principal, Depends(admins_only("The Webhooks page"))]
RECENT = 10


def _notices() -> dict[str, str]:
    return {"replayed": _("The delivery was queued again: it goes out with the next pass of the webhook worker.")}


@router.get("/desk/webhooks", response_class=HTMLResponse)
async def webhooks_page(request: Request, session: SessionDep, me: Admin) -> Response:
    """Every endpoint, active ones first, with its newest deliveries."""
    context = {
        "me": me,
        "endpoints": await webhooks.desk_view(session, recent=RECENT),
        "recent": RECENT,
        "notice": _notices().get(request.query_params.get("notice", "")),
    }
    return templates.TemplateResponse(request, "desk/webhooks.html", context)


@router.post("/desk/webhooks/deliveries/{delivery_id}/replay")
async def replay_delivery(delivery_id: uuid.UUID, session: SessionDep, me: Admin) -> Response:
    """Deliver the same event to the same endpoint again (audited) and come back to it on the page."""
    again = await webhooks.replay(session, me=me, delivery_id=delivery_id)
    await session.commit()
    return RedirectResponse(f"/desk/webhooks?notice=replayed#endpoint-{again.endpoint_id}", status_code=303)
