"""Meta's messaging windows as pure rules: free-form inside 24 hours, then WhatsApp's template or Messenger's and
Instagram's human agent tag up to 7 days, else a refusal that says why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from townsquare.engagement import social
from townsquare.engagement.social import Network, Refusal, Sending, Way

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def decide(network: Network, ago: timedelta | None, *, template: str | None = "reply", human: bool = True) -> object:
    last = None if ago is None else NOW - ago
    return social.how_to_send(network, last_wrote=last, now=NOW, template=template, human_agent=human)


@pytest.mark.parametrize("network", list(Network))
def test_inside_24_hours_every_product_takes_a_free_form_reply(network: Network) -> None:
    assert decide(network, timedelta(0)) == Sending(Way.free_form)
    assert decide(network, 24 * HOUR - timedelta(seconds=1)) == Sending(Way.free_form)


def test_after_24_hours_whatsapp_takes_only_the_approved_template() -> None:
    assert decide(Network.whatsapp, 24 * HOUR) == Sending(Way.template, "reply")
    assert decide(Network.whatsapp, 30 * 24 * HOUR) == Sending(Way.template, "reply")
    assert decide(Network.whatsapp, None) == Sending(Way.template, "reply")  # a business may write first, so
    refused = decide(Network.whatsapp, 25 * HOUR, template=None)
    assert refused == Refusal(social.WHATSAPP_TEMPLATE_MISSING)
    assert "approved template" in social.WHATSAPP_TEMPLATE_MISSING


@pytest.mark.parametrize("network", [Network.messenger, Network.instagram])
def test_after_24_hours_messenger_and_instagram_take_the_human_agent_tag_for_7_days(network: Network) -> None:
    assert decide(network, 24 * HOUR) == Sending(Way.human_agent)
    assert decide(network, 7 * 24 * HOUR - timedelta(seconds=1)) == Sending(Way.human_agent)
    assert decide(network, 7 * 24 * HOUR) == Refusal(social.PAST_HUMAN_AGENT_WINDOW)
    assert decide(network, 25 * HOUR, human=False) == Refusal(social.NO_HUMAN_AGENT_TAG)
    assert decide(network, None) == Refusal(social.NEVER_WROTE)


def test_a_namespace_names_a_meta_product_or_none() -> None:
    assert social.network_of("whatsapp") is Network.whatsapp
    assert social.network_of("instagram") is Network.instagram
    assert social.network_of("mastodon.social") is None
    assert social.network_of("") is None


def test_a_reply_too_long_for_one_message_is_named_per_product() -> None:
    assert social.too_long(Network.instagram, "x" * 1000) is None
    assert social.too_long(Network.instagram, "x" * 1001) == social.TOO_LONG[Network.instagram]
    assert social.too_long(Network.messenger, "x" * 2001) is not None
    assert social.too_long(Network.whatsapp, "x" * 4096) is None


def test_a_template_parameter_is_one_line_cut_at_a_word() -> None:
    assert (
        social.template_parameter("Your bin\n\nwill be  collected\ttomorrow.") == "Your bin will be collected tomorrow."
    )
    long = " ".join(["word"] * 300)
    cut = social.template_parameter(long)
    assert len(cut) <= social.TEMPLATE_PARAMETER_LIMIT
    assert cut.endswith("word…")
    assert "\n" not in cut
