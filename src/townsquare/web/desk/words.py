"""The desk's words, in one place: every code the desk's records carry (a case's status and priority, a channel,
a work item's state, an offer's outcome, a presence, a contact's kind, an identity) named as staff say it, in
English and French; a call's path through the phone menu as the caller heard it; an identity described, never
shown as its stored value (a chat device is a hash of its token).

Registered once as Jinja filters (each a name no other page uses) when the desk is imported; a code the desk
does not know yet is still shown without its underscores rather than as it is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import phonenumbers

from townsquare.casework.types import (
    CaseStatus,
    Channel,
    CitizenStatus,
    DeliveryStatus,
    Direction,
    Identity,
    IdentityKind,
    InteractionKind,
    OfferOutcome,
    Presence,
    Priority,
    VerificationMethod,
    WorkItemStatus,
)
from townsquare.web import times
from townsquare.web.i18n import gettext as _
from townsquare.web.i18n import per_language
from townsquare.web.portal import cases as portal_cases
from townsquare.web.templating import templates

_CHANNELS = {c.value: c for c in Channel}


def _code(value: object) -> str:
    return str(getattr(value, "value", value) or "")


def _unknown(value: object) -> str:
    """A code with no words yet, at least without its underscores: `timed_out` → "Timed out"."""
    return _code(value).replace("_", " ").strip().capitalize()


def _pick(words: dict[str, str], value: object) -> str:
    return words.get(_code(value)) or _unknown(value)


@per_language
def case_status(value: object) -> str:
    """A case's status as staff say it: "Waiting on the resident"."""
    return _pick(
        {
            CaseStatus.new: _("New"),
            CaseStatus.open: _("Open"),
            CaseStatus.in_progress: _("In progress"),
            CaseStatus.waiting_on_citizen: _("Waiting on the resident"),
            CaseStatus.resolved: _("Resolved"),
            CaseStatus.closed: _("Closed"),
            CaseStatus.cancelled: _("Cancelled"),
        },
        value,
    )


@per_language
def priority(value: object) -> str:
    """A case's priority: "Urgent"."""
    words: dict[str, str] = {Priority.low: _("Low"), Priority.normal: _("Normal"), Priority.high: _("High")}
    return _pick(words | {Priority.urgent: _("Urgent")}, value)


@per_language
def channel_words(value: object) -> str:
    """A channel by its name, in the portal's words: "Phone", "Text message", "In person"."""
    code = _code(value)
    if code == Channel.push:
        return _("Push notification")
    return portal_cases.channel_name(_CHANNELS[code]) if code in _CHANNELS else _unknown(code)


@per_language
def channel_label(value: object) -> str:
    """What came in on a channel, as a noun: "Call", "Text message", "Chat", "Web form"."""
    return _pick(
        {
            Channel.voice: _("Call"),
            Channel.sms: _("Text message"),
            Channel.email: _("Email"),
            Channel.chat: _("Chat"),
            Channel.web: _("Web form"),
            Channel.mobile: _("Mobile app"),
            Channel.social: _("Social media message"),
            Channel.counter: _("Visit"),
            Channel.mail: _("Letter"),
            Channel.api: _("Report from another service"),
            Channel.push: _("Push notification"),
        },
        value,
    )


@per_language
def contact_kind(value: object) -> str:
    """A contact's kind, or a work item's (a case, a call-back): "Voicemail", "Form", "Call-back"."""
    return _pick(
        {
            InteractionKind.message: _("Message"),
            InteractionKind.call: _("Call"),
            InteractionKind.voicemail: _("Voicemail"),
            InteractionKind.visit: _("Visit"),
            InteractionKind.letter: _("Letter"),
            InteractionKind.form_submission: _("Form"),
            InteractionKind.status_change: _("Status change"),
            InteractionKind.note: _("Note"),
            InteractionKind.appointment: _("Appointment"),
            "case": _("Case"),
            "callback": _("Call-back"),
        },
        value,
    )


def contact_label(kind: object, channel: object) -> str:
    """What a contact or a piece of work is, in one noun: a message by its channel ("Text message", "Chat"), else
    by its kind ("Call", "Voicemail", "Call-back")."""
    return channel_label(channel) if _code(kind) == InteractionKind.message else contact_kind(kind)


@per_language
def direction(value: object) -> str:
    """Which way a contact went: "from the resident", "to the resident", "internal"."""
    words: dict[str, str] = {Direction.inbound: _("from the resident"), Direction.outbound: _("to the resident")}
    return _pick(words | {Direction.internal: _("internal")}, value)


@per_language
def delivery(value: object) -> str:
    """How far an outbound message got: "Delivered"."""
    return _pick(
        {
            DeliveryStatus.queued: _("Queued"),
            DeliveryStatus.sent: _("Sent"),
            DeliveryStatus.delivered: _("Delivered"),
            DeliveryStatus.failed: _("Failed"),
        },
        value,
    )


@per_language
def work_state(value: object) -> str:
    """A work item's state: "Waiting in the queue", "Being handled"."""
    return _pick(
        {
            WorkItemStatus.queued: _("Waiting in the queue"),
            WorkItemStatus.offered: _("Offered"),
            WorkItemStatus.assigned: _("Being handled"),
            WorkItemStatus.done: _("Done"),
            WorkItemStatus.cancelled: _("Cancelled"),
        },
        value,
    )


@per_language
def offer_outcome(value: object) -> str:
    """What became of an offer: "Not answered in time"."""
    return _pick(
        {
            OfferOutcome.pending: _("Waiting for an answer"),
            OfferOutcome.accepted: _("Accepted"),
            OfferOutcome.declined: _("Declined"),
            OfferOutcome.timed_out: _("Not answered in time"),
            OfferOutcome.withdrawn: _("Withdrawn: the person went away"),
            OfferOutcome.reassigned: _("Given to someone else by a supervisor"),
        },
        value,
    )


@per_language
def presence(value: object) -> str:
    """An agent's presence: "Wrap-up"."""
    return _pick(
        {
            Presence.available: _("Available"),
            Presence.busy: _("Busy"),
            Presence.away: _("Away"),
            Presence.wrap_up: _("Wrap-up"),
            Presence.offline: _("Offline"),
        },
        value,
    )


@per_language
def citizen_status(value: object) -> str:
    """A citizen record's state: "Not confirmed yet"."""
    words: dict[str, str] = {CitizenStatus.provisional: _("Not confirmed yet"), CitizenStatus.confirmed: _("Confirmed")}
    return _pick(words | {CitizenStatus.merged: _("Merged into another record")}, value)


@per_language
def identity_kind(value: object) -> str:
    """A kind of identity, or how a contact was recognised: "Phone", "Chat device", "Nobody: anonymous"."""
    return _pick(
        {
            IdentityKind.phone: _("Phone"),
            IdentityKind.email: _("Email"),
            IdentityKind.sso: _("Sign-in account"),
            IdentityKind.social: _("Social media account"),
            IdentityKind.device: _("Chat device"),
            IdentityKind.agency_record: _("Agency record"),
            IdentityKind.app_account: _("Account in an app"),
            IdentityKind.postal: _("Postal address"),
            "anonymous": _("Nothing: they did not say who they are"),
        },
        value,
    )


@per_language
def verification(value: object) -> str:
    """How an identity was verified: "a code sent by text message"."""
    return _pick(
        {
            VerificationMethod.sms_code: _("a code sent by text message"),
            VerificationMethod.voice_code: _("a code read out in a phone call"),
            VerificationMethod.email_link: _("a link sent by email"),
            VerificationMethod.email_code: _("a code sent by email"),
            VerificationMethod.oidc: _("signing in with their account"),
            VerificationMethod.staff_checked: _("a staff member's check"),
            VerificationMethod.agency_record: _("an agency's records"),
        },
        value,
    )


def phone_number(value: str) -> str:
    """A phone number as people write it: "+1 613-555-0142"."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# Social networks as they name themselves (an account's namespace is stored in lower case).
NETWORKS = {"whatsapp": "WhatsApp", "messenger": "Messenger", "instagram": "Instagram", "mastodon": "Mastodon"}


def identity_words(identity: Identity) -> str:
    """An identity described: "Phone +1 613-555-0142", "Email maria@example.org", "Chat on this device since
    Dec 3"; never a device's hash or an integrator's key id."""
    kind, value = identity.kind, identity.value
    if kind is IdentityKind.phone:
        return _("Phone %(number)s") % {"number": phone_number(value)}
    if kind is IdentityKind.email:
        return _("Email %(address)s") % {"address": value}
    if kind is IdentityKind.device:
        since = identity.created_at if isinstance(identity.created_at, datetime) else None
        return _("Chat on this device since %(day)s") % {"day": times.short_day(since)} if since else _("Chat device")
    if kind is IdentityKind.postal:
        return _("Postal address: %(address)s") % {"address": ", ".join(value.splitlines())}
    if kind is IdentityKind.agency_record:
        return _("Record %(record)s at %(agency)s") % {"record": value, "agency": identity.namespace}
    if kind is IdentityKind.social:
        network = NETWORKS.get(identity.namespace, identity.namespace) or _("social media")
        return _("%(handle)s on %(network)s") % {"handle": value, "network": network}
    return identity_kind(kind)


# A call's steps through the phone menu (`engagement.phone_menu` notes them as the caller moves): the key pressed
# and the option the menu read out for it (`channels.voice_prompts`), or what happened.
def _menu_steps() -> dict[str, str]:
    return {
        "main": _("Main menu"),
        "invalid": _("An answer the menu could not use"),
        "assistant": _("Talked to the assistant"),
        "0:agent": _("0: speak to a person"),
        "1:case-status": _("1: the status of their open request"),
        "1:reference": _("1: the status of a request by its reference number"),
        "2:reference": _("2: another request, by its reference number"),
        "2:case-status": _("Heard the status of that request"),
        "2:not-found": _("A reference number we could not find"),
        "3:voicemail": _("3: leave a message"),
        "4:callback": _("4: ask to be called back"),
        "9:en": _("9: English"),
        "9:fr": _("9: French"),
        "queue:1:callback": _("1 while waiting: a call-back instead, keeping their place"),
    }


STEP = "\u203a"  # the right angle quote between two steps of a path


@per_language
def menu_step(step: str) -> str:
    """One step of a call through the phone menu, as the caller heard it."""
    known = _menu_steps()
    if step in known:
        return known[step]
    key, _sep, _rest = step.partition(":")
    return _("Pressed %(key)s") % {"key": key} if key.isdigit() else _("Another step of the menu")


def menu_path(steps: object) -> str:
    """A call's path through the phone menu, its steps joined by a right angle quote: "Main menu, then 0: speak
    to a person"."""
    if isinstance(steps, str):
        steps = [s.strip() for s in steps.split(STEP)]
    if not isinstance(steps, Iterable):
        return ""
    return f" {STEP} ".join(menu_step(str(s)) for s in steps if str(s))


def workflow_order(statuses: Iterable[CaseStatus]) -> list[CaseStatus]:
    """Statuses in the order a case moves through them (new first, cancelled last), not alphabetically."""
    order = list(CaseStatus)
    return sorted(statuses, key=order.index)


FILTERS = {
    "workflow_order": workflow_order,
    "case_status": case_status,
    "priority_label": priority,
    "channel_words": channel_words,
    "channel_label": channel_label,
    "contact_kind": contact_kind,
    "direction_words": direction,
    "delivery_words": delivery,
    "work_state": work_state,
    "offer_outcome": offer_outcome,
    "presence_label": presence,
    "citizen_status": citizen_status,
    "identity_kind": identity_kind,
    "identity_words": identity_words,
    "verification_words": verification,
    "menu_path": menu_path,
    "duration": times.duration,
}
for _name, _filter in FILTERS.items():
    templates.env.filters[_name] = _filter
templates.env.globals["contact_label"] = contact_label
templates.env.globals["presences"] = tuple(Presence)  # in the order an agent chooses them
