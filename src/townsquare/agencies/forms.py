"""Checking answers against a service's form: required fields and the Open311 datatypes.

Returns every problem at once, so a person (or an integrator) can fix them in one go.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from townsquare.agencies.models import AttributeDatatype, Service, ServiceAttribute
from townsquare.errors import FieldError

MAX_TEXT = 4000


def _keys(attr: ServiceAttribute) -> set[str]:
    return {str(v.get("key")) for v in attr.values}


def _check_one(attr: ServiceAttribute, raw: Any) -> tuple[Any, str | None]:
    dt = attr.datatype
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


def validate_attributes(service: Service, answers: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """Clean answers keyed by attribute code, and the list of what is wrong (empty when all is well)."""
    by_code = {a.code: a for a in service.attributes if a.variable}
    clean: dict[str, Any] = {}
    errors: list[FieldError] = []
    for code in answers:
        if code not in by_code:
            errors.append(FieldError(f"attribute[{code}]", f"the service '{service.code}' has no such attribute"))
    for code, attr in by_code.items():
        raw = answers.get(code)
        if raw is None or raw == "" or raw == []:
            if attr.required:
                errors.append(FieldError(f"attribute[{code}]", f"is required ({attr.description})"))
            continue
        value, problem = _check_one(attr, raw)
        if problem:
            errors.append(FieldError(f"attribute[{code}]", problem))
        else:
            clean[code] = value
    return clean, errors
