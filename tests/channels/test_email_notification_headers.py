"""A notification by email says it was sent automatically and how to stop that kind of email in one click."""

from __future__ import annotations

from email.message import EmailMessage

from townsquare.channels.email import compose
from townsquare.notify.providers import Envelope
from townsquare.settings import Settings

LINK = "https://city.example/unsubscribe/abc.def"


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert isinstance(text, EmailMessage)
    assert isinstance(html, EmailMessage)
    return str(text.get_content()), str(html.get_content())


def test_a_notification_carries_one_click_list_unsubscribe_and_auto_submitted(settings: Settings) -> None:
    payload = {
        "subject": "Your request TS-2026-000123 is in progress",
        "text": "Hello Maria,\n\nA crew will fill it on Friday.",
        "list_unsubscribe": LINK,
        "list_unsubscribe_one_click": True,
        "unsubscribe_note": "Stop emails like this one",
        "auto_submitted": True,
    }
    message = compose(settings, Envelope("email", "maria@example.org", payload, "notification:1:0"))
    assert message["List-Unsubscribe"] == f"<{LINK}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    text, html = _parts(message)
    assert f"Stop emails like this one: {LINK}" in text
    assert f'<a href="{LINK}"' in html


def test_a_french_notification_has_its_footer_in_french(settings: Settings) -> None:
    payload = {"subject": "Votre demande", "text": "Bonjour", "language": "fr", "list_unsubscribe": LINK}
    message = compose(settings, Envelope("email", "marie@example.org", payload, "notification:2:0"))
    text, html = _parts(message)
    assert "Répondez à ce courriel" in text
    assert '<html lang="fr">' in html
    assert message["List-Unsubscribe-Post"] is None  # one click only where the link takes a POST


def test_a_person_s_reply_has_neither(settings: Settings) -> None:
    payload = {"subject": "Re: Pothole", "text": "Thank you.", "list_unsubscribe": "javascript:alert(1)"}
    message = compose(settings, Envelope("email", "maria@example.org", payload, "interaction:1"))
    assert message["List-Unsubscribe"] is None
    assert message["Auto-Submitted"] is None
    text, _ = _parts(message)
    assert "javascript" not in text
