"""The desk's citizen and case pages as read models, and the case actions staff take there: status, assign,
link or merge, confirm or dismiss a likely duplicate.

Staff read only what their agencies may see. The `read_*` functions write the access-log row and commit it
before the record may be shown; the actions never commit (the route does, once).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import form_versions
from townsquare.agencies import service as agencies
from townsquare.agencies.models import Agency, Service, ServiceAttribute
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseLink, CaseStatus, CaseUpdate, Open311Submission
from townsquare.cases.service import LinkView
from townsquare.casework import cases as casework
from townsquare.casework import desk
from townsquare.drafts import service as drafts
from townsquare.engagement.access import case_in_scope
from townsquare.errors import FieldError, invalid, not_found
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Interaction
from townsquare.settings import Settings
from townsquare.staff.auth import Principal
from townsquare.staff.models import ApiKey

LIKELY = "likely_duplicate"
STAFF_LINK_KINDS = ("related", "duplicate")  # what staff choose; likely duplicates are found, never chosen
UPDATE_SOURCES = {"staff": "Staff", "api": "REST API", "open311": "Open311", "citizen": "Citizen", "system": "System"}
CASE_TIMELINE = 200


async def read_citizen(
    session: AsyncSession,
    *,
    me: Principal,
    citizen_id: uuid.UUID,
    before: tuple[datetime, uuid.UUID] | None,
    purpose: str,
    refresh: bool = False,
) -> desk.Citizen360:
    """The citizen 360 view for a staff member, its read written to the access log and committed."""
    view = await desk.citizen_360(session, citizen_id=citizen_id, agency_ids=me.visible(), before=before)
    me.audit(
        session,
        action="citizen.read",
        subject_kind="citizen",
        subject_id=str(view.citizen.id),
        purpose=purpose,
        citizen_id=view.citizen.id,
        detail={"refresh": True} if refresh else None,
    )
    await session.commit()
    return view


@dataclass(frozen=True)
class Answer:
    """One of the case's form answers and where it came from: `mark` is "verified", "unverified" (offered from
    somewhere but not checked by an agency) or "declared" (typed in); `origin` says from whom, when, under what."""

    code: str
    value: Any
    mark: str
    origin: str
    entered_by: str = ""  # when filled in together with staff: "resident", or the staff member's name
    # The question as the form version the case was answered against asked it, by language ({"en": …, "fr": …}).
    labels: dict[str, str] = field(default_factory=dict)
    shown: dict[str, Any] = field(default_factory=dict)  # the answer as people read it, by language


def _when(raw: object) -> str:
    try:
        moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return ""
    return f"{moment.day} {moment:%b %Y}"


def _entered_by(case: Case, code: str, staff_names: dict[uuid.UUID, str]) -> str:
    """Who entered an answer of a form filled in together with staff ("" when the person filled it in alone)."""
    author = (case.entered_by or {}).get(code)
    if author is None:
        return ""
    staff_id = drafts.staff_of(author)
    return "resident" if staff_id is None else staff_names.get(staff_id, "a member of staff")


def entered_by_staff(case: Case) -> set[uuid.UUID]:
    """The members of staff who entered some of the case's answers with the person."""
    return {s for s in (drafts.staff_of(a) for a in (case.entered_by or {}).values()) if s is not None}


def _worded(question: ServiceAttribute | None, value: Any) -> tuple[dict[str, str], dict[str, Any]]:
    if question is None:
        return {}, {}
    languages = ("en", "fr")
    labels = {lang: form_versions.label(question, lang) for lang in languages}
    return labels, {lang: form_versions.shown_value(question, value, lang) for lang in languages}


def answers_of(
    case: Case,
    agency_names: dict[str, str],
    staff_names: dict[uuid.UUID, str] | None = None,
    questions: list[ServiceAttribute] | None = None,
) -> list[Answer]:
    """The case's answers, each marked with its provenance (`Case.provenance`, by attribute code) and, when the
    form was filled in together with staff, who entered it (`Case.entered_by`); worded as `questions` (the form
    version the case was answered against) asked them."""
    asked = {q.code: q for q in questions or []}
    found = []
    for code, value in case.attributes.items():
        entry = (case.provenance or {}).get(code)
        by = _entered_by(case, code, staff_names or {})
        labels, shown = _worded(asked.get(code), value)
        if not isinstance(entry, dict):
            origin = "Self-declared: typed in, not checked by an agency"
            found.append(Answer(code, value, "declared", origin, by, labels, shown))
            continue
        slug = str(entry.get("agency") or str(entry.get("source", "")).split(".", 1)[0])
        parts = [f"from {agency_names.get(slug, slug)}" if slug else "", _when(entry.get("last_updated", ""))]
        if entry.get("agreement"):
            parts.append(f"under {entry['agreement']}")
            consent = entry.get("consent_id")
            parts.append("with the resident's consent" if consent else "without consent, as the law allows")
        verified = entry.get("verified") is True
        origin = " · ".join(["Verified" if verified else "Not verified", *filter(None, parts)])
        found.append(Answer(code, value, "verified" if verified else "unverified", origin, by, labels, shown))
    return found


@dataclass
class CaseView:
    """Everything the case page shows."""

    case: Case
    agency: Agency
    tz: str
    timeline: list[Interaction]
    case_refs: dict[uuid.UUID, str]
    links: list[LinkView]
    likely: list[dict[str, Any]]
    updates: list[CaseUpdate]
    update_sources: dict[str, str]
    reported_through: str | None
    map_url: str | None
    staff_names: dict[uuid.UUID, str]
    assignable: list[desk.StaffChoice]
    transitions: list[CaseStatus]
    answers: list[Answer]

    def page(self) -> dict[str, Any]:
        """The view's fields by name, for a template (shallow)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


async def _reported_through(session: AsyncSession, case_id: uuid.UUID) -> str | None:
    """The name of the Open311 integrator that sent the case, if one did."""
    stmt = (
        select(ApiKey.name)
        .join(Open311Submission, Open311Submission.api_key_id == ApiKey.id)
        .where(Open311Submission.case_id == case_id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def _map_url(case: Case) -> str | None:
    """The portal's map centred on the case, when it has a point."""
    if case.lat is None or case.long is None:
        return None
    return "/map?" + urlencode({"lat": f"{case.lat:.6f}", "long": f"{case.long:.6f}"})


async def _likely_duplicates(session: AsyncSession, case: Case) -> list[dict[str, Any]]:
    """The open cases of the same service reported close by, as the page lists them."""
    pairs = await cases.likely_duplicates_of(session, case_id=case.id)
    service_ids = {other.service_id for _, other in pairs if other.service_id}
    names: dict[uuid.UUID, str] = {}
    if service_ids:
        found = await session.execute(select(Service.id, Service.name).where(Service.id.in_(service_ids)))
        names = dict(found.all())
    return [
        {
            "link": link_row,
            "case": other,
            "service": names.get(other.service_id, "No service") if other.service_id else "No service",
            "distance_m": link_row.detail.get("distance_m"),
        }
        for link_row, other in pairs
    ]


async def _agency_names(session: AsyncSession) -> dict[str, str]:
    return {a.slug: a.name for a in await agencies.list_agencies(session)}


async def _questions(session: AsyncSession, case: Case) -> list[ServiceAttribute]:
    """The questions of the form version the case was answered against (none for a case from before versions)."""
    version = await form_versions.get_version(session, version_id=case.form_version_id)
    return form_versions.questions(version) if version is not None else []


async def read_case(session: AsyncSession, *, me: Principal, reference: str, purpose: str) -> CaseView:
    """One case as the desk shows it — where, who reported it and how, its history, links, likely duplicates and
    timeline — its read written to the access log and committed."""
    case = await case_in_scope(session, me, reference[:40])
    timeline = await interactions.timeline(session, case_id=case.id, limit=CASE_TIMELINE)
    agency = (await agencies.agencies_by_id(session, ids={case.agency_id}))[case.agency_id]
    case_links = [lv for lv in await cases.links_for(session, case_ids=[case.id]) if lv.link.kind != LIKELY]
    updates = await cases.updates_for(session, case_id=case.id)
    authors = {i.staff_id for i in timeline if i.staff_id} | {u.staff_id for u in updates if u.staff_id}
    authors |= entered_by_staff(case)
    if case.assigned_to_id:
        authors.add(case.assigned_to_id)
    if case.citizen_id:
        me.audit(
            session,
            action="case.read",
            subject_kind="case",
            subject_id=str(case.id),
            purpose=purpose,
            citizen_id=case.citizen_id,
            agency_id=case.agency_id,
        )
    view = CaseView(
        case=case,
        agency=agency,
        tz=agency.timezone,
        timeline=timeline,
        case_refs={case.id: case.reference},
        links=case_links,
        likely=await _likely_duplicates(session, case),
        updates=updates,
        update_sources=UPDATE_SOURCES,
        reported_through=await _reported_through(session, case.id),
        map_url=_map_url(case),
        staff_names=(names := await desk.staff_names(session, ids=authors)),
        assignable=await desk.agency_staff(session, agency_id=case.agency_id),
        transitions=sorted(cases.TRANSITIONS[case.status]),
        answers=answers_of(
            case, await _agency_names(session) if case.provenance else {}, names, await _questions(session, case)
        ),
    )
    await session.commit()
    return view


async def change_status(
    session: AsyncSession, *, settings: Settings, me: Principal, reference: str, status: str, note: str
) -> Case:
    """Move a case along its workflow, `status` as the form sent it."""
    case = await case_in_scope(session, me, reference[:40])
    try:
        target = CaseStatus(status)
    except ValueError:
        raise invalid("Choose the case's new status.", FieldError("status", "unknown status")) from None
    await casework.change_status(
        session, settings=settings, actor=me, case=case, status=target, note=note.strip()[:1000]
    )
    return case


async def assign(session: AsyncSession, *, me: Principal, reference: str, staff_id: str) -> Case:
    """Give a case to a member of its agency ("me" for yourself, empty for nobody)."""
    case = await case_in_scope(session, me, reference[:40])
    try:
        target = me.id if staff_id == "me" else uuid.UUID(staff_id) if staff_id else None
    except ValueError:
        raise invalid("Choose whom to assign the case to.", FieldError("staff_id", "not a staff id")) from None
    await desk.assign_case(session, actor=me, case=case, staff_id=target)
    return case


async def link(session: AsyncSession, *, me: Principal, reference: str, other: str, kind: str) -> Case:
    """Link a case to another one, or merge it into the other as a duplicate (closing it)."""
    case = await case_in_scope(session, me, reference[:40])
    if kind not in STAFF_LINK_KINDS:
        raise invalid("A link is either related or duplicate.", FieldError("kind", "related or duplicate"))
    await desk.link_cases(session, actor=me, case=case, other_reference=other, kind=kind)
    return case


async def _likely_link(session: AsyncSession, case: Case, link_id: uuid.UUID) -> CaseLink:
    row = await session.get(CaseLink, link_id)
    if row is None or row.kind != LIKELY or case.id not in (row.case_id, row.linked_case_id):
        raise not_found("Likely duplicate", "This case has no such likely duplicate; it may have been handled.")
    return row


async def merge_likely_duplicate(session: AsyncSession, *, me: Principal, reference: str, link_id: uuid.UUID) -> Case:
    """Confirm a likely duplicate: the other case is merged into this one and closed."""
    case = await case_in_scope(session, me, reference[:40])
    row = await _likely_link(session, case, link_id)
    other = await cases.get_by_id(session, case_id=row.linked_case_id if row.case_id == case.id else row.case_id)
    if not me.may_see(other.agency_id):
        raise not_found("Likely duplicate", "This case has no such likely duplicate; it may have been handled.")
    await desk.link_cases(session, actor=me, case=other, other_reference=case.reference, kind="duplicate")
    return case


async def dismiss_likely_duplicate(session: AsyncSession, *, me: Principal, reference: str, link_id: uuid.UUID) -> Case:
    """Not a duplicate: the two cases stay linked as related, and are no longer offered for merging."""
    case = await case_in_scope(session, me, reference[:40])
    row = await _likely_link(session, case, link_id)
    await cases.dismiss_likely_duplicate(session, link=row, staff_id=me.id)
    for case_id in (row.case_id, row.linked_case_id):
        subject = case if case_id == case.id else await cases.get_by_id(session, case_id=case_id)
        me.audit(
            session,
            action="case.not_duplicate",
            subject_kind="case",
            subject_id=str(subject.id),
            citizen_id=subject.citizen_id,
            agency_id=subject.agency_id,
            detail={"case": str(row.case_id), "linked_case": str(row.linked_case_id), "kind": row.kind},
        )
    return case
