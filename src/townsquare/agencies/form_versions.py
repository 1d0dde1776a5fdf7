"""Versions of a service's form: publishing a set of fields as the next numbered version (kept forever, and made
the live form), the draft of the next version the form builder edits, and the version a case was answered against.

Keyword-only, the session first, never committing; a version once published is never changed.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from townsquare.agencies.models import AttributeDatatype, Service, ServiceAttribute, ServiceFormVersion
from townsquare.agencies.wording import translated
from townsquare.clock import utcnow

FIELD_KEYS = (
    "code",
    "datatype",
    "description",
    "datatype_description",
    "required",
    "variable",
    "values",
    "page",
    "translations",
    "prefill_from",
    "condition",
)
DEFAULTS: dict[str, Any] = {
    "datatype_description": "",
    "required": False,
    "variable": True,
    "values": [],
    "page": 1,
    "translations": {},
    "prefill_from": None,
    "condition": {},
}


def field_of(attr: ServiceAttribute) -> dict[str, Any]:
    """One live question as a version keeps it."""
    out = {key: getattr(attr, key) for key in FIELD_KEYS}
    out["datatype"] = attr.datatype.value
    return normal(out)


def normal(field: dict[str, Any]) -> dict[str, Any]:
    """A field with every key, defaults filled in, so two descriptions of one form compare equal."""
    out = {key: field.get(key, DEFAULTS.get(key)) for key in FIELD_KEYS}
    out["datatype"] = AttributeDatatype(str(out["datatype"])).value
    out["values"] = [dict(v) for v in out["values"] or []]
    out["page"] = max(1, int(out["page"] or 1))  # pages count from 1 (forms from before the builder had 0)
    out["translations"] = dict(out["translations"] or {})
    out["condition"] = dict(out["condition"] or {})
    return out


def fields_of(service: Service) -> list[dict[str, Any]]:
    """The service's live form (its attributes must be loaded), in order."""
    return [field_of(a) for a in sorted(service.attributes, key=lambda a: a.order)]


async def _with_attributes(session: AsyncSession, service_id: uuid.UUID) -> Service:
    stmt = select(Service).where(Service.id == service_id).options(selectinload(Service.attributes))
    return (await session.execute(stmt)).scalar_one()


async def _make_live(session: AsyncSession, service: Service, fields: list[dict[str, Any]]) -> None:
    """The service's attributes made exactly `fields`, matched by code (a question kept keeps its row)."""
    current = {a.code: a for a in service.attributes}
    wanted = {f["code"] for f in fields}
    gone = [code for code in current if code not in wanted]
    changed = bool(gone)
    if gone:
        await session.execute(
            delete(ServiceAttribute).where(ServiceAttribute.service_id == service.id, ServiceAttribute.code.in_(gone))
        )
    for order, field in enumerate(fields):
        values = {k: v for k, v in field.items() if k != "code"} | {"order": order}
        values["datatype"] = AttributeDatatype(values["datatype"])
        row = current.get(field["code"])
        if row is None:
            session.add(ServiceAttribute(service_id=service.id, code=field["code"], **values))
            changed = True
            continue
        for key, value in values.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
                changed = True
    await session.flush()
    if changed:  # the relationship is read again with the new questions (never lazily: it raises)
        await session.refresh(service, ["attributes"])


async def publish(
    session: AsyncSession,
    *,
    service: Service,
    fields: list[dict[str, Any]],
    pages: dict[str, Any],
    by: uuid.UUID | None = None,
    make_live: bool = True,
) -> ServiceFormVersion:
    """`fields` and `pages` published as the service's next version and (unless `make_live` is False: they are
    the live form already) made its live form."""
    fields = [normal(f) for f in fields]
    latest = await session.scalar(
        select(ServiceFormVersion.number)
        .where(ServiceFormVersion.service_id == service.id, ServiceFormVersion.number.is_not(None))
        .order_by(ServiceFormVersion.number.desc())
        .limit(1)
    )
    row = ServiceFormVersion(
        service_id=service.id,
        number=(latest or 0) + 1,
        fields=fields,
        pages=dict(pages),
        published_at=utcnow(),
        published_by_id=by,
    )
    session.add(row)
    if make_live:
        live = await _with_attributes(session, service.id)
        await _make_live(session, live, fields)
    service.form_version = row.number or 0
    service.form_pages = dict(pages)
    await session.flush()
    return row


async def publish_if_changed(
    session: AsyncSession, *, service: Service, fields: list[dict[str, Any]], pages: dict[str, Any]
) -> bool:
    """Publish `fields` and `pages` when they differ from the current version (True), else nothing (False). A
    service never versioned gets its first version either way; that is bookkeeping, not a change."""
    fields = [normal(f) for f in fields]
    current = await current_version(session, service=service)
    if current is not None and current.fields == fields and (current.pages or {}) == dict(pages):
        return False
    if current is None:
        live = await _with_attributes(session, service.id)
        unchanged = fields_of(live) == fields and (service.form_pages or {}) == dict(pages)
        await publish(session, service=service, fields=fields, pages=pages)
        return not unchanged
    await publish(session, service=service, fields=fields, pages=pages)
    return True


async def current_version(session: AsyncSession, *, service: Service) -> ServiceFormVersion | None:
    """The service's current published version, if it was ever published."""
    if not service.form_version:
        return None
    return await session.scalar(
        select(ServiceFormVersion).where(
            ServiceFormVersion.service_id == service.id, ServiceFormVersion.number == service.form_version
        )
    )


async def ensure_current(session: AsyncSession, *, service: Service) -> ServiceFormVersion:
    """The current version, the live form recorded as version 1 first when the service has none yet (forms that
    predate versions, or were written straight to the table); the live form itself is not changed. Two
    transactions doing so at once meet on the version's unique number, and the second takes the first's row."""
    found = await current_version(session, service=service)
    if found is not None:
        return found
    live = await _with_attributes(session, service.id)
    row = ServiceFormVersion(
        service_id=service.id,
        number=1,
        fields=fields_of(live),
        pages=dict(service.form_pages or {}),
        published_at=utcnow(),
    )
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        row = (
            await session.execute(
                select(ServiceFormVersion).where(
                    ServiceFormVersion.service_id == service.id, ServiceFormVersion.number == 1
                )
            )
        ).scalar_one()
    service.form_version = 1
    await session.flush()
    return row


async def get_version(session: AsyncSession, *, version_id: uuid.UUID | None) -> ServiceFormVersion | None:
    """A version by id (None for none)."""
    return await session.get(ServiceFormVersion, version_id) if version_id is not None else None


async def versions(session: AsyncSession, *, service_id: uuid.UUID) -> list[ServiceFormVersion]:
    """Every published version of the service's form, newest first."""
    stmt = (
        select(ServiceFormVersion)
        .where(ServiceFormVersion.service_id == service_id, ServiceFormVersion.number.is_not(None))
        .order_by(ServiceFormVersion.number.desc())
    )
    return list((await session.scalars(stmt)).all())


async def draft(session: AsyncSession, *, service: Service) -> ServiceFormVersion:
    """The draft of the next version (a copy of the live form, made the first time it is asked for)."""
    found = await session.scalar(
        select(ServiceFormVersion).where(
            ServiceFormVersion.service_id == service.id, ServiceFormVersion.number.is_(None)
        )
    )
    if found is not None:
        return found
    live = await _with_attributes(session, service.id)
    row = ServiceFormVersion(service_id=service.id, fields=fields_of(live), pages=dict(service.form_pages or {}))
    session.add(row)
    await session.flush()
    return row


async def publish_draft(session: AsyncSession, *, service: Service, by: uuid.UUID | None) -> ServiceFormVersion:
    """The draft published as the next version (the draft row becomes it); a new draft is made when next asked."""
    row = await draft(session, service=service)
    if service.form_version == 0:
        await ensure_current(session, service=service)  # the form as it was is version 1, kept for its cases
    latest = service.form_version
    row.fields = [normal(f) for f in row.fields]
    row.number = latest + 1
    row.published_at = utcnow()
    row.published_by_id = by
    live = await _with_attributes(session, service.id)
    await _make_live(session, live, row.fields)
    service.form_version = row.number
    service.form_pages = dict(row.pages or {})
    await session.flush()
    return row


def questions(version: ServiceFormVersion) -> list[ServiceAttribute]:
    """The version's questions as (unsaved) attributes, for whatever reads a form: labels, choices, kinds."""
    return questions_of(version.service_id, version.fields or [])


def questions_of(service_id: uuid.UUID, fields: list[dict[str, Any]]) -> list[ServiceAttribute]:
    """Fields as a version keeps them, as (unsaved) attributes."""
    out = []
    for order, field in enumerate(fields):
        values = normal(field) | {"order": order}
        values["datatype"] = AttributeDatatype(values["datatype"])
        out.append(ServiceAttribute(service_id=service_id, **values))
    return out


def label(field: ServiceAttribute, language: str) -> str:
    """The question in `language` (English when it has no wording in it)."""
    return translated(field.translations, language, "description", field.description)


def choice(field: ServiceAttribute, key: str, language: str) -> str:
    """A choice's name in `language`, by its key."""
    wording = (field.translations or {}).get(language) if language != "en" else None
    names = wording.get("values") if isinstance(wording, dict) else None
    if isinstance(names, dict) and isinstance(names.get(key), str) and names[key].strip():
        return str(names[key])
    return next((str(v.get("name", key)) for v in field.values if str(v.get("key")) == key), key)


def shown_value(field: ServiceAttribute | None, value: Any, language: str) -> Any:
    """An answer as people read it: choices by their names, a file by its name, a consent as the statement."""
    if field is None:
        return value
    if field.datatype is AttributeDatatype.singlevaluelist:
        return choice(field, str(value), language)
    if field.datatype is AttributeDatatype.multivaluelist and isinstance(value, list):
        return ", ".join(choice(field, str(v), language) for v in value)
    if field.datatype is AttributeDatatype.file and isinstance(value, dict):
        return str(value.get("filename", ""))
    if field.datatype is AttributeDatatype.consent and isinstance(value, dict):
        return "✓ " + label(field, language)
    return value
