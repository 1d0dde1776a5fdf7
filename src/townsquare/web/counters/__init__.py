"""The counters' public pages: an office's kiosk (take a ticket on the office's tablet or on your own phone, from
the poster's QR code), a ticket's own page, and the display screen that calls tickets to counters, live.

No sign-in and no personal data on any of them; the kiosk's form is limited per client.
"""

from __future__ import annotations

from fastapi import APIRouter

from townsquare.web.counters import display, kiosk

routers: list[APIRouter] = [kiosk.router, display.router]
sockets: list[APIRouter] = [display.sockets]
