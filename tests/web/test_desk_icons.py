"""Channel icons: an inline SVG named in words when labelled, hidden beside its words when not, never emoji."""

from __future__ import annotations

import re

from townsquare.web.desk.icons import SHAPES, channel_icon


def test_a_labelled_icon_is_an_image_named_in_escaped_words() -> None:
    icon = str(channel_icon("sms", 'Text <message> & "more"'))
    assert icon.startswith('<svg class="channel-icon"')
    assert icon.endswith("</svg>")
    assert 'role="img" aria-label="Text &lt;message&gt; &amp; &#34;more&#34;"' in icon
    assert "<title>Text &lt;message&gt; &amp; &#34;more&#34;</title>" in icon
    assert SHAPES["sms"] in icon
    assert "aria-hidden" not in icon


def test_an_unlabelled_icon_is_hidden_and_an_unknown_channel_gets_the_globe() -> None:
    icon = str(channel_icon("carrier-pigeon"))
    assert re.fullmatch(r'<svg class="channel-icon"[^>]* aria-hidden="true">.*</svg>', icon)
    assert SHAPES["web"] in icon
    assert "<title>" not in icon
    assert "role=" not in icon
