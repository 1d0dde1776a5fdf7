"""How every cookie of ours is set: HttpOnly, SameSite=Lax, and Secure when the platform is served over HTTPS."""

from __future__ import annotations

from fastapi.responses import Response

from townsquare.settings import Settings


def _secure(settings: Settings) -> bool:
    return settings.public_url.startswith("https://")


def keep(response: Response, name: str, value: str, settings: Settings, *, max_age: int, path: str = "/") -> None:
    """Set cookie `name` for `max_age` seconds under `path`."""
    response.set_cookie(
        name, value, max_age=max_age, path=path, httponly=True, samesite="lax", secure=_secure(settings)
    )


def forget(response: Response, name: str, settings: Settings, *, path: str = "/") -> None:
    """Delete cookie `name` (set with the same `path`)."""
    response.delete_cookie(name, path=path, httponly=True, samesite="lax", secure=_secure(settings))
