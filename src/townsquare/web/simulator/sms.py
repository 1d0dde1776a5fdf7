"""The simulator's sms panel: plays the provider against the platform's real sms endpoint."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
