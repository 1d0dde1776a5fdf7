"""Service wording in the page's language: the English columns, or the `translations` a service carries."""

from __future__ import annotations

from typing import Any

from townsquare.residents.types import Service, ServiceAttribute
from townsquare.web import i18n


def _translated(translations: dict[str, Any], field: str) -> str | None:
    wording = translations.get(i18n.current()) if i18n.current() != "en" else None
    value = wording.get(field) if isinstance(wording, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def service_text(service: Service, field: str) -> str:
    """`name` or `description` of a service in the current language (English when not translated)."""
    return _translated(service.translations or {}, field) or str(getattr(service, field))


def agency_text(agency: Any, field: str) -> str:
    """An agency's `name` or `description` in the current language (as it is named in English otherwise)."""
    return _translated(getattr(agency, "translations", None) or {}, field) or str(getattr(agency, field))


def attribute_text(attribute: ServiceAttribute, field: str) -> str:
    """`description` (the question) or `datatype_description` (the hint) in the current language."""
    return _translated(attribute.translations or {}, field) or str(getattr(attribute, field))


def value_name(attribute: ServiceAttribute, key: str) -> str:
    """The label of one choice of a list attribute in the current language."""
    wording = (attribute.translations or {}).get(i18n.current()) if i18n.current() != "en" else None
    names = wording.get("values") if isinstance(wording, dict) else None
    if isinstance(names, dict) and isinstance(names.get(key), str):
        return str(names[key])
    for value in attribute.values:
        if str(value.get("key")) == key:
            return str(value.get("name", key))
    return key
