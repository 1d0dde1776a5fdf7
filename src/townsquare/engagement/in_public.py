"""What the city may say in public (an answer on a public Mastodon thread): the rule, as pure functions.

A public answer is read by anyone, kept by every server it reaches and boosted beyond reach, so it never carries
personal data: no email address, phone number, house-numbered address, postal code, case reference, long number
(an account, a card), link carrying an identifier, mention of anyone else, or anything known of the person (their
name, their contacts). Whatever matches is replaced by a marker and named in `Redacted.removed`. Does no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import phonenumbers

MARKER = {"en": "[removed]", "fr": "[retiré]"}

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
HANDLE = re.compile(r"(?<![\w@])@[\w.-]+(?:@[\w-]+(?:\.[\w-]+)+)?", re.UNICODE)
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
# A case reference: the city's own (TS-2026-000123) and any other that looks like one (AB-2026-1234).
CASE_REFERENCE = re.compile(r"\b[A-Z]{1,6}-\d{4}-\d{3,}\b", re.IGNORECASE)
POSTCODE = re.compile(
    r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d\b"  # Canada: K1A 0B1
    r"|\b\d{5}-\d{4}\b",  # the United States' ZIP+4
    re.IGNORECASE,
)
_EN_TYPES = (
    "street|st|road|rd|avenue|ave|boulevard|blvd|drive|dr|lane|ln|court|ct|crescent|cres|place|pl|way|terrace|"
    "parkway|pkwy|highway|hwy|circle|cir|square|sq|trail|close|gate|row|grove|line|concession"
)
_FR_TYPES = "rue|avenue|av|boulevard|boul|bd|chemin|place|allée|allee|impasse|route|rang|montée|montee|côte|quai"
_NUMBER = r"\d{1,6}(?:[-/]\d{1,6})?[a-zA-Z]?"
STREET_ADDRESS = re.compile(
    # English order, the street named with capitals: 1234 Elm Street, 12B Main St., 55 Avenue Road, 10 5th Ave
    rf"\b{_NUMBER},?\s+(?:[A-Z0-9][\w'.-]*\s+){{1,4}}(?i:{_EN_TYPES})\b"
    # French order, the street named with capitals: 12 rue des Lilas, 4-6 chemin du Lac Vert, 1 place d'Youville
    rf"|\b{_NUMBER},?\s+(?i:{_FR_TYPES})\s+(?:(?:de la|de l'|des|du|de|d')\s*)?[A-ZÀ-Ý0-9][\w'-]*"
    r"(?:\s+[A-ZÀ-Ý][\w'-]+){0,3}"
    # A box or a unit: PO Box 123, Apt 4, unit 12B, app. 3
    r"|\b(?i:p\.?\s?o\.?\s+box|box|apt\.?|apartment|unit|suite|app\.?|appartement|case postale|c\.p\.)\s*#?\s*"
    rf"{_NUMBER}\b",
    re.UNICODE,
)
# A long number (an account, a card, a social insurance number) however it is spaced: seven digits or more.
LONG_NUMBER = re.compile(r"(?<![\w])\+?\d(?:[\s().-]*\d){6,}(?![\w])")
# A date (2026-03-02, 02/03/2026) or a range of years (2025-2026) is not a long number.
DATE_LIKE = re.compile(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{4}\s*-\s*\d{4})$")
TOKEN_SEGMENT = re.compile(r"[A-Za-z0-9_-]{20,}")
KINDS = ("email", "case_reference", "phone", "address", "postcode", "link", "mention", "known", "number")
PATTERNS = (
    ("email", EMAIL),
    ("mention", HANDLE),
    ("case_reference", CASE_REFERENCE),
    ("address", STREET_ADDRESS),
    ("postcode", POSTCODE),
)


@dataclass(frozen=True)
class Redacted:
    """Words made fit to be said in public, and what had to go (kinds, in the order found)."""

    text: str
    removed: tuple[str, ...]


def _phones(text: str, region: str) -> list[tuple[int, int]]:
    found = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE)
    return [(m.start, m.end) for m in found]


def _link_carries_something(url: str) -> bool:
    """A link that can carry an identifier: a query, a fragment, or a path segment that looks like a token."""
    parts = urlsplit(url if "://" in url else "https://" + url)
    return bool(parts.query or parts.fragment or any(TOKEN_SEGMENT.fullmatch(s) for s in parts.path.split("/")))


def _known_pattern(known: Iterable[str]) -> re.Pattern[str] | None:
    """Whole words or phrases known of the person (their name, their contacts), longest first."""
    words = {w.strip() for w in known if w and len(w.strip()) >= 2}
    for value in list(words):
        words.update(part for part in value.split() if len(part) >= 3)  # "Maria Lopez": "Maria", "Lopez" too
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", re.IGNORECASE | re.UNICODE)


def redact(text: str, *, known: Iterable[str] = (), region: str = "CA", language: str = "en") -> Redacted:
    """`text` with everything personal replaced by a marker (see the module's rule); `known` are the person's own
    words (their name, their contacts), `region` reads phone numbers written without a country code."""
    found: list[tuple[int, int, str]] = []
    known_words = _known_pattern(known)
    if known_words is not None:
        found += [(m.start(), m.end(), "known") for m in known_words.finditer(text)]
    for m in URL.finditer(text):
        url = m.group(0).rstrip(".,;:!?)")
        if _link_carries_something(url):
            found.append((m.start(), m.start() + len(url), "link"))
    for kind, pattern in PATTERNS:
        found += [(m.start(), m.end(), kind) for m in pattern.finditer(text)]
    found += [(start, end, "phone") for start, end in _phones(text, region)]
    found += [(m.start(), m.end(), "number") for m in LONG_NUMBER.finditer(text) if not DATE_LIKE.match(m.group(0))]
    spans = _merged(found)
    marker = MARKER.get(language, MARKER["en"])
    out, at = [], 0
    for start, end, _ in spans:
        out += [text[at:start], marker]
        at = end
    out.append(text[at:])
    cleaned = re.sub(r"[ \t]+", " ", "".join(out)).strip()
    return Redacted(cleaned, tuple(kind for _, _, kind in spans))


def _merged(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping finds as one span each, in text order, named by the most telling of them (an email inside a
    mention is an email; a phone number is not just a long number)."""
    spans: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(found):
        if spans and start < spans[-1][1]:
            s, e, named = spans[-1]
            spans[-1] = (s, max(e, end), min(named, kind, key=KINDS.index))
        else:
            spans.append((start, end, kind))
    return spans


def visibility(answering: str | None, *, public_answer_given: bool) -> str:
    """The visibility of the city's next answer to a status of visibility `answering` (None: nothing to answer).

    Only the first answer to a public (or unlisted) post is itself public, and then unlisted: seen in the thread,
    kept off the public timelines. Every other answer is a private mention (`direct`): after a followers-only or a
    direct post, after the first public answer, and when the city writes first.
    """
    if answering in ("public", "unlisted") and not public_answer_given:
        return "unlisted"
    return "direct"


def fit(head: str, body: str, tail: str, *, limit: int) -> str:
    """`head`, `body` and `tail` as one status of at most `limit` characters: the body is cut at a word (with an
    ellipsis) so the head (the mention) and the tail (the offer to continue privately) always arrive whole."""
    whole = _join(head, body, tail)
    if len(whole) <= limit:
        return whole
    room = limit - len(_join(head, "…", tail))
    if room <= 0:
        return _join(head, "", tail)[:limit]
    cut = body[:room].rsplit(" ", 1)[0] if " " in body[:room] else body[:room]
    return _join(head, cut.rstrip(" ,;:.") + "…", tail)


def _join(head: str, body: str, tail: str) -> str:
    first = " ".join(p for p in (head, body) if p)
    return "\n\n".join(p for p in (first, tail) if p)
