"""Voice (IVR) on Twilio's wire format: each webhook answered with TwiML built with the twilio helpers."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/channels/voice", tags=["channels"])
