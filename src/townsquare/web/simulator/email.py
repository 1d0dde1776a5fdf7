"""The simulator's email panel: plays the provider against the platform's real email endpoint."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
