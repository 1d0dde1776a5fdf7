"""One Open311 response, written as XML (required by the spec) or JSON (the Spark convention).

A response is built once from plain values (`Items` for repeated elements) and rendered in either format, so the
two can never disagree. Never parses XML: clients send form fields only.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # builds documents only; nothing from a client is parsed
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import orjson
from starlette.responses import Response

XML_MEDIA = "text/xml; charset=utf-8"
JSON_MEDIA = "application/json; charset=utf-8"


class Format(StrEnum):
    xml = "xml"
    json = "json"


FORMAT_MEDIA = {Format.xml: "text/xml", Format.json: "application/json"}


def parse_format(fmt: str) -> Format | None:
    """The format named by a path's extension, or None when it is not one we offer."""
    try:
        return Format(fmt.lower())
    except ValueError:
        return None


@dataclass(frozen=True)
class Items:
    """Repeated elements: `<tag>` children in XML, an array in JSON. `plain`: the values are flat mappings of
    JSON-ready values already (strings, numbers, None, UTC datetimes; no enums or empty strings), so JSON takes
    them as they are: a list of a thousand requests is not walked value by value twice."""

    tag: str
    values: Sequence[Any]
    plain: bool = False


def w3c(when: datetime) -> str:
    """A W3C datetime in UTC with its zone ("2026-05-01T13:15:30Z")."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _plain(value: Any) -> Any:
    """The JSON value of one field: empty text is null (as an empty XML element reads), datetimes are W3C."""
    if isinstance(value, Items):
        return value.values if value.plain else [_plain(v) for v in value.values]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value if value.tzinfo is UTC else w3c(value)  # orjson writes a UTC one in W3C form itself
    if isinstance(value, StrEnum):
        return value.value
    if value == "":
        return None
    return value


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return w3c(value)
    if isinstance(value, StrEnum):
        return value.value
    return str(value)


def _append(parent: ET.Element, tag: str, value: Any) -> None:
    element = ET.SubElement(parent, tag)
    _fill(element, value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Items):
        for item in value.values:
            _append(element, value.tag, item)
    elif isinstance(value, Mapping):
        for key, child in value.items():
            _append(element, str(key), child)
    else:
        element.text = _text(value)


def to_xml(root: str, body: Any) -> bytes:
    """The document, with its UTF-8 declaration and no namespace."""
    element = ET.Element(root)
    _fill(element, body)
    document: bytes = ET.tostring(element, encoding="utf-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + document


# A UTC datetime as `w3c` writes it: seconds, "Z".
_W3C_UTC = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS


def to_json(body: Any) -> bytes:
    """The Spark mapping: the root element is dropped, repeated children become an array."""
    return orjson.dumps(_plain(body), option=_W3C_UTC)


def render(
    fmt: Format, root: str, body: Any, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A response in the asked-for format."""
    if fmt is Format.json:
        return Response(to_json(body), status_code=status_code, media_type=JSON_MEDIA, headers=headers)
    return Response(to_xml(root, body), status_code=status_code, media_type=XML_MEDIA, headers=headers)


@dataclass(frozen=True)
class Error:
    """One entry of a spec error response; `status` is the HTTP status it calls for."""

    code: int
    description: str

    @property
    def status(self) -> int:
        return self.code if self.code in (403, 404, 429) else 400


def http_status(errors: Iterable[Error]) -> int:
    """403 for a key problem, else 404 for a missing resource, else 429, else 400."""
    found = {e.status for e in errors}
    for status in (403, 404, 429):
        if status in found:
            return status
    return 400


def errors(
    fmt: Format, problems: Sequence[Error], *, status_code: int | None = None, headers: Mapping[str, str] | None = None
) -> Response:
    """The spec's `<errors><error><code/><description/></error></errors>`, all problems at once."""
    body = Items("error", [{"code": e.code, "description": e.description} for e in problems])
    return render(fmt, "errors", body, status_code=status_code or http_status(problems), headers=headers)
