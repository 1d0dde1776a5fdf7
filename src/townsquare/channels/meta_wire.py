"""Meta's webhook payloads read into the platform's messages: the WhatsApp Cloud API's `messages` changes (object
`whatsapp_business_account`) and the `messaging` events of Messenger (object `page`) and Instagram (`instagram`).

Pure translation, no database: what cannot be read is refused with a 422 naming the field; what is not a person's
message (an echo of our own send, a reaction, a read receipt) is counted and left. Text is normalised as a channel
that cannot refuse keeps it (`hygiene.clean_text`), after the signature that covers what was sent.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from townsquare.citizens.kinds import IdentityKind
from townsquare.clock import utcnow
from townsquare.engagement.messages import InboundAttachment, InboundMessage
from townsquare.engagement.messages import Sender as Handle
from townsquare.engagement.meta import Sender, external_id
from townsquare.engagement.social import Network
from townsquare.errors import FieldError, invalid, too_large
from townsquare.hygiene import clean_text, safe_filename
from townsquare.interactions.kinds import Channel

OBJECTS = {"whatsapp_business_account": Network.whatsapp, "page": Network.messenger, "instagram": Network.instagram}
MAX_EVENTS = 100  # messages and statuses in one delivery; Meta batches a handful
ACCOUNT = re.compile(r"[A-Za-z0-9.]{1,160}")  # a wa_id, a business-scoped user id (US.1234…), a PSID or an IGSID
MESSAGE_ID = re.compile(r"[A-Za-z0-9._:=+/-]{1,200}")  # wamid.HBg…=, m_…, mid.…
MEDIA_ID = re.compile(r"[0-9]{1,40}")
MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")  # WhatsApp's files, kept by Meta until fetched
MESSENGER_FILES = {  # Messenger's and Instagram's file kinds, as a type when the address names none
    "image": "image/jpeg",
    "video": "video/mp4",
    "audio": "audio/mpeg",
    "file": "application/octet-stream",
}


@dataclass(frozen=True)
class Status:
    """What Meta says about a message the platform sent."""

    network: Network
    message_id: str
    status: str
    error_code: str | None = None


@dataclass(frozen=True)
class Incoming:
    """One person's message, ready for the flow, and where answers to it go."""

    message: InboundMessage
    sender: Sender
    message_id: str


@dataclass
class Batch:
    """Everything one webhook delivery carried."""

    network: Network
    incoming: list[Incoming] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    ignored: int = 0

    def check_size(self) -> None:
        if len(self.incoming) + len(self.statuses) > MAX_EVENTS:
            raise too_large(f"A delivery may carry at most {MAX_EVENTS} messages and statuses.")


def read(payload: Any, *, graph: str) -> Batch:
    """The delivery's messages and statuses; `graph` is the Graph API's base with its version, where WhatsApp's files
    are asked for. A 422 problem for an unknown object or a field that cannot be read."""
    if not isinstance(payload, dict):
        raise invalid("The webhook body must be a JSON object.", FieldError("body", "not an object"))
    name = payload.get("object")
    network = OBJECTS.get(name) if isinstance(name, str) else None
    if network is None:
        shown = re.sub(r"[^A-Za-z0-9_]", "", str(name))[:40] if name is not None else ""
        raise invalid(
            f"'{shown}' is not an object this webhook takes: it takes page (Messenger), instagram and "
            "whatsapp_business_account.",
            FieldError("object", "unknown object"),
        )
    batch = Batch(network)
    for entry in _list(payload, "entry", "entry"):
        if network is Network.whatsapp:
            _whatsapp_entry(batch, _object(entry, "entry[]"), graph)
        else:
            _messaging_entry(batch, _object(entry, "entry[]"))
        batch.check_size()
    return batch


# ---------------------------------------------------------------- WhatsApp Cloud API


def _whatsapp_entry(batch: Batch, entry: dict[str, Any], graph: str) -> None:
    for change in _list(entry, "changes", "entry[].changes"):
        change = _object(change, "entry[].changes[]")
        if change.get("field") != "messages":
            batch.ignored += 1  # template reviews, account updates: not a person's message
            continue
        value = _object(change.get("value"), "changes[].value")
        business = _optional_text(_object(value.get("metadata", {}), "value.metadata").get("phone_number_id"), 64)
        contacts = [_object(c, "value.contacts[]") for c in _list(value, "contacts", "value.contacts")]
        for raw in _list(value, "messages", "value.messages"):
            found = _whatsapp_message(_object(raw, "value.messages[]"), contacts, business, graph)
            if found is None:
                batch.ignored += 1
            else:
                batch.incoming.append(found)
        for raw in _list(value, "statuses", "value.statuses"):
            status = _object(raw, "value.statuses[]")
            errors = [e for e in status.get("errors") or [] if isinstance(e, dict)] if isinstance(status, dict) else []
            code = str(errors[0].get("code", ""))[:16] if errors else None
            batch.statuses.append(
                Status(
                    Network.whatsapp,
                    _id(status.get("id"), "statuses[].id"),
                    _required_text(status.get("status"), "statuses[].status", 32),
                    code,
                )
            )


def _whatsapp_message(
    raw: dict[str, Any], contacts: list[dict[str, Any]], business: str | None, graph: str
) -> Incoming | None:
    kind = raw.get("type")
    if kind not in ("text", "location", "button", "interactive", *MEDIA_TYPES):
        return None  # reactions, system notices, contact cards, orders, unsupported messages
    message_id = _id(raw.get("id"), "messages[].id")
    contact = _contact(contacts, raw)
    account = contact.get("wa_id") or raw.get("from") or contact.get("user_id") or raw.get("from_user_id")
    if not isinstance(account, str) or not ACCOUNT.fullmatch(account):
        raise invalid("A message's sender (from) is not a WhatsApp id.", FieldError("messages[].from", "bad"))
    profile = _part(contact, "profile")
    name = _optional_text(profile.get("name"), 200)
    text, attachments, metadata = _whatsapp_content(str(kind), raw, graph)
    context = _part(raw, "context")
    refs = _refs(Network.whatsapp, context.get("id"))
    message = InboundMessage(
        channel=Channel.social,
        external_id=external_id(Network.whatsapp, message_id),
        sender=Handle(IdentityKind.social, account, namespace=Network.whatsapp.value, display_name=name),
        recipient=business,
        text=text,
        attachments=attachments,
        metadata={"provider": "meta", "network": Network.whatsapp.value, "message_type": kind, **metadata},
        received_at=_when(raw.get("timestamp"), millis=False),
        thread_refs=refs,
        answers_in_band=True,
    )
    return Incoming(message, Sender(Network.whatsapp, account, business), message_id)


def _whatsapp_content(kind: str, raw: dict[str, Any], graph: str) -> Content:
    body = _part(raw, kind)
    if kind == "text":
        return _text(body.get("body")), (), {}
    if kind == "button":
        return _text(body.get("text")), (), {}
    if kind == "interactive":
        picked = body.get("button_reply") or body.get("list_reply") or {}
        return _text(picked.get("title") if isinstance(picked, dict) else ""), (), {}
    if kind == "location":
        return _location(body.get("latitude"), body.get("longitude"), body.get("name"), body.get("address"))
    media_id = body.get("id")
    if not isinstance(media_id, str) or not MEDIA_ID.fullmatch(media_id):
        raise invalid(f"The {kind}'s media id is not a Graph id.", FieldError(f"messages[].{kind}.id", "bad"))
    content_type = _optional_text(body.get("mime_type"), 100) or "application/octet-stream"
    extension = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ""
    filename = safe_filename(_optional_text(body.get("filename"), 200) or f"{kind}{extension}")
    attachment = InboundAttachment(filename, content_type, url=f"{graph}/{media_id}", from_provider=True)
    return _text(body.get("caption")), (attachment,), {"media_id": media_id}


def _contact(contacts: list[dict[str, Any]], raw: dict[str, Any]) -> dict[str, Any]:
    """The contact entry of a message's sender (by wa_id), or the only one."""
    sender = raw.get("from")
    for contact in contacts:
        if sender is not None and sender in (contact.get("wa_id"), contact.get("user_id")):
            return contact
    return contacts[0] if len(contacts) == 1 else {}


# ---------------------------------------------------------------- Messenger and Instagram


def _messaging_entry(batch: Batch, entry: dict[str, Any]) -> None:
    batch.ignored += len(entry.get("standby") or []) if isinstance(entry.get("standby"), list) else 0
    batch.ignored += len(entry.get("changes") or []) if isinstance(entry.get("changes"), list) else 0
    for raw in _list(entry, "messaging", "entry[].messaging"):
        event = _object(raw, "entry[].messaging[]")
        if isinstance(event.get("message"), dict):
            found = _messaging_message(batch.network, event)
            if found is None:
                batch.ignored += 1
            else:
                batch.incoming.append(found)
        elif isinstance(event.get("delivery"), dict):
            mids = event["delivery"].get("mids") or []
            for mid in mids if isinstance(mids, list) else []:
                batch.statuses.append(Status(batch.network, _id(mid, "delivery.mids[]"), "delivered"))
        else:
            batch.ignored += 1  # reads, reactions, postbacks, referrals, opt-ins


def _messaging_message(network: Network, event: dict[str, Any]) -> Incoming | None:
    message = event["message"]
    if message.get("is_echo") or message.get("is_deleted") or message.get("is_unsupported"):
        return None  # our own send coming back, a message taken back, one Meta cannot show
    sender = _object(event.get("sender"), "messaging[].sender").get("id")
    if not isinstance(sender, str) or not ACCOUNT.fullmatch(sender):
        raise invalid("A message's sender.id is missing or not an id.", FieldError("messaging[].sender.id", "bad"))
    business = _optional_text(_object(event.get("recipient", {}), "messaging[].recipient").get("id"), 64)
    message_id = _id(message.get("mid"), "message.mid")
    text, attachments, metadata = _messaging_content(message)
    reply_to = _part(message, "reply_to")
    refs = _refs(network, reply_to.get("mid"))
    inbound = InboundMessage(
        channel=Channel.social,
        external_id=external_id(network, message_id),
        sender=Handle(IdentityKind.social, sender, namespace=network.value),
        recipient=business,
        text=text,
        attachments=attachments,
        metadata={"provider": "meta", "network": network.value, **metadata},
        received_at=_when(event.get("timestamp"), millis=True),
        thread_refs=refs,
        answers_in_band=True,
    )
    return Incoming(inbound, Sender(network, sender, business), message_id)


def _messaging_content(message: dict[str, Any]) -> Content:
    text = _text(message.get("text"))
    files: list[InboundAttachment] = []
    metadata: dict[str, Any] = {}
    shared: list[str] = []
    for i, raw in enumerate(_list(message, "attachments", "message.attachments")):
        attachment = _object(raw, "message.attachments[]")
        kind = attachment.get("type")
        payload = _part(attachment, "payload")
        url = payload.get("url")
        where = _part(payload, "coordinates")
        if kind == "location" and where:  # older Messenger clients
            located, _, found = _location(where.get("lat"), where.get("long"), attachment.get("title"), None)
            metadata.update(found)
            text = text or located
        elif kind in MESSENGER_FILES and isinstance(url, str) and url.startswith(("https://", "http://")):
            files.append(_linked_file(str(kind), url[:2000], i))
        elif isinstance(url, str) and url.startswith(("https://", "http://")):
            shared.append(url[:2000])  # a shared post, reel or link: kept as a link, never fetched
    if shared:
        metadata["shared"] = shared[:10]
    return text, tuple(files), metadata


def _linked_file(kind: str, url: str, index: int) -> InboundAttachment:
    """A Messenger or Instagram file at Meta's address: its type from the name in the address, else from its kind."""
    path = urlsplit(url).path
    guessed, _ = mimetypes.guess_type(path)
    content_type = guessed or MESSENGER_FILES[kind]
    extension = mimetypes.guess_extension(content_type) or ""
    return InboundAttachment(safe_filename(f"{kind}-{index}{extension}"), content_type, url=url, from_provider=True)


# ---------------------------------------------------------------- shared readers


Content = tuple[str, tuple[InboundAttachment, ...], dict[str, Any]]  # a message's text, files and metadata


def _refs(network: Network, replied_to: Any) -> tuple[str, ...]:
    """The message a person answered (a reply in the app), as a thread reference to its conversation."""
    ok = isinstance(replied_to, str) and MESSAGE_ID.fullmatch(replied_to)
    return (external_id(network, str(replied_to)),) if ok else ()


def _location(lat: Any, long: Any, name: Any, address: Any) -> Content:
    """A shared point as the message's location (`engagement.locations` completes it), and words for the timeline."""
    try:
        point = (float(lat), float(long))
    except (TypeError, ValueError):
        raise invalid("A location needs a latitude and a longitude.", FieldError("location", "no point")) from None
    if not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
        raise invalid("A location's latitude or longitude is out of range.", FieldError("location", "out of range"))
    words = ", ".join(w for w in (_optional_text(name, 200), _optional_text(address, 300)) if w)
    location: dict[str, Any] = {"lat": point[0], "long": point[1]}
    if words:
        location["address_string"] = words
    return words or f"{point[0]:.6f}, {point[1]:.6f}", (), {"location": location}


def _when(raw: Any, *, millis: bool) -> datetime:
    """When the person sent it (WhatsApp: seconds as text; Messenger: milliseconds), never later than now."""
    now = utcnow()
    if raw is None:
        return now
    try:
        seconds = int(str(raw)) / (1000 if millis else 1)
        sent = datetime.fromtimestamp(seconds, UTC)
    except (ValueError, OverflowError, OSError):
        raise invalid("A message's timestamp is not a time.", FieldError("timestamp", "not a time")) from None
    return min(sent, now)


def _part(holder: dict[str, Any], key: str) -> dict[str, Any]:
    """An optional object inside another: itself, or empty when missing or not an object."""
    value = holder.get(key)
    return value if isinstance(value, dict) else {}


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(f"{where} must be a JSON object.", FieldError(where, "not an object"))
    return value


def _list(holder: dict[str, Any], key: str, where: str) -> list[Any]:
    value = holder.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid(f"{where} must be a JSON array.", FieldError(where, "not an array"))
    if len(value) > MAX_EVENTS:
        raise too_large(f"{where} holds more than {MAX_EVENTS} items.")
    return value


def _id(value: Any, where: str) -> str:
    if not isinstance(value, str) or not MESSAGE_ID.fullmatch(value):
        raise invalid(f"{where} is missing or not a message id.", FieldError(where, "not a message id"))
    return value


def _text(value: Any) -> str:
    return clean_text(value) if isinstance(value, str) else ""


def _optional_text(value: Any, limit: int) -> str | None:
    cleaned = " ".join(clean_text(value).split())[:limit] if isinstance(value, str) else ""
    return cleaned or None


def _required_text(value: Any, where: str, limit: int) -> str:
    found = _optional_text(value, limit)
    if found is None:
        raise invalid(f"{where} is missing.", FieldError(where, "required"))
    return found
