"""Checking answers against a service's form: required fields, the Open311 datatypes and the builder's own kinds
(date, address, file, consent), and conditions (a question hidden by its condition is not required and its
answer is dropped). Returns every problem at once, so a person (or an integrator) can fix them in one go.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from typing import Any

from townsquare.agencies.models import OPEN311_DATATYPES, AttributeDatatype, Service, ServiceAttribute
from townsquare.errors import FieldError

MAX_TEXT = 4000
MAX_ADDRESS = 500
AGREED = frozenset({"yes", "on", "true", "1", "agreed"})
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def statement_version(attr: ServiceAttribute) -> str:
    """The version of a consent's statement: a digest of its wording in every language, so the answer says
    exactly which words were agreed to."""
    wording = {"en": attr.description} | {
        lang: w.get("description", "") for lang, w in (attr.translations or {}).items() if isinstance(w, dict)
    }
    return hashlib.sha256(json.dumps(wording, sort_keys=True).encode()).hexdigest()[:16]


def _day(raw: Any) -> date | None:
    try:
        if isinstance(raw, dict):
            return date(int(raw.get("year", "")), int(raw.get("month", "")), int(raw.get("day", "")))
        return date.fromisoformat(str(raw).strip()[:10])
    except (TypeError, ValueError, OverflowError):
        return None


def _extra(attr: ServiceAttribute, raw: Any) -> tuple[Any, str | None]:
    """The builder's kinds beyond Open311."""
    dt = attr.datatype
    if dt is AttributeDatatype.date:
        day = _day(raw)
        if day is None or not 1000 <= day.year <= 9999:
            return None, "must be a real date, like 2026-03-27"
        return day.isoformat(), None
    if dt is AttributeDatatype.address:
        lines = raw if isinstance(raw, list) else str(raw).splitlines()
        text = "\n".join(line.strip() for line in (str(x) for x in lines) if line.strip())
        if len(text) > MAX_ADDRESS:
            return None, f"must be at most {MAX_ADDRESS} characters"
        return text, None
    if dt is AttributeDatatype.file:
        if not isinstance(raw, dict) or not SHA256.match(str(raw.get("sha256", ""))) or not raw.get("filename"):
            return None, "must be a file uploaded with the form"
        keep = ("sha256", "filename", "content_type", "size_bytes", "attachment_id")
        return {k: raw[k] for k in keep if k in raw}, None
    agreed = raw is True or (isinstance(raw, dict) and raw.get("agreed") is True) or str(raw).strip().lower() in AGREED
    if not agreed:
        return None, "must be ticked to agree"
    return {"agreed": True, "statement_version": statement_version(attr)}, None


def _keys(attr: ServiceAttribute) -> set[str]:
    return {str(v.get("key")) for v in attr.values}


def _check_one(attr: ServiceAttribute, raw: Any) -> tuple[Any, str | None]:
    dt = attr.datatype
    if dt not in OPEN311_DATATYPES:
        return _extra(attr, raw)
    if dt is AttributeDatatype.multivaluelist:
        values = [str(v) for v in (raw if isinstance(raw, list) else [raw])]
        unknown = [v for v in values if v not in _keys(attr)]
        if unknown:
            return None, f"not among the choices: {', '.join(unknown)}"
        return values, None
    if isinstance(raw, list):
        return None, "expects a single value"
    text = str(raw).strip()
    if dt is AttributeDatatype.number:
        try:
            number = float(text)
        except ValueError:
            return None, "must be a number"
        return (int(number) if number.is_integer() else number), None
    if dt is AttributeDatatype.datetime:
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None, "must be a date and time like 2026-05-01T09:30:00-04:00"
        if when.tzinfo is None:
            return None, "must include a timezone offset"
        return when.isoformat(), None
    if dt is AttributeDatatype.singlevaluelist:
        return (text, None) if text in _keys(attr) else (None, "not among the choices")
    limit = 255 if dt is AttributeDatatype.string else MAX_TEXT
    if len(text) > limit:
        return None, f"must be at most {limit} characters"
    return text, None


def check_answer(attr: ServiceAttribute, raw: Any) -> tuple[Any, str | None]:
    """One answer checked against its question alone (its condition aside): the clean value, or what is wrong."""
    return (None, "is required") if _blank(raw) else _check_one(attr, raw)


def _blank(raw: Any) -> bool:
    return raw is None or raw == "" or raw == [] or raw is False or (isinstance(raw, dict) and not any(raw.values()))


def shown(attr: ServiceAttribute, answers: dict[str, Any]) -> bool:
    """Whether the question is asked, given the answers so far: no condition, or its field has one of its values."""
    condition = attr.condition or {}
    if not condition.get("field"):
        return True
    given = answers.get(str(condition["field"]))
    wanted = {str(v) for v in condition.get("values") or []}
    if isinstance(given, dict):  # a consent agreed to reads as "yes"
        given = "yes" if given.get("agreed") else ""
    given_values = {str(v) for v in given} if isinstance(given, list) else {str(given).strip()}
    return bool(given_values & wanted)


def validate_attributes(service: Service, answers: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """Clean answers keyed by attribute code, and the list of what is wrong (empty when all is well). A question
    its condition hides is not required, and its answer is dropped."""
    by_code = {a.code: a for a in service.attributes if a.variable}
    clean: dict[str, Any] = {}
    errors: list[FieldError] = []
    for code in answers:
        if code not in by_code:
            errors.append(FieldError(f"attribute[{code}]", f"the service '{service.code}' has no such attribute"))
    for code, attr in by_code.items():
        if not shown(attr, clean):
            continue
        raw = answers.get(code)
        if _blank(raw):
            if attr.required:
                errors.append(FieldError(f"attribute[{code}]", f"is required ({attr.description})"))
            continue
        value, problem = _check_one(attr, raw)
        if problem:
            errors.append(FieldError(f"attribute[{code}]", problem))
        else:
            clean[code] = value
    return clean, errors
