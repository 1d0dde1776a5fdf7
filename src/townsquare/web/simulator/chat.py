"""The simulator's chat panel: the real widget on this page, and a way to be a second device of the same person.

The widget talks to the platform's real chat websocket; nothing here fakes a provider. A second device is the
same browser with its own localStorage key (`chat_device`), so it holds a separate device token.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

router = APIRouter()


@router.get("/chat/second-device")
async def second_device() -> RedirectResponse:
    """A fresh device identity each time: the simulator page with the chat open under a new storage key."""
    return RedirectResponse(f"/simulator?chat=open&chat_device=device-{secrets.token_hex(3)}", status_code=303)
