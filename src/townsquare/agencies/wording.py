"""A record's words in another language: agencies, services, held attributes and agreements keep English in their
columns and other languages in `translations` ({"fr": {"name": …}}); a missing or blank translation is English."""

from __future__ import annotations

from typing import Any


def translation(translations: dict[str, Any] | None, language: str, field: str) -> str | None:
    """The field's text in `language`, or None when there is none (English is in the record's own column)."""
    wording = (translations or {}).get(language) if language != "en" else None
    text = wording.get(field) if isinstance(wording, dict) else None
    return text if isinstance(text, str) and text.strip() else None


def translated(translations: dict[str, Any] | None, language: str, field: str, english: str) -> str:
    """The field's text in `language`, else the English one."""
    return translation(translations, language, field) or english
