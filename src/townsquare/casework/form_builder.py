"""The form builder's use cases: edit the draft of a service's next form version field by field (add, change,
remove, move, page titles), refuse a change that would orphan answers already given, and publish the draft.

Problems are returned as `BuilderError`s (the field, a kind of problem, its details) for the desk to word in the
reader's language. Never commits: the route owns the transaction.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import form_versions
from townsquare.agencies.models import AttributeDatatype, Service, ServiceFormVersion
from townsquare.agencies.wording import translation
from townsquare.cases.models import Case
from townsquare.drafts.models import Draft
from townsquare.errors import not_found
from townsquare.staff.auth import Principal

CODE = re.compile(r"^[a-z0-9_]{1,64}$")
LISTS = frozenset({AttributeDatatype.singlevaluelist.value, AttributeDatatype.multivaluelist.value})
MAX_PAGES = 20
MAX_LABEL = 1000
MAX_HINT = 300


@dataclass(frozen=True)
class BuilderError:
    """What is wrong with a change: the form field it names, a kind of problem, and its details."""

    field: str
    kind: str
    detail: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclass
class FieldForm:
    """One field as the builder's form posts it (text as typed), and as it is drawn again after an error."""

    original: str = ""  # the field's code before this edit; "" for a new field
    code: str = ""
    datatype: str = AttributeDatatype.string.value
    label: str = ""
    label_fr: str = ""
    hint: str = ""
    hint_fr: str = ""
    required: bool = False
    page: str = "1"
    choices: str = ""  # one a line: key | English name | French name
    condition_field: str = ""
    condition_values: str = ""  # keys (or answers), separated by commas

    @classmethod
    def read(cls, form: dict[str, Any]) -> FieldForm:
        """The field form from posted values (missing ones as blank)."""
        text = {k: str(form.get(k, "")).replace("\r\n", "\n").strip() for k in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in text.items() if k != "required"}, required=bool(form.get("required")))

    @classmethod
    def of(cls, stored: dict[str, Any]) -> FieldForm:
        """A draft's field, to be edited."""
        fr = (stored.get("translations") or {}).get("fr") or {}
        names = fr.get("values") or {}
        lines = [
            " | ".join(p for p in (str(v.get("key")), str(v.get("name", "")), str(names.get(v.get("key"), ""))) if p)
            for v in stored.get("values") or []
        ]
        condition = stored.get("condition") or {}
        return cls(
            original=stored["code"],
            code=stored["code"],
            datatype=stored["datatype"],
            label=stored.get("description", ""),
            label_fr=str(fr.get("description", "")),
            hint=stored.get("datatype_description", ""),
            hint_fr=str(fr.get("datatype_description", "")),
            required=bool(stored.get("required")),
            page=str(stored.get("page", 1)),
            choices="\n".join(lines),
            condition_field=str(condition.get("field", "")),
            condition_values=", ".join(str(v) for v in condition.get("values") or []),
        )

    def _choices(self) -> tuple[list[dict[str, str]], dict[str, str], list[int]]:
        values, french, unread = [], {}, []
        for number, line in enumerate(self.choices.splitlines(), start=1):
            parts = [p.strip() for p in line.split("|")]
            if not line.strip():
                continue
            if not CODE.match(parts[0]) or len(parts) < 2 or not parts[1]:
                unread.append(number)
                continue
            values.append({"key": parts[0], "name": parts[1]})
            if len(parts) > 2 and parts[2]:
                french[parts[0]] = parts[2]
        return values, french, unread

    def stored(self) -> dict[str, Any]:
        """The field as a version keeps it (check it first)."""
        values, names_fr, _ = self._choices()
        listed = self.datatype in LISTS
        worded = {"description": self.label_fr, "datatype_description": self.hint_fr}
        fr: dict[str, Any] = {k: v for k, v in worded.items() if v} | (
            {"values": names_fr} if listed and names_fr else {}
        )
        wanted = [v.strip() for v in self.condition_values.split(",") if v.strip()]
        return form_versions.normal(
            {
                "code": self.code,
                "datatype": self.datatype,
                "description": self.label,
                "datatype_description": self.hint,
                "required": self.required,
                "values": values if listed else [],
                "page": int(self.page),
                "translations": {"fr": fr} if fr else {},
                "condition": {"field": self.condition_field, "values": wanted} if self.condition_field else {},
            }
        )

    def problems(self, others: list[dict[str, Any]]) -> list[BuilderError]:
        """What is wrong with the field itself, `others` being the draft's other fields in order."""
        found: list[BuilderError] = []
        if not CODE.match(self.code):
            found.append(BuilderError("code", "code"))
        elif any(f["code"] == self.code for f in others):
            found.append(BuilderError("code", "code_taken", {"code": self.code}))
        if self.datatype not in {d.value for d in AttributeDatatype}:
            found.append(BuilderError("datatype", "kind"))
        if not self.label or len(self.label) > MAX_LABEL or len(self.label_fr) > MAX_LABEL:
            found.append(BuilderError("label", "label"))
        if len(self.hint) > MAX_HINT or len(self.hint_fr) > MAX_HINT:
            found.append(BuilderError("hint", "hint"))
        if not self.page.isdigit() or not 1 <= int(self.page) <= MAX_PAGES:
            found.append(BuilderError("page", "page", {"max": str(MAX_PAGES)}))
        values, _, unread = self._choices()
        if unread:
            found.append(BuilderError("choices", "choice_line", {"lines": ", ".join(map(str, unread))}))
        elif self.datatype in LISTS and not values:
            found.append(BuilderError("choices", "choices"))
        elif self.datatype not in LISTS and self.choices.strip():
            found.append(BuilderError("choices", "no_choices"))
        found += self._condition_problems(others)
        return found

    def _condition_problems(self, others: list[dict[str, Any]]) -> list[BuilderError]:
        if not self.condition_field:
            return []
        position = next((i for i, f in enumerate(others) if f["code"] == self.original), len(others))
        earlier = {f["code"]: f for f in others[:position]}
        shown = earlier.get(self.condition_field)
        if shown is None:
            return [BuilderError("condition_field", "condition_field", {"code": self.condition_field})]
        wanted = [v.strip() for v in self.condition_values.split(",") if v.strip()]
        keys = {str(v.get("key")) for v in shown.get("values") or []}
        odd = [v for v in wanted if keys and v not in keys]
        if not wanted or odd:
            return [BuilderError("condition_values", "condition_values", {"values": ", ".join(odd)})]
        return []


async def service_for(session: AsyncSession, *, me: Principal, code: str) -> Service:
    """The service whose form the caller may build: administrators any, agency administrators their agencies'
    (another agency's service answers as an unknown one)."""
    service = await session.scalar(select(Service).where(Service.code == code[:64]))
    if service is None or not me.may_see(service.agency_id):
        raise not_found("Service", "There is no such service.")
    return service


def _in_use(answers: Iterable[dict[str, Any]], codes: set[str]) -> dict[str, set[str]]:
    """For each of `codes`, the answers given to it (list answers as their keys)."""
    used: dict[str, set[str]] = {c: set() for c in codes}
    for given in answers:
        for code in codes & set(given or {}):
            value = given[code]
            items = value if isinstance(value, list) else [value]
            used[code] |= {str(v) for v in items if isinstance(v, (str, int, float))} | {"*"}
    return used


async def _answers(session: AsyncSession, service_id: uuid.UUID, codes: set[str]) -> dict[str, set[str]]:
    """What submitted cases and open drafts of the service answered to `codes` ("*": answered at all)."""
    given = await session.stream_scalars(select(Case.attributes).where(Case.service_id == service_id))
    drafted = await session.stream_scalars(
        select(Draft.answers).where(Draft.service_id == service_id, Draft.submitted_at.is_(None))
    )
    used = _in_use([a async for a in given], codes)
    for code, keys in _in_use([a async for a in drafted], codes).items():
        used[code] |= keys
    return used


async def orphans(session: AsyncSession, *, service: Service, fields: list[dict[str, Any]]) -> list[BuilderError]:
    """The changes in `fields` that would orphan answers already given: a field keeping its code under another
    kind, or losing a choice someone chose (in a submitted case or an open draft)."""
    await form_versions.ensure_current(session, service=service)  # a form from before versions counts too
    before: dict[str, dict[str, Any]] = {}
    for version in reversed(await form_versions.versions(session, service_id=service.id)):
        before |= {f["code"]: f for f in version.fields}
    touched = {
        f["code"]
        for f in fields
        if f["code"] in before
        and (
            f["datatype"] != before[f["code"]]["datatype"]
            or {str(v.get("key")) for v in before[f["code"]].get("values") or []}
            - {str(v.get("key")) for v in f.get("values") or []}
        )
    }
    if not touched:
        return []
    used = await _answers(session, service.id, touched)
    found = []
    for f in fields:
        if f["code"] not in touched or not used[f["code"]]:
            continue
        if f["datatype"] != before[f["code"]]["datatype"]:
            found.append(BuilderError("datatype", "orphan_kind", {"label": f["description"]}))
            continue
        lost = sorted(used[f["code"]] - {"*"} - {str(v.get("key")) for v in f.get("values") or []})
        if lost:
            found.append(BuilderError("choices", "orphan_choice", {"label": f["description"], "keys": ", ".join(lost)}))
    return found


def _audit(session: AsyncSession, me: Principal, service: Service, action: str, code: str = "") -> None:
    me.audit(
        session,
        action=f"service.form.{action}",
        subject_kind="service",
        subject_id=str(service.id),
        agency_id=service.agency_id,
        detail={"field": code} if code else None,
    )


async def save_field(session: AsyncSession, *, me: Principal, service: Service, form: FieldForm) -> list[BuilderError]:
    """Add the field to the draft (or change the one it was), unless something is wrong (then nothing changes)."""
    draft = await form_versions.draft(session, service=service)
    fields = list(draft.fields)
    others = [f for f in fields if f["code"] != form.original]
    problems = form.problems(others if form.original else fields)
    if problems:
        return problems
    new = form.stored()
    was = next((f for f in fields if f["code"] == form.original), None) if form.original else None
    if was is not None:  # what the builder does not edit stays as it was (another agency's prefill, variable)
        new |= {"prefill_from": was.get("prefill_from"), "variable": was.get("variable", True)}
    problems = await orphans(session, service=service, fields=[new])
    if problems:
        return problems
    at = next((i for i, f in enumerate(fields) if f["code"] == form.original), None) if form.original else None
    if at is None:
        fields.append(new)
    else:
        fields[at] = new
        fields = [_renamed(f, form.original, new["code"]) for f in fields]
    draft.fields = fields
    _audit(session, me, service, "edit", new["code"])
    return []


def _renamed(stored: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    condition = stored.get("condition") or {}
    if old == new or condition.get("field") != old:
        return stored
    return stored | {"condition": condition | {"field": new}}


async def remove_field(session: AsyncSession, *, me: Principal, service: Service, code: str) -> list[BuilderError]:
    """Take the field out of the draft; refused while a later field's condition names it."""
    draft = await form_versions.draft(session, service=service)
    if any((f.get("condition") or {}).get("field") == code for f in draft.fields):
        return [BuilderError("field", "condition_needed", {"code": code})]
    draft.fields = [f for f in draft.fields if f["code"] != code]
    _audit(session, me, service, "edit", code)
    return []


async def move_field(
    session: AsyncSession, *, me: Principal, service: Service, code: str, up: bool
) -> list[BuilderError]:
    """Move the field one place up or down the draft; refused if it would come before the field its condition
    names (or after a field whose condition names it)."""
    draft = await form_versions.draft(session, service=service)
    fields = list(draft.fields)
    at = next((i for i, f in enumerate(fields) if f["code"] == code), None)
    if at is None:
        return []  # nothing to move (a field removed meanwhile)
    other = at - 1 if up else at + 1
    if not 0 <= other < len(fields):
        return []
    first, second = sorted((at, other))
    if (fields[second].get("condition") or {}).get("field") == fields[first]["code"]:
        return [BuilderError("field", "condition_order", {"code": fields[second]["code"]})]
    fields[first], fields[second] = fields[second], fields[first]
    draft.fields = fields
    _audit(session, me, service, "edit", code)
    return []


async def set_page_titles(
    session: AsyncSession, *, me: Principal, service: Service, titles: dict[int, tuple[str, str]]
) -> None:
    """The draft's page titles, by page number: (English, French); blank ones are dropped."""
    pages: dict[str, Any] = {}
    for number, (english, french) in sorted(titles.items()):
        if english or french:
            pages[str(number)] = {"title": english[:200]} | (
                {"translations": {"fr": {"title": french[:200]}}} if french else {}
            )
    draft = await form_versions.draft(session, service=service)
    draft.pages = pages
    _audit(session, me, service, "edit")


def missing_french(draft: ServiceFormVersion) -> list[str]:
    """The codes of the draft's fields (and "page-N" for page titles) without French wording."""
    missing = []
    for f in draft.fields:
        if not translation(f.get("translations"), "fr", "description"):
            missing.append(f["code"])
        names = ((f.get("translations") or {}).get("fr") or {}).get("values") or {}
        if any(not names.get(v.get("key")) for v in f.get("values") or []):
            missing.append(f["code"])
    for number, page in (draft.pages or {}).items():
        if page.get("title") and not translation(page.get("translations"), "fr", "title"):
            missing.append(f"page-{number}")
    return list(dict.fromkeys(missing))


async def publish(session: AsyncSession, *, me: Principal, service: Service) -> tuple[int, list[BuilderError]]:
    """The draft published as the next version (its number), unless it would orphan answers or changed nothing."""
    draft = await form_versions.draft(session, service=service)
    current = await form_versions.ensure_current(session, service=service)  # a form from before versions: v1
    if current.fields == draft.fields and (current.pages or {}) == (draft.pages or {}):
        return 0, [BuilderError("form", "unchanged")]
    problems = await orphans(session, service=service, fields=list(draft.fields))
    if problems:
        return 0, problems
    row = await form_versions.publish_draft(session, service=service, by=me.id)
    number = row.number or 0
    me.audit(
        session,
        action="service.form.publish",
        subject_kind="service",
        subject_id=str(service.id),
        agency_id=service.agency_id,
        detail={"version": number},
    )
    return number, []


@dataclass(frozen=True)
class BuilderView:
    """What the builder's pages show: the draft's fields by page, its page titles, the published versions."""

    service: Service
    fields: list[dict[str, Any]]
    pages: dict[str, Any]
    current: int  # the published version's number (0: none yet)
    published: list[ServiceFormVersion]
    missing_french: list[str]
    changed: bool  # the draft differs from the published version

    def page_numbers(self) -> list[int]:
        """The pages the draft's fields are on, in order."""
        return sorted({int(f["page"]) for f in self.fields})

    def on_page(self, number: int) -> list[dict[str, Any]]:
        return [f for f in self.fields if int(f["page"]) == number]

    def field(self, code: str) -> dict[str, Any] | None:
        return next((f for f in self.fields if f["code"] == code), None)


async def view(session: AsyncSession, *, service: Service) -> BuilderView:
    """The draft of the service's next form version, as the builder shows it (made on first sight)."""
    draft = await form_versions.draft(session, service=service)
    current = await form_versions.current_version(session, service=service)
    published = await form_versions.versions(session, service_id=service.id)
    same = current is not None and current.fields == draft.fields and (current.pages or {}) == (draft.pages or {})
    return BuilderView(
        service=service,
        fields=list(draft.fields),
        pages=dict(draft.pages or {}),
        current=service.form_version,
        published=published,
        missing_french=missing_french(draft),
        changed=not same,
    )


async def roll_back(session: AsyncSession, *, service: Service) -> None:
    """Undo a refused change, the service read again for the page that says why."""
    await session.rollback()
    await session.refresh(service)
