"""How an application's questions, answers and conflicts read on the portal: labels, hints and errors in the
reader's language, answers as people read them, the fields of a page, the "check your answers" rows.

Pure presentation of what `residents.applications` defines; never reads or writes the database.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from babel.dates import format_date
from starlette.datastructures import FormData

from townsquare.agencies.forms import shown
from townsquare.agencies.wording import translated
from townsquare.drafts.service import FieldConflict
from townsquare.errors import not_found
from townsquare.hygiene import load_json
from townsquare.residents import applications as apps
from townsquare.residents.types import AttributeDatatype, Draft, Service, ServiceAttribute
from townsquare.web import i18n
from townsquare.web.i18n import gettext as _
from townsquare.web.portal.content import attribute_text, value_name


def form_page(service: Service, number: int) -> apps.FormPage:
    pages = apps.form_pages(service)
    if not 1 <= number <= len(pages):
        raise not_found("Page", "This application has no such page.")
    return pages[number - 1]


def label(service: Service, code: str) -> str:
    if code == apps.DETAILS:
        return _("Anything else we should know?")
    if code == apps.ADDRESS:
        return _("Address or place") if service.open311 else _("Address or place (optional)")
    if code == apps.LAT:
        return _("Latitude of the point on the map")
    if code == apps.LONG:
        return _("Longitude of the point on the map")
    attr = next((a for a in service.attributes if a.code == code), None)
    return attribute_text(attr, "description") if attr else code


def message(service: Service, code: str, problem: apps.Problem) -> str:
    """A readable error in the page's language."""
    question = label(service, code)
    attr = next((a for a in service.attributes if a.code == code), None)
    datatype = attr.datatype if attr else AttributeDatatype.text
    if problem == "coordinates":
        return _("The point chosen on the map could not be read: choose it again, or type the address")
    if problem == "required" and code == apps.ADDRESS:
        return _("Enter the address or place, or choose it on the map")
    if problem == "required":
        return _required(datatype) % {"question": question}
    if problem == "file":
        return _("“%(question)s”: choose the file again") % {"question": question}
    if problem == "number":
        return _("“%(question)s” must be a number, like 12") % {"question": question}
    if problem == "date":
        return _("“%(question)s” must be a real date, like 27 3 2026") % {"question": question}
    if problem == "choice":
        return _("Select one of the choices for “%(question)s”") % {"question": question}
    return _("“%(question)s” is too long") % {"question": question}


def _required(datatype: AttributeDatatype) -> str:
    """What to say when a question of this kind has no answer (with the question as `%(question)s`)."""
    if datatype is AttributeDatatype.multivaluelist:
        return _("Select at least one answer for “%(question)s”")
    if datatype is AttributeDatatype.singlevaluelist:
        return _("Select an answer for “%(question)s”")
    if datatype in apps.DATES:
        return _("Enter a date for “%(question)s”")
    if datatype is AttributeDatatype.consent:
        return _("Tick the box to agree: “%(question)s”")
    if datatype is AttributeDatatype.file:
        return _("Choose a file for “%(question)s”")
    return _("Enter an answer for “%(question)s”")


def display(attr: ServiceAttribute | None, stored: Any) -> str:
    """An answer as people read it, in the page's language."""
    if stored in (None, "", []):
        return ""
    if attr is not None and attr.datatype is AttributeDatatype.multivaluelist and isinstance(stored, list):
        return ", ".join(value_name(attr, str(v)) for v in stored)
    if attr is not None and attr.datatype is AttributeDatatype.singlevaluelist:
        return value_name(attr, str(stored))
    if attr is not None and attr.datatype is AttributeDatatype.consent:
        return _("Yes, I agree")
    if attr is not None and attr.datatype is AttributeDatatype.file and isinstance(stored, dict):
        return str(stored.get("filename", ""))
    if attr is not None and attr.datatype is AttributeDatatype.address:
        return ", ".join(line.strip() for line in str(stored).splitlines() if line.strip())
    if attr is not None and attr.datatype in apps.DATES:
        if isinstance(stored, dict):
            return " ".join(str(stored.get(k, "")) for k in ("day", "month", "year")).strip()
        try:
            return format_date(datetime.fromisoformat(str(stored)).date(), format="d MMMM y", locale=i18n.current())
        except ValueError:
            return str(stored)
    return str(stored)


def attribute(service: Service, code: str) -> ServiceAttribute | None:
    return next((a for a in service.attributes if a.code == code), None)


def question_field(
    service: Service, attr: ServiceAttribute | None, code: str, answers: dict[str, Any]
) -> dict[str, Any]:
    value = apps.to_form(attr, answers.get(code, ""))
    kind = "text" if code == apps.DETAILS else ("hidden" if code in (apps.LAT, apps.LONG) else "string")
    if attr is not None:
        kind = attr.datatype.value
    return {
        "code": code,
        "id": f"field-{code}",
        "kind": kind,
        "label": label(service, code),
        "hint": attribute_text(attr, "datatype_description") if attr else "",
        "required": bool(attr and attr.required),
        "value": value,
        "orig": json.dumps(value, ensure_ascii=False),
        "choices": [(str(v.get("key")), value_name(attr, str(v.get("key")))) for v in attr.values] if attr else [],
        "file": (answers.get(code) or {}).get("filename", "")
        if kind == "file" and isinstance(answers.get(code), dict)
        else "",
        "condition": (attr.condition or {}) if attr else {},
    }


def page_fields(
    service: Service, page: apps.FormPage, answers: dict[str, Any], *, every: bool = False
) -> list[dict[str, Any]]:
    """The fields a page shows for these answers (`every`: also those their conditions hide, to read a form)."""
    if page.location:
        return [question_field(service, None, code, answers) for code in apps.LOCATION_FIELDS]
    if page.details and service.open311:
        return [question_field(service, None, apps.DETAILS, answers)]
    if page.details:
        return [
            question_field(service, None, apps.DETAILS, answers),
            question_field(service, None, apps.ADDRESS, answers),
        ]
    return [question_field(service, a, a.code, answers) for a in page.attributes if every or asked(a, page, answers)]


def asked(attr: ServiceAttribute, page: apps.FormPage, answers: dict[str, Any]) -> bool:
    """Whether the page asks the question: its condition holds for the earlier pages' answers. A condition on a
    question of the same page is decided when the page is sent (the question shows, marked as conditional, and
    its answer is dropped if the condition does not hold), so the page works without JavaScript."""
    condition = attr.condition or {}
    if not condition.get("field") or any(a.code == condition["field"] for a in page.attributes):
        return True
    return shown(attr, answers)


def page_title(service: Service, page: apps.FormPage) -> str:
    """The page's title in the reader's language, "" when it has none."""
    stored = (service.form_pages or {}).get(str(page.form_page)) or {}
    return translated(stored.get("translations"), i18n.current(), "title", str(stored.get("title", "")))


def conflict_rows(service: Service, conflicts: list[FieldConflict]) -> list[dict[str, Any]]:
    return [
        {
            "code": c.field,
            "label": label(service, c.field),
            "theirs": display(attribute(service, c.field), c.their_value) or _("(no answer)"),
            "yours": display(attribute(service, c.field), c.your_value) or _("(no answer)"),
            "your_json": json.dumps(c.your_value, ensure_ascii=False),
        }
        for c in conflicts
    ]


def unplaced(answers: dict[str, Any]) -> bool:
    """An address the register could not place on the map (it is still sent as typed)."""
    return bool(str(answers.get(apps.ADDRESS, "")).strip()) and apps.coordinates(answers) is None


def form_value(form: FormData, field: dict[str, Any]) -> Any:
    name = f"f.{field['code']}"
    if field["kind"] == "multivaluelist":
        return [str(v) for v in form.getlist(name)]
    if field["kind"] in ("datetime", "date"):
        return {k: str(form.get(f"{name}.{k}", "")) for k in ("day", "month", "year")}
    if field["kind"] == "consent":
        return "yes" if form.get(name) else ""
    return str(form.get(name, "")).replace("\r\n", "\n")


def changed(form: FormData, fields: list[dict[str, Any]]) -> dict[str, Any]:
    """The fields a form changed since it was drawn: each field carries its value as drawn (`orig.<code>`), and
    only a field whose value now differs is sent, so a field left alone never overwrites another's answer."""
    changes: dict[str, Any] = {}
    for field in fields:
        if f"orig.{field['code']}" not in form or field["kind"] == "file":
            continue  # not on the page that was sent (e.g. shown as a conflict); files come as uploads
        try:
            orig = load_json(str(form[f"orig.{field['code']}"]))
        except ValueError:  # JsonRefused
            orig = None
        value = form_value(form, field)
        if value != orig:
            changes[field["code"]] = value
    return changes


def summary(draft: Draft, service: Service, base: str | None = None) -> list[dict[str, Any]]:
    """The "check your answers" rows, each linking to its page under `base` (the draft's pages)."""
    base = base or f"/applications/{draft.id}"
    answers = apps.public_answers(draft)
    rows: list[dict[str, Any]] = []
    for page in apps.form_pages(service):
        if page.location:
            rows.append(location_row(draft, service, page, answers, base))
            photo = apps.photo_of(answers)
            rows.append(
                {
                    "code": "photo",
                    "label": _("Photo of the problem"),
                    "value": _("1 photo, without its hidden details") if photo else _("No photo"),
                    "href": f"{base}/pages/{page.number}#field-photo",
                }
            )
            continue
        for field in page_fields(service, page, answers):
            rows.append(
                {
                    "code": field["code"],
                    "label": field["label"],
                    "value": display(attribute(service, field["code"]), answers.get(field["code"])),
                    "href": f"{base}/pages/{page.number}#{field['id']}",
                }
            )
    return rows


def location_row(
    draft: Draft, service: Service, page: apps.FormPage, answers: dict[str, Any], base: str | None = None
) -> dict[str, Any]:
    address = str(answers.get(apps.ADDRESS, "")).strip()
    point = apps.coordinates(answers)
    shown = point and _("Point on the map (%(lat)s, %(long)s)") % {"lat": f"{point[0]:.5f}", "long": f"{point[1]:.5f}"}
    return {
        "code": apps.ADDRESS,
        "label": _("Where is it?"),
        "value": address or shown or "",
        "note": _("We could not place this address on the map, but it will still be sent as you typed it.")
        if unplaced(answers)
        else "",
        "href": f"{base or f'/applications/{draft.id}'}/pages/{page.number}#field-{apps.ADDRESS}",
    }
