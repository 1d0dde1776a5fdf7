"""A notification by email says it was sent automatically and where to change how we contact the person."""

from __future__ import annotations

from townsquare.channels.email import compose
from townsquare.notify.providers import Envelope
from townsquare.settings import Settings


def test_a_notification_carries_list_unsubscribe_and_auto_submitted(settings: Settings) -> None:
    payload = {
        "subject": "Your request TS-2026-000123 is in progress",
        "text": "Hello Maria,\n\nA crew will fill it on Friday.",
        "list_unsubscribe": "https://city.example/account/contact",
        "auto_submitted": True,
    }
    message = compose(settings, Envelope("email", "maria@example.org", payload, "notification:1:0"))
    assert message["List-Unsubscribe"] == "<https://city.example/account/contact>"
    assert message["Auto-Submitted"] == "auto-generated"


def test_a_person_s_reply_has_neither(settings: Settings) -> None:
    payload = {"subject": "Re: Pothole", "text": "Thank you.", "list_unsubscribe": "javascript:alert(1)"}
    message = compose(settings, Envelope("email", "maria@example.org", payload, "interaction:1"))
    assert message["List-Unsubscribe"] is None
    assert message["Auto-Submitted"] is None
