"""Rendering one piece of content for a channel: SMS text with segment counts, email text and HTML, speech.

Pure functions of the content and the channel, shared by replies, notifications and knowledge answers.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from townsquare.gsm import SmsEncoding, sms_encoding

__all__ = [
    "Content",
    "SmsEncoding",
    "new_message",
    "no_subject",
    "render",
    "shorten_sms",
    "sms_encoding",
    "summary",
]

NO_SUBJECT = {"en": "Your message to us", "fr": "Votre message"}  # an email's subject when nothing gives one
NEW_MESSAGE = {"en": "A new message from us", "fr": "Un nouveau message de notre part"}  # a push's title


def no_subject(language: str | None) -> str:
    """The subject of an email that has none of its own, in the reader's language."""
    return NO_SUBJECT.get(language or "en", NO_SUBJECT["en"])


def new_message(language: str | None) -> str:
    """The title of a push that has no subject of its own, in the reader's language."""
    return NEW_MESSAGE.get(language or "en", NEW_MESSAGE["en"])


@dataclass(frozen=True)
class Content:
    """What to say, independent of channel: plain text paragraphs, an optional subject and link."""

    text: str
    subject: str | None = None
    link: str | None = None


def _plain(text: str) -> str:
    """Collapse runs of blank space the way a text message or speech needs."""
    return re.sub(r"[ \t]+", " ", text).strip()


def shorten_sms(text: str, *, link: str | None, max_segments: int) -> str:
    """`text` (plus `link`) fitted into `max_segments`: cut at a word with an ellipsis, the link kept whole.

    A long answer costs the person (and the city) ten segments and arrives out of order on old phones;
    a short message with a link to the full text does not.
    """
    full = f"{text}\n{link}" if link else text
    if sms_encoding(full).segments <= max_segments:
        return full
    dots = "..." if sms_encoding(full).encoding == "GSM-7" else "…"  # "…" alone would force UCS-2
    tail = f"{dots}\n{link}" if link else dots
    words = text.split(" ")
    lo, hi = 0, len(words)
    while lo < hi:  # the most words that still fit
        mid = (lo + hi + 1) // 2
        if sms_encoding(" ".join(words[:mid]).rstrip(",;:.") + tail).segments <= max_segments:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:  # one enormous word: cut by characters instead
        cut = text
        while cut and sms_encoding(cut + tail).segments > max_segments:
            cut = cut[: max(1, len(cut) * 9 // 10) - 1]
        return cut + tail
    return " ".join(words[:lo]).rstrip(",;:.") + tail


URL = re.compile(r"https?://(?:(?!&quot;|&#x27;|&lt;|&gt;)[^\s<>\"'])+")  # in escaped text


def _linked(escaped: str) -> str:
    """Escaped text with its web addresses made links (a full stop or comma ending a sentence stays outside)."""

    def link(match: re.Match[str]) -> str:
        url = match.group(0)
        tail = ""
        while url and url[-1] in ".,;:!?)":
            url, tail = url[:-1], url[-1] + tail
        return f'<a href="{url}">{url}</a>{tail}'

    return URL.sub(link, escaped)


def render(
    content: Content,
    channel: str,
    *,
    sms_max_segments: int | None = None,
    more_link: str | None = None,
    language: str = "en",
) -> dict[str, Any]:
    """The payload the channel's provider sends: keys differ per channel, all are JSON-safe; `language` words an
    email's subject when the content has none.

    An SMS over `sms_max_segments` is shortened, ending with `content.link` or else `more_link` (the full text).
    """
    text = _plain(content.text)
    if channel == "sms":
        body = f"{text}\n{content.link}" if content.link else text
        if sms_max_segments is not None and sms_encoding(body).segments > sms_max_segments:
            body = shorten_sms(text, link=content.link or more_link, max_segments=sms_max_segments)
        enc = sms_encoding(body)
        return {"body": body, "encoding": enc.encoding, "segments": enc.segments}
    if channel == "email":
        paragraphs = [p.strip() for p in content.text.split("\n\n") if p.strip()]
        html_body = "".join(f"<p>{_linked(html.escape(p)).replace(chr(10), '<br>')}</p>" for p in paragraphs)
        if content.link:
            link = html.escape(content.link, quote=True)
            html_body += f'<p><a href="{link}">{link}</a></p>'
        plain = content.text.strip() + (f"\n\n{content.link}" if content.link else "")
        return {"subject": content.subject or no_subject(language), "text": plain, "html": html_body}
    if channel == "voice":
        return {"say": text}
    return {"text": text, **({"link": content.link} if content.link else {})}


def summary(payload: dict[str, Any]) -> str:
    """The human-readable text of a rendered payload, for the timeline."""
    for key in ("body", "text", "say"):
        if isinstance(payload.get(key), str):
            return str(payload[key])
    return ""
