"""Values only this deployment can mint: a body and an HMAC of it under the secret key, URL- and cookie-safe.

`purpose` separates uses, so a value sealed for one (a message link, a pending sign-in, an OpenID Connect
flow) is never accepted by another. Sealing signs; it does not hide the body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

MAX_SEALED_CHARS = 4000


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _mac(secret: str, purpose: str, raw: bytes, mac_bytes: int) -> str:
    return _b64(hmac.new(secret.encode(), purpose.encode() + b":" + raw, hashlib.sha256).digest()[:mac_bytes])


def seal(secret: str, purpose: str, raw: bytes, *, mac_bytes: int = 32) -> str:
    """`raw` with its HMAC, as `body.mac`; a shorter `mac_bytes` (at least 12) keeps links in text messages short."""
    return _b64(raw) + "." + _mac(secret, purpose, raw, mac_bytes)


def unseal(secret: str, purpose: str, value: str | None, *, mac_bytes: int = 32) -> bytes | None:
    """The body of a value sealed here for `purpose`; None for anything else (altered, foreign, malformed)."""
    body, _, mac = (value or "")[:MAX_SEALED_CHARS].partition(".")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        return None
    return raw if mac and hmac.compare_digest(mac, _mac(secret, purpose, raw, mac_bytes)) else None


def seal_json(secret: str, purpose: str, data: dict[str, Any]) -> str:
    """A JSON object, sealed."""
    return seal(secret, purpose, json.dumps(data, separators=(",", ":")).encode())


def unseal_json(secret: str, purpose: str, value: str | None) -> dict[str, Any] | None:
    """The JSON object inside a sealed value, or None."""
    raw = unseal(secret, purpose, value)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
