"""What the assistant established before handing a contact to a person, worded for the work page.

Reads only the work item's stored context (`context["assistant"]`), tolerant of missing parts since it is JSON;
never queries and never writes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from townsquare.knowledge import rendering as knowledge_rendering

HANDOFF_REASONS = {
    "asked": "They asked for a person",
    "low_confidence": "The assistant was not sure enough of an answer",
    "not_helpful": "They said the answer did not help",
    "needs_person": "It needs a person",
    "repeated_misses": "The assistant could not answer several questions",
}
SPEAKERS = {"citizen": "Citizen", "assistant": "Assistant", "staff": "Staff"}


def _text(value: Any, limit: int = 2000) -> str:
    return str(value)[:limit] if isinstance(value, str | int | float) else ""


def _when(value: Any) -> datetime | None:
    """A turn's time, for the page to write as it writes every time; None when it is missing or unreadable."""
    try:
        at = datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _answer(value: Any) -> str:
    return _text(", ".join(map(str, value)) if isinstance(value, list) else value, 300)


def report_summary(context: dict[str, Any]) -> dict[str, Any] | None:
    """A guided report handed off part-way (`context["report"]`): the service, the place, whether a photo came,
    the form's answers and the step it stopped at; None when there was none."""
    raw = context.get("report")
    if not isinstance(raw, dict):
        return None
    location = raw.get("location")
    place = _text(location.get("address_string"), 500) if isinstance(location, dict) else ""
    answers = raw.get("answers")
    given = answers.items() if isinstance(answers, dict) else []
    choices = raw.get("choices")
    return {
        "service_code": _text(raw.get("service_code"), 64),
        "choices": [_text(c, 64) for c in choices] if isinstance(choices, list) else [],
        "place": place,
        "registered": isinstance(location, dict) and bool(location.get("address_id")),
        "photo": raw.get("photo") is True,
        "answers": [f"{_text(k, 64)}: {_answer(v)}" for k, v in given],
        "step": _text(raw.get("step"), 20),
    }


def handoff_summary(context: dict[str, Any], public_url: str) -> dict[str, Any] | None:
    """The intent, the reason, the question, what was verified, the conversation so far and the articles
    offered; None when the assistant never had the contact."""
    raw = context.get("assistant")
    if not isinstance(raw, dict):
        return None
    reason = _text(raw.get("reason"), 40)
    found = raw.get("verified")
    verified: dict[str, Any] = found if isinstance(found, dict) else {}
    transcript = [
        {
            "citizen": turn.get("from") == "citizen",
            "who": SPEAKERS.get(str(turn.get("from")), "Assistant"),
            "text": _text(turn.get("text")),
            "at": _when(turn.get("at")),
            "iso": _text(turn.get("at"), 40),
        }
        for turn in raw.get("transcript") or []
        if isinstance(turn, dict)
    ]
    articles = [
        {
            "title": _text(a.get("title"), 200) or _text(a.get("slug"), 120),
            "url": knowledge_rendering.article_url(public_url, _text(a.get("slug"), 120)),
            "version": _text(a.get("version"), 12),
        }
        for a in raw.get("articles") or []
        if isinstance(a, dict) and _text(a.get("slug"), 120)
    ]
    return {
        "intent": _text(raw.get("intent"), 40),
        "reason": HANDOFF_REASONS.get(reason, reason.replace("_", " ")),
        "question": _text(raw.get("question")),
        "case_reference": _text(verified.get("case_reference"), 40),
        "verified_by": _text(verified.get("method"), 40),
        "transcript": transcript,
        "articles": articles,
        "report": report_summary(context),
    }
