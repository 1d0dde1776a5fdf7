"""Signed links about one appointment: to see, move or cancel it (and its calendar file) without signing in, and to
claim a freed slot offered from the waiting list.

A link carries the appointment's id and an HMAC of it under the deployment's secret key, one purpose per use, so it
cannot be guessed, altered or used for the other. It names one appointment and nothing else; whether it still works
(not cancelled, not over, an offer not run out) is the appointment's own state, read when it is opened.
"""

from __future__ import annotations

import uuid

from townsquare import sealing
from townsquare.settings import Settings

MANAGE = "appointments.manage"
OFFER = "appointments.offer"
MAC_BYTES = 12  # 96 bits: unguessable, and short enough for a link in a text message
MANAGE_PATH = "/appointments/manage/"
OFFER_PATH = "/appointments/offer/"


def token(secret: str, purpose: str, appointment_id: uuid.UUID) -> str:
    return sealing.seal(secret, purpose, appointment_id.bytes, mac_bytes=MAC_BYTES)


def read(secret: str, purpose: str, value: str) -> uuid.UUID | None:
    """The appointment a link names, or None for a link we did not make for this purpose (or one altered)."""
    raw = sealing.unseal(secret, purpose, value, mac_bytes=MAC_BYTES)
    return uuid.UUID(bytes=raw) if raw is not None and len(raw) == 16 else None


def manage_path(settings: Settings, appointment_id: uuid.UUID) -> str:
    return MANAGE_PATH + token(settings.secret_key, MANAGE, appointment_id)


def manage_url(settings: Settings, appointment_id: uuid.UUID) -> str:
    """Where the person sees, moves or cancels the appointment."""
    return settings.public_url.rstrip("/") + manage_path(settings, appointment_id)


def calendar_url(settings: Settings, appointment_id: uuid.UUID) -> str:
    """The appointment as a calendar file (.ics)."""
    return manage_url(settings, appointment_id) + "/calendar.ics"


def offer_url(settings: Settings, appointment_id: uuid.UUID) -> str:
    """Where a person on the waiting list takes the slot held for them."""
    return settings.public_url.rstrip("/") + OFFER_PATH + token(settings.secret_key, OFFER, appointment_id)
