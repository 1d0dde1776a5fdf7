"""The simulator's chat panel: plays the provider against the platform's real chat endpoint."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
