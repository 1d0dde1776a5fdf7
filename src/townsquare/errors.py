"""Problems: the errors a caller can act on, rendered as RFC 9457 problem+json by the app.

Domain code raises these with a readable message; it never leaks personal data into `detail`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FieldError:
    """One thing wrong with one input field."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass
class Problem(Exception):
    """An error with an HTTP status, a short title and a human-readable detail."""

    status: int
    title: str
    detail: str
    type_slug: str = "about:blank"
    errors: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"


def invalid(detail: str, *errors: FieldError) -> Problem:
    """422: the request was understood but a value is not acceptable."""
    return Problem(422, "Invalid input", detail, "invalid-input", list(errors))


def not_found(what: str, detail: str | None = None) -> Problem:
    """404 for a resource that does not exist or that the caller may not see."""
    return Problem(404, f"{what} not found", detail or f"No {what.lower()} matches that identifier.", "not-found")


def conflict(detail: str) -> Problem:
    """409: the request conflicts with the current state."""
    return Problem(409, "Conflict", detail, "conflict")


def forbidden(detail: str) -> Problem:
    """403: authenticated, but not allowed."""
    return Problem(403, "Forbidden", detail, "forbidden")


def unauthorized(detail: str = "Sign in or present an API key.") -> Problem:
    """401: no usable credentials."""
    return Problem(401, "Authentication required", detail, "unauthorized")


def too_large(detail: str) -> Problem:
    """413: the body or an attachment is over its limit."""
    return Problem(413, "Content too large", detail, "too-large")
