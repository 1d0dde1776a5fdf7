"""The administration hub at /desk/admin: the sections the caller may use, as links; and what the administration
pages share (reading a posted form's text, the words of a refusal that names a value, the active switch).

Administrators and agency administrators only; translates and links, never decides who may change what (the
`casework` administration use cases do).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from townsquare.casework.types import StaffRole
from townsquare.errors import FieldError, invalid
from townsquare.staff.auth import Principal
from townsquare.web.desk.common import administrators_only
from townsquare.web.desk.labels import said
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Administrator = Annotated[Principal, Depends(administrators_only("Administration"))]


@dataclass(frozen=True)
class Section:
    path: str
    title: str
    about: str


def _sections(me: Principal) -> list[Section]:
    """The sections of administration, those for administrators alone only to them."""
    sections = [
        Section("/desk/admin/agencies", _("Agencies"), _("Names in English and French, contact points, branding.")),
        Section("/desk/admin/services", _("Services"), _("The catalogue: wording, SLA, keywords, synonyms, forms.")),
        Section("/desk/admin/canned-replies", _("Canned replies"), _("Replies staff insert and adapt.")),
        Section("/desk/admin/staff", _("Staff accounts"), _("Accounts, roles and agencies.")),
        Section("/desk/admin/queues", _("Queues and routing"), _("Where work waits and who receives it.")),
        Section("/desk/admin/sla", _("SLA targets"), _("How fast each channel is answered.")),
        Section("/desk/admin/hours", _("Business hours and holidays"), _("When each office is open.")),
        Section("/desk/admin/offices", _("Service offices"), _("Counters, walk-in services, kiosks and screens.")),
        Section("/desk/admin/wrap-up-codes", _("Wrap-up codes"), _("What agents record when work ends.")),
        Section("/desk/admin/teams", _("Teams"), _("Groups of agents and their supervisors.")),
        Section("/desk/admin/skills", _("Skills"), _("What agents know, for routing.")),
        Section("/desk/audit", _("Audit log"), _("Who did or saw what, when.")),
    ]
    if me.role is StaffRole.admin:
        sections.append(
            Section("/desk/admin/catalogue", _("Configuration as data"), _("Export and import the catalogue files."))
        )
    return sections


@router.get("/desk/admin", response_class=HTMLResponse)
async def hub(request: Request, me: Administrator) -> Response:
    """The sections of administration the caller may use."""
    return templates.TemplateResponse(request, "desk/admin/hub.html", {"me": me, "sections": _sections(me)})


def said_with_detail(sentence: object) -> str:
    """A refusal in the reader's language, keeping the values it names after " — " as they are."""
    head, sep, tail = str(sentence or "").partition(" — ")
    return said(head) + sep + tail


templates.env.filters["said_with_detail"] = said_with_detail


def text(raw: Any, name: str, limit: int = 200) -> str:
    """A posted field's text, trimmed and cut to `limit` characters."""
    value = raw.get(name, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


def checked(raw: Any, name: str) -> bool:
    """Whether a posted checkbox was ticked."""
    return str(raw.get(name)) in ("yes", "on", "true", "1")


def wanted_active(raw: Any) -> bool:
    """What an activate/deactivate button asks: `active=yes` or `active=no`, else a 422 naming the field."""
    value = raw.get("active")
    if value not in ("yes", "no"):
        raise invalid("Say whether it should be active.", FieldError("active", "yes or no"))
    return str(value) == "yes"
