"""Signing webhook deliveries (HMAC-SHA256 over the timestamp and the raw body) and the check receivers make.

`verify` is the function integrators may copy: standard library only, constant-time comparison, a bounded age
so a captured delivery cannot be replayed later. Never log a secret or a signature.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping

SIGNATURE_HEADER = "Townsquare-Signature"
EVENT_HEADER = "Townsquare-Event"
DELIVERY_HEADER = "Townsquare-Delivery"
DEFAULT_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A fresh signing secret for an endpoint (shown to the integrator once)."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `"<timestamp>." + body` under `secret`."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, *, body: bytes, event_type: str, delivery_id: str, timestamp: int) -> dict[str, str]:
    """The headers a delivery is posted with."""
    return {
        SIGNATURE_HEADER: f"t={timestamp},v1={signature(secret, timestamp, body)}",
        EVENT_HEADER: event_type,
        DELIVERY_HEADER: delivery_id,
        "Content-Type": "application/json",
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Whether `body` came from Townsquare signed with `secret`, less than `tolerance` seconds ago.

    `headers` is the request's headers (any case of the names); `body` the raw bytes, before any JSON parsing.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    parts = dict(item.split("=", 1) for item in lowered.get(SIGNATURE_HEADER.lower(), "").split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, parts.get("v1", ""))
