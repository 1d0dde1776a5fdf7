"""Reading one raw RFC 5322 message into the canonical InboundMessage, with the email package.

Pure translation: no database, no network. In text, bad bytes and lone surrogates become replacement characters
and control characters are dropped, rather than errors; only a message with no usable From address, a header that
cannot be read, or a broken MIME structure is refused (a 422 Problem).
"""

from __future__ import annotations

import email
import email.errors
import email.policy
import hashlib
import re
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import Any

import nh3

from townsquare.citizens.kinds import IdentityKind
from townsquare.engagement.messages import InboundAttachment, InboundMessage, Sender
from townsquare.errors import FieldError, invalid
from townsquare.hygiene import clean_text, safe_filename
from townsquare.interactions.kinds import Channel

MAX_ID_CHARS = 250  # interactions.external_id is 255 characters
MAX_REFS = 50
MAX_COPY_CHARS = 100_000  # the sanitised HTML and the unstripped text kept in metadata
AUTO_PRECEDENCE = {"bulk", "junk", "list"}
# Defects that mean the parts cannot be found: refusing is better than recording half a message.
BROKEN = (
    email.errors.NoBoundaryInMultipartDefect,
    email.errors.StartBoundaryNotFoundDefect,
    email.errors.MultipartInvariantViolationDefect,
)
_ID = re.compile(r"<([^<>\s]+)>")
_ATTRIBUTION = re.compile(r"^\s*(On\s.+\swrote|Le\s.+\sa\s+écrit)\s*:\s*$", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(r"^\s*(On|Le)\s", re.IGNORECASE)
_OTHER_SURROGATE = re.compile(r"[\ud800-\udc7f\udd00-\udfff]")  # not the surrogateescape range
_OUTLOOK = re.compile(r"^\s*-{2,}\s*(Original Message|Message d'origine)\s*-{2,}\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Bounce:
    """A delivery status notification: which of our messages it is about, and whether delivery failed."""

    message_ids: tuple[str, ...]
    failed: bool


@dataclass(frozen=True)
class ParsedEmail:
    """A message read from the wire: a contact to ingest, or a bounce (never both)."""

    message: InboundMessage | None
    bounce: Bounce | None = None
    automatic: str | None = None  # why nobody should answer it (an auto-reply, a list, a bounce)


def clean(value: str) -> str:
    """Text as kept: undecodable bytes (held as surrogates by the email package) as U+FFFD, or joined back when
    they spell UTF-8; any other lone surrogate (a UTF-7 part can make one) as U+FFFD; NUL and control characters
    but tab, CR and LF dropped (`hygiene.clean_text`): a sender cannot act on a refusal for them."""
    value = _OTHER_SURROGATE.sub("\ufffd", value)
    return clean_text(value.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


def message_id(value: str) -> str:
    """A Message-ID as stored and compared: no angle brackets; over-long ids become a hash of themselves."""
    found = _ID.search(value)
    ident = clean(found.group(1) if found else value.strip())
    if len(ident) > MAX_ID_CHARS:
        ident = "sha256-" + hashlib.sha256(ident.encode()).hexdigest()
    return ident


def message_ids(value: str | None) -> list[str]:
    """Every Message-ID in a header such as References or In-Reply-To, in order."""
    if not value:
        return []
    found = _ID.findall(value) or value.split()
    return [message_id(v) for v in found if v.strip()]


def read(raw: bytes) -> EmailMessage:
    """The parsed message; a 422 Problem when its MIME structure is broken."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    for part in msg.walk():
        if any(isinstance(d, BROKEN) for d in part.defects):
            raise invalid(
                "The message's MIME structure is broken (a multipart without its boundaries), so it cannot be read.",
                FieldError("message", "broken MIME structure"),
            )
    return msg


def addresses(msg: Message, *names: str) -> list[str]:
    """The lower-cased addresses in the named headers, in order, without duplicates or undecodable ones."""
    values = []
    for name in names:
        try:
            values += [str(v) for v in msg.get_all(name, [])]
        except UnicodeError:  # an encoded word the email package cannot decode: no address to be read there
            continue
    seen: list[str] = []
    for _, spec in getaddresses(values):
        username, _, domain = spec.rpartition("@")
        value = _spec(username, domain)
        if value and value not in seen:
            seen.append(value)
    return seen


def _spec(username: str, domain: str) -> str | None:
    """user@domain lower-cased, or None when a part is missing, undecodable or not one word."""
    spec = f"{username}@{domain}"
    if not username or not domain or clean(spec) != spec or any(ch.isspace() for ch in spec):
        return None
    return spec.lower()


def _sender(msg: EmailMessage) -> Sender:
    header = msg.get("From")
    found = getattr(header, "addresses", ()) if header is not None else ()
    if not found:
        raise invalid("The message has no From address, so there is nobody to answer.", FieldError("from", "missing"))
    value = _spec(found[0].username, found[0].domain)
    if value is None:
        raise invalid("The From address is not a valid email address.", FieldError("from", "invalid address"))
    name = clean(found[0].display_name or "").strip() or None
    return Sender(IdentityKind.email, value, display_name=name[:200] if name else None)


def automatic_reason(msg: EmailMessage, envelope_sender: str | None) -> str | None:
    """Why this message was sent by a machine (so it must never be answered or open work), or None."""
    auto = clean(str(msg.get("Auto-Submitted", ""))).split(";")[0].strip().lower()
    if auto and auto != "no":
        return f"auto-submitted: {auto}"[:60]
    if str(msg.get("Precedence", "")).strip().lower() in AUTO_PRECEDENCE:
        return "precedence"
    if msg.get("X-Autoreply") is not None or msg.get("X-Autorespond") is not None:
        return "auto-reply"
    if msg.get("List-Id") is not None:
        return "mailing-list"
    return_path = msg.get("Return-Path")
    null = ("", "<>")  # aiosmtpd reports MAIL FROM:<> as "<>"
    if (envelope_sender is not None and envelope_sender.strip() in null) or (
        return_path is not None and str(return_path).strip() in null
    ):
        return "empty envelope sender"
    return None


def is_dsn(msg: EmailMessage) -> bool:
    return msg.get_content_type() == "multipart/report" and (
        str(msg.get_param("report-type", "")).lower() == "delivery-status"
    )


def read_bounce(msg: EmailMessage) -> Bounce:
    """The Message-IDs a delivery status notification is about, and whether any recipient failed."""
    ids: list[str] = []
    actions: list[str] = []
    for name in ("Original-Message-ID", "X-Original-Message-ID", "In-Reply-To", "References"):
        ids += message_ids(str(msg.get(name, "")))
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            for block in part.get_payload():
                if isinstance(block, Message) and block.get("Action"):
                    actions.append(str(block.get("Action")).strip().lower())
        elif ctype == "message/rfc822":
            inner = part.get_payload()
            returned = inner[0] if isinstance(inner, list) and inner else None
            if isinstance(returned, Message):
                ids += message_ids(str(returned.get("Message-ID", "")))
        elif ctype == "text/rfc822-headers":
            payload = part.get_payload(decode=True)
            headers = email.message_from_bytes(payload if isinstance(payload, bytes) else b"")
            ids += message_ids(str(headers.get("Message-ID", "")))
    unique = tuple(dict.fromkeys(i for i in ids if i))
    return Bounce(unique, failed=not actions or "failed" in actions)


def parse(raw: bytes, *, recipient: str | None, envelope_sender: str | None = None) -> ParsedEmail:
    """Read a raw message delivered to `recipient` (an agency address) into what the pipeline ingests."""
    msg = read(raw)
    try:
        if is_dsn(msg):
            return ParsedEmail(None, read_bounce(msg), "delivery status notification")
        return to_inbound(msg, raw, recipient=recipient, envelope_sender=envelope_sender)
    except UnicodeError:  # a header's encoded word decodes to a lone surrogate, which the email package trips on
        raise invalid(
            "A header of the message cannot be read (an encoded word that is not text), so it cannot be taken.",
            FieldError("message", "a header that cannot be read"),
        ) from None


def to_inbound(
    msg: EmailMessage, raw: bytes, *, recipient: str | None, envelope_sender: str | None = None
) -> ParsedEmail:
    """The canonical message for a parsed email that is not a bounce."""
    sender = _sender(msg)
    header_id = str(msg.get("Message-ID", "")).strip()
    ident = message_id(header_id) if header_id else "sha256-" + hashlib.sha256(raw).hexdigest()
    references = message_ids(str(msg.get("References", "")))
    for ref in message_ids(str(msg.get("In-Reply-To", ""))):
        if ref not in references:
            references.append(ref)
    references = references[-MAX_REFS:]
    subject = " ".join(clean(str(msg.get("Subject", ""))).split())
    metadata: dict[str, Any] = {
        "message_id": ident,
        "references": references,
        "to": recipient,
        "addressed_to": addresses(msg, "To"),
        "cc": addresses(msg, "Cc"),
    }
    body = msg.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        content = text_of(body).replace("\r\n", "\n")
        if body.get_content_type() == "text/html":
            if len(content) <= MAX_COPY_CHARS:
                metadata["html"] = nh3.clean(content)
            content = clean_text(html_to_text(content))  # character references can name controls
        text, stripped = strip_quoted(content)
        if stripped and len(content) <= MAX_COPY_CHARS:
            metadata["full_text"] = content.strip()
    reason = automatic_reason(msg, envelope_sender)
    if reason:
        metadata["automatic"] = reason
    message = InboundMessage(
        channel=Channel.email,
        external_id=ident,
        sender=sender,
        recipient=recipient,
        subject=subject or None,
        text=text,
        attachments=attachments(msg, body),
        thread_refs=tuple(references),
        metadata=metadata,
    )
    return ParsedEmail(message, None, reason)


def text_of(part: Message) -> str:
    """A text part decoded with its declared charset; unknown charsets as UTF-8, bad bytes as U+FFFD."""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    try:
        return clean(data.decode(part.get_content_charset() or "utf-8", "replace"))
    except LookupError:  # an unknown charset, or a codec that is not a text encoding (rot13, base64)
        return clean(data.decode("utf-8", "replace"))


def attachments(msg: EmailMessage, body: Message | None) -> tuple[InboundAttachment, ...]:
    """Every file in the message, inline images included; the text and HTML bodies are not files."""
    found: list[InboundAttachment] = []

    def visit(part: Message) -> None:
        if part is body:
            return
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            returned = inner[0] if isinstance(inner, list) and inner else None
            data = returned.as_bytes() if isinstance(returned, Message) else b""
            found.append(InboundAttachment(_filename(part, len(found), ".eml"), "message/rfc822", data))
            return
        if part.is_multipart():
            for child in part.get_payload():
                if isinstance(child, Message):
                    visit(child)
            return
        disposition = (part.get_content_disposition() or "").lower()
        if part.get_content_maintype() == "text" and disposition != "attachment" and not part.get_filename():
            return  # an alternative rendering of the body, not a file
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        found.append(InboundAttachment(_filename(part, len(found), ""), part.get_content_type(), data))

    visit(msg)
    return tuple(found)


def _filename(part: Message, index: int, ext: str) -> str:
    return safe_filename(clean(part.get_filename() or ""), fallback=f"attachment-{index + 1}{ext}")


def strip_quoted(text: str) -> tuple[str, bool]:
    """The new part of a reply, without the quoted history when it is clearly marked; and whether any was cut."""
    lines = text.rstrip().split("\n")
    cut = len(lines)
    for i, line in enumerate(lines):
        if _OUTLOOK.match(line):
            cut = i
            break
        attribution = _ATTRIBUTION.match(line)
        start = i
        if attribution is None and _ATTRIBUTION_START.match(line) and i + 1 < len(lines):
            attribution = _ATTRIBUTION.match(f"{line} {lines[i + 1]}")  # the attribution wrapped onto two lines
            i += 1
        if attribution and _quoted_follows(lines, i + 1):
            cut = start
            break
    while cut > 0 and (lines[cut - 1].lstrip().startswith(">") or not lines[cut - 1].strip()):
        cut -= 1  # a trailing block of quoted lines
    kept = "\n".join(lines[:cut]).strip()
    if not kept:
        return text.strip(), False
    return kept, kept != text.strip()


def _quoted_follows(lines: list[str], start: int) -> bool:
    for line in lines[start:]:
        if line.strip():
            return line.lstrip().startswith(">")
    return False


class _TextExtractor(HTMLParser):
    """HTML to readable text: blocks become lines, lists get dashes, blockquotes become "> " lines."""

    BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr", "section"}
    )
    SKIP = frozenset({"script", "style", "head", "title", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.depth = 0
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag == "blockquote":
            self.depth += 1
            self.out.append("\n")
        elif tag in self.BLOCKS:
            self.out.append("\n")
            if tag == "li":
                self.out.append("- ")
        elif tag == "a":
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self.depth = max(0, self.depth - 1)
            self.out.append("\n")
        elif tag in self.BLOCKS and tag != "li":
            self.out.append("\n")
        elif tag == "a":
            self.href = None

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        text = re.sub(r"\s+", " ", data)
        if self.href and self.href.startswith(("http://", "https://")) and self.href not in text:
            text = f"{text} ({self.href})"
            self.href = None
        if self.depth and text.strip():
            self.out.append(f"\x00{self.depth}\x00")
        self.out.append(text)


def html_to_text(markup: str) -> str:
    """Readable plain text from an HTML body (tags dropped, scripts and styles ignored)."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines: list[str] = []
    for raw_line in "".join(parser.out).split("\n"):
        depth = 0
        marker = re.search(r"\x00(\d+)\x00", raw_line)
        if marker:
            depth = int(marker.group(1))
        line = " ".join(re.sub(r"\x00\d+\x00", "", raw_line).split())
        if line or (lines and lines[-1]):
            lines.append(("> " * depth + line) if line else "")
    return "\n".join(lines).strip()
