"""The simulator's voice panel: plays the provider against the platform's real voice endpoint."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
