"""Words for the codes of the desk's running pages (agents, staff, integrators, notification templates, knowledge,
letters): a staff role, a language, a kind of work an agent holds, what an API key opens, a knowledge version's
status, a notification's purpose and channel, a letter's state; in English and French.

Registered once as Jinja filters when the desk is imported, beside `words` (never under one of its names); a code
with no words yet is shown without its underscores rather than as it is stored.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

from townsquare.casework.types import ApiKeyScope, CapacityClass, StaffRole, VersionStatus
from townsquare.notify.kinds import MessageType
from townsquare.notify.letters.kinds import LetterStatus
from townsquare.web import i18n, times
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates


def _pick(words: dict[str, str], value: object) -> str:
    code = str(getattr(value, "value", value) or "")
    return words.get(code) or code.replace("_", " ").strip().capitalize()


def role(value: object) -> str:
    """A staff member's role: "Supervisor"."""
    words: dict[str, str] = {StaffRole.agent: _("Agent"), StaffRole.supervisor: _("Supervisor")}
    return _pick(
        words | {StaffRole.agency_admin: _("Agency administrator"), StaffRole.admin: _("Administrator")}, value
    )


def language_words(code: object) -> str:
    """A language by its code, named in the reader's language as a sentence writes it: `es` → "Spanish"
    ("espagnol" in French); an unknown code as it is."""
    tag = str(code or "")
    try:
        named = Locale.parse(tag.replace("-", "_")).get_display_name(i18n.current())
    except (ValueError, UnknownLocaleError):
        named = None
    return str(named or tag)


def language(code: object) -> str:
    """A language as a label on its own: "Spanish" ("Espagnol" in French)."""
    named = language_words(code)
    return named[:1].upper() + named[1:] if named != str(code or "") else named


def capacity_classes() -> dict[str, str]:
    """The kinds of work an agent holds, each with its own capacity: calls, chats and the rest."""
    return {CapacityClass.voice: _("Calls"), CapacityClass.chat: _("Chats"), CapacityClass.async_: _("Other work")}


def key_scopes() -> dict[str, str]:
    """What an API key opens, for the Integrators page's choices and table."""
    return {ApiKeyScope.open311.value: _("Open311 integrator"), ApiKeyScope.api.value: _("REST API")}


def article_status(value: object) -> str:
    """A knowledge version's status: "Draft", "Review"."""
    words: dict[str, str] = {VersionStatus.draft: _("Draft"), VersionStatus.review: _("In review")}
    return _pick(words | {VersionStatus.published: _("Published"), VersionStatus.withdrawn: _("Withdrawn")}, value)


def message_type(value: object) -> str:
    """What a notification is for: "Status change", "Appointment reminder"."""
    return _pick(
        {
            MessageType.acknowledgement: _("Acknowledgement"),
            MessageType.status_change: _("Status change"),
            MessageType.information_request: _("Information request"),
            MessageType.report_update: _("Report update"),
            MessageType.agent_reply: _("Agent reply"),
            MessageType.appointment_reminder: _("Appointment reminder"),
            MessageType.appointment_confirmation: _("Appointment confirmation"),
            MessageType.appointment_change: _("Appointment moved"),
            MessageType.appointment_cancellation: _("Appointment cancelled"),
            MessageType.appointment_offer: _("Appointment offered from the waiting list"),
            MessageType.renewal_reminder: _("Renewal reminder"),
            MessageType.application_reminder: _("Application reminder"),
            MessageType.sign_in: _("Sign-in message"),
            MessageType.verification: _("Verification code"),
            MessageType.general: _("General message"),
            MessageType.satisfaction_survey: _("Satisfaction survey"),
        },
        value,
    )


def template_channel(value: object) -> str:
    """A channel a notification template is written for: "Push", "Voice call"."""
    words = {"push": _("Push"), "sms": _("SMS"), "email": _("Email"), "mail": _("Letter")}
    return _pick(words | {"voice": _("Voice call"), "chat": _("Chat")}, value)


def letter_status(value: object) -> str:
    """Where a letter is: waiting for the next print batch, printed, or returned by the post."""
    words: dict[str, str] = {LetterStatus.accepted: _("Waiting for printing"), LetterStatus.printed: _("Printed")}
    return _pick(words | {LetterStatus.returned: _("Returned")}, value)


def said(sentence: object) -> str:
    """A sentence the domain wrote in English (a refusal, why a button is missing), in the reader's language when
    a catalogue has it, else as it is."""
    text = str(sentence or "")
    return i18n.gettext(text) if text else ""


FILTERS = {
    "role_label": role,
    "language_label": language,
    "language_words": language_words,
    "article_status": article_status,
    "message_type_label": message_type,
    "template_channel": template_channel,
    "letter_status": letter_status,
    "local_day": times.day,
    "said": said,
}
for _name, _filter in FILTERS.items():
    templates.env.filters[_name] = _filter
