"""Meta's messaging windows as pure functions: whether a reply may go free-form, must go as an approved WhatsApp
template or with Messenger's human agent tag, or may not go at all, and why in words an agent can act on.

No I/O and no clock of its own: the caller gives the time the person last wrote and the time now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Network(StrEnum):
    """The Meta products a social identity's namespace names."""

    whatsapp = "whatsapp"
    messenger = "messenger"
    instagram = "instagram"


class Way(StrEnum):
    """How a reply goes out."""

    free_form = "free_form"  # inside the 24-hour customer-service window: any text
    template = "template"  # WhatsApp after the window: the deployment's approved template, the text its parameter
    human_agent = "human_agent"  # Messenger and Instagram after the window, up to 7 days: tagged HUMAN_AGENT


STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
# The longest text each product takes in one message (WhatsApp's text body, Messenger's text, Instagram's text).
TEXT_LIMIT = {Network.whatsapp: 4096, Network.messenger: 2000, Network.instagram: 1000}
TEMPLATE_PARAMETER_LIMIT = 700  # a template's body (its own words and the parameter) may be at most 1,024 characters

# Refusals, worded for the agent (the desk shows them in the reader's language: web/locale/fr/social_meta.po).
WHATSAPP_TEMPLATE_MISSING = (
    "It is more than 24 hours since this person last wrote on WhatsApp, and WhatsApp then takes only an approved "
    "template message: none is set up (TOWNSQUARE_META_WHATSAPP_TEMPLATE). Reply on another channel."
)
NO_HUMAN_AGENT_TAG = (
    "It is more than 24 hours since this person last wrote on Messenger or Instagram, and Meta then takes a reply "
    "only with the human agent tag, which this deployment may not use. Reply on another channel."
)
PAST_HUMAN_AGENT_WINDOW = (
    "It is more than 7 days since this person last wrote on Messenger or Instagram, and Meta takes no reply after "
    "that. Reply on another channel."
)
NEVER_WROTE = (
    "This person has never written to us on Messenger or Instagram, and Meta lets a business write there only "
    "in answer. Reply on another channel."
)
TOO_LONG = {
    Network.whatsapp: "A WhatsApp message may be at most 4,096 characters; shorten the reply.",
    Network.messenger: "A Messenger message may be at most 2,000 characters; shorten the reply.",
    Network.instagram: "An Instagram message may be at most 1,000 characters; shorten the reply.",
}


@dataclass(frozen=True)
class Sending:
    """The reply may go, this way (with the deployment's template, for `Way.template`)."""

    way: Way
    template: str | None = None


@dataclass(frozen=True)
class Refusal:
    """The reply may not go on this network now; `reason` says why and what to do instead."""

    reason: str


def network_of(namespace: str) -> Network | None:
    """The Meta product a social identity's namespace names, or None for another network's (Mastodon's)."""
    try:
        return Network(namespace)
    except ValueError:
        return None


def how_to_send(
    network: Network,
    *,
    last_wrote: datetime | None,
    now: datetime,
    template: str | None,
    human_agent: bool,
) -> Sending | Refusal:
    """How a reply to someone who last wrote at `last_wrote` (None: never) may go at `now`.

    Inside 24 hours of their last message: free-form on every product. After it, WhatsApp takes only an approved
    template (refused when none is set up); Messenger and Instagram take a reply tagged HUMAN_AGENT up to 7 days
    after it (when the app has Meta's permission to use the tag), and nothing later.
    """
    since = None if last_wrote is None else now - last_wrote
    if since is not None and since < STANDARD_WINDOW:
        return Sending(Way.free_form)
    if network is Network.whatsapp:
        return Sending(Way.template, template) if template else Refusal(WHATSAPP_TEMPLATE_MISSING)
    if since is None:
        return Refusal(NEVER_WROTE)
    if since >= HUMAN_AGENT_WINDOW:
        return Refusal(PAST_HUMAN_AGENT_WINDOW)
    return Sending(Way.human_agent) if human_agent else Refusal(NO_HUMAN_AGENT_TAG)


def too_long(network: Network, text: str) -> str | None:
    """Why `text` cannot go as one message on `network`, or None when it fits."""
    return TOO_LONG[network] if len(text) > TEXT_LIMIT[network] else None


def template_parameter(text: str) -> str:
    """The reply as a template's body parameter: one line (WhatsApp refuses line breaks, tabs and runs of more than
    four spaces in a parameter), cut at a word with an ellipsis past the limit."""
    line = " ".join(text.split())
    if len(line) <= TEMPLATE_PARAMETER_LIMIT:
        return line
    cut = line[: TEMPLATE_PARAMETER_LIMIT - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"
