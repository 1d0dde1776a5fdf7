"""Mastodon's notifications, translated: a mention of the city's account becomes an `InboundMessage` on `social`.

Reads the Notification and Status entities of Mastodon's REST API: the status's HTML made plain text (markup
stripped, words kept, the leading mentions dropped), its media as files the server keeps, a point if it links one,
the account as `acct@server`. A notification that cannot be read raises `Unreadable` with the reason, never a
guess. Decides nothing and logs nothing a person wrote.
"""

from __future__ import annotations

import mimetypes
import re
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qs, urlsplit

from townsquare.citizens.kinds import IdentityKind
from townsquare.engagement import mastodon
from townsquare.engagement.messages import InboundAttachment, InboundMessage, Sender
from townsquare.interactions.kinds import Channel
from townsquare.settings import Settings

ID = re.compile(r"^\d{1,30}$")
USERNAME = re.compile(r"^[\w.-]{1,64}$", re.UNICODE)
DOMAIN = re.compile(r"^[\w-]{1,63}(?:\.[\w-]{1,63})*$", re.UNICODE)  # a test server may have one label
VISIBILITIES = ("public", "unlisted", "private", "direct")
LEADING_MENTIONS = re.compile(r"^(?:\s*@[\w.-]+(?:@[\w.-]+)?)+\s*", re.UNICODE)
GEO_URI = re.compile(r"\bgeo:(-?\d{1,2}(?:\.\d+)?),(-?\d{1,3}(?:\.\d+)?)")
MAX_HTML = 200_000  # more markup than any server's longest status; the rest is never read
MEDIA_TYPES = {"image": "image/jpeg", "video": "video/mp4", "gifv": "video/mp4", "audio": "audio/mpeg"}
BLOCKS = {"p", "div", "blockquote", "li", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}


class Unreadable(ValueError):
    """A notification the door cannot read (the reason names the field, never its value)."""


class _Text(HTMLParser):
    """A status's HTML as plain text: paragraphs and line breaks kept, every tag dropped, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in BLOCKS:
            self.parts.append("\n\n")
        if tag == "a":
            self.links += [value for name, value in attrs if name == "href" and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skipping:
            self._skipping -= 1
        elif tag in BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def plain_text(html: str) -> tuple[str, list[str]]:
    """The words of a status's HTML content (paragraphs apart, spaces collapsed) and the links it carries."""
    parser = _Text()
    parser.feed(html[:MAX_HTML])
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text, parser.links


def notification_id(item: object) -> str:
    """A notification's id, which orders the feed; `Unreadable` when there is none to read."""
    found = item.get("id") if isinstance(item, dict) else None
    if not isinstance(found, str) or not ID.match(found):
        raise Unreadable("the notification has no id")
    return found


def account_of(account: object, server_host: str) -> tuple[str, str | None]:
    """The account as `user@server` (a local account's `acct` has no server) and its display name."""
    acct = account.get("acct") if isinstance(account, dict) else None
    if not isinstance(acct, str):
        raise Unreadable("the status has no account")
    user, _, domain = acct.partition("@")
    domain = domain or server_host
    if not USERNAME.match(user) or not DOMAIN.match(domain):
        raise Unreadable("the account is not user@server")
    name = account.get("display_name") if isinstance(account, dict) else None
    return f"{user}@{domain}".lower(), (name.strip()[:200] or None) if isinstance(name, str) else None


def translate(item: object, settings: Settings) -> InboundMessage:
    """The contact a mention notification carries; `Unreadable` for anything else."""
    nid = notification_id(item)
    assert isinstance(item, dict)
    if item.get("type") != "mention":
        raise Unreadable("the notification is not a mention")
    status = item.get("status")
    if not isinstance(status, dict) or not isinstance(status.get("id"), str) or not ID.match(status["id"]):
        raise Unreadable("the mention has no status")
    visibility = status.get("visibility")
    if visibility not in VISIBILITIES:
        raise Unreadable("the status has no visibility")
    content = status.get("content")
    if not isinstance(content, str):
        raise Unreadable("the status has no content")
    server = urlsplit(settings.mastodon_base_url or "").hostname or ""
    acct, display_name = account_of(status.get("account"), server)
    text, links = plain_text(content)
    words = LEADING_MENTIONS.sub("", text).strip()[: settings.max_body_chars]
    files, kept_as_links = media(status.get("media_attachments"), server, settings)
    reply_to = status.get("in_reply_to_id")
    spoiler = status.get("spoiler_text")
    found: dict[str, Any] = {
        "status_id": status["id"],
        "notification_id": nid,
        "account": acct,
        "visibility": visibility,
        "language": status.get("language") if isinstance(status.get("language"), str) else None,
        "uri": _url(status.get("uri")),
        "url": _url(status.get("url")),
        "in_reply_to_id": reply_to if isinstance(reply_to, str) and ID.match(reply_to) else None,
        "sensitive": status.get("sensitive") is True,
        "created_at": str(status.get("created_at"))[:40],
    }
    if kept_as_links:
        found["media_links"] = kept_as_links
    metadata: dict[str, Any] = {mastodon.NETWORK: found}
    if (point := location_in(words, links)) is not None:
        metadata["location"] = point
    step = mastodon.verification_step(words, visibility)
    return InboundMessage(
        channel=Channel.social,
        text=words,
        sender=Sender(IdentityKind.social, acct, mastodon.NETWORK, display_name),
        external_id=f"{mastodon.NETWORK}:{status['id']}",
        subject=(spoiler.strip()[:300] or None) if isinstance(spoiler, str) else None,
        attachments=files,
        metadata=metadata,
        thread_refs=(f"{mastodon.NETWORK}:{found['in_reply_to_id']}",) if found["in_reply_to_id"] else (),
        # A post with nothing but a mention (no words, no file) is kept on the record and asks no one for anything;
        # so is a step of verifying a contact, which the door answers itself.
        needs_person=bool(words or files) and step is None,
    )


def media(items: object, server_host: str, settings: Settings) -> tuple[tuple[InboundAttachment, ...], list[str]]:
    """A status's media: files the server keeps (fetched later, as MMS media are) when of a type accepted and on
    the server's own domain; any other is kept as a link only, never fetched."""
    files: list[InboundAttachment] = []
    links: list[str] = []
    for item in items if isinstance(items, list) else []:
        url = _url(item.get("url")) if isinstance(item, dict) else None
        if url is None:
            continue
        path = PurePosixPath(urlsplit(url).path)
        guessed = mimetypes.guess_type(path.name)[0] or MEDIA_TYPES.get(str(item.get("type")), "")
        ours = _same_site(urlsplit(url).hostname or "", server_host)
        if ours and guessed in settings.allowed_attachment_types and len(files) < settings.max_attachments:
            files.append(InboundAttachment(path.name[:200] or "media", guessed, url=url, from_provider=True))
        else:
            links.append(url)
    return tuple(files), links[:20]


def _same_site(host: str, server_host: str) -> bool:
    """Whether a file is on the server's own site: its host, or a sibling (files.social.example, media.example)."""
    if not host or not server_host:
        return False
    labels = server_host.split(".")
    parent = ".".join(labels[1:]) if len(labels) > 2 else server_host
    return host == server_host or host.endswith("." + parent)


def location_in(words: str, links: list[str]) -> dict[str, float] | None:
    """A point the post gives: a `geo:` URI, or a map link with a marker (OpenStreetMap's `mlat`/`mlon`)."""
    found = GEO_URI.search(" ".join([words, *links]))
    pair = (found.group(1), found.group(2)) if found is not None else None
    for link in links if pair is None else ():
        query = parse_qs(urlsplit(link).query)
        if "mlat" in query and "mlon" in query:
            pair = (query["mlat"][0], query["mlon"][0])
            break
    try:
        lat, long = (float(pair[0]), float(pair[1])) if pair is not None else (None, None)
    except ValueError:
        return None
    if lat is None or long is None or not (-90 <= lat <= 90 and -180 <= long <= 180):
        return None
    return {"lat": lat, "long": long}


def _url(value: object) -> str | None:
    if not isinstance(value, str) or len(value) > 2000:
        return None
    return value if urlsplit(value).scheme in ("https", "http") else None
