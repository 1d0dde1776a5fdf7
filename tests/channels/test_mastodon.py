"""Mastodon's wire format, both ways: a notification translated (its HTML made plain words, the account made
`user@server`, media and a point kept, anything unreadable named), and a status posted as Mastodon wants it, once per
idempotency key, with throttling and server errors retried and refusals not."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.support.mastodon import BASE, TOKEN, mastodon_settings, wire
from townsquare.app import Runtime
from townsquare.channels import mastodon as translation
from townsquare.channels.mastodon_rest import MastodonProvider, rate_limit
from townsquare.citizens.kinds import IdentityKind
from townsquare.interactions.kinds import Channel
from townsquare.notify.providers import Envelope, PermanentFailure, TemporaryFailure
from townsquare.settings import Settings

CITY_MENTION = (
    '<span class="h-card"><a href="https://social.example/@city" class="u-url mention">@<span>city</span></a></span>'
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return mastodon_settings(settings)


def notification(content: str, **status: Any) -> dict[str, Any]:
    account = status.pop("account", {"id": "7", "acct": "Maria", "display_name": "Maria L."})
    return {
        "id": "1001",
        "type": "mention",
        "account": account,
        "status": {
            "id": "2002",
            "visibility": "public",
            "language": "en",
            "uri": "https://testserver/users/maria/statuses/2002",
            "url": "https://testserver/@maria/2002",
            "content": content,
            "account": account,
            "media_attachments": [],
            "spoiler_text": "",
            **status,
        },
    }


def test_html_becomes_plain_words_with_paragraphs_and_nothing_else() -> None:
    text, links = translation.plain_text(
        f"<p>{CITY_MENTION} There is a <b>big</b> pothole &amp; a lake<br>on Elm St.</p>"
        '<p>See <a href="https://osm.org/?mlat=45.4&amp;mlon=-75.7"><span class="invisible">https://</span>'
        '<span class="ellipsis">osm.org/?mlat=4</span><span class="invisible">5.4</span></a></p>'
        "<script>alert('x')</script><style>p{}</style><p>&lt;b&gt;not markup&lt;/b&gt;</p>"
    )
    assert (
        text
        == "@city There is a big pothole & a lake\non Elm St.\n\nSee https://osm.org/?mlat=45.4\n\n<b>not markup</b>"
    )
    assert links == ["https://social.example/@city", "https://osm.org/?mlat=45.4&mlon=-75.7"]


def test_a_mention_becomes_an_inbound_message_on_social(settings: Settings) -> None:
    message = translation.translate(
        notification(
            f"<p>{CITY_MENTION} @mayor the light is out, ask @bob</p>",
            in_reply_to_id="1999",
            spoiler_text="Streetlight",
        ),
        settings,
    )
    assert message.channel is Channel.social
    assert message.text == "the light is out, ask @bob"  # only the mentions the post starts with are dropped
    assert message.sender is not None
    assert (message.sender.kind, message.sender.namespace) == (IdentityKind.social, "mastodon")
    assert message.sender.value == "maria@testserver"  # a local account, on the city's server
    assert message.sender.display_name == "Maria L."
    assert message.external_id == "mastodon:2002"
    assert message.thread_refs == ("mastodon:1999",)
    assert message.subject == "Streetlight"
    assert message.needs_person
    status = message.metadata["mastodon"]
    assert (status["status_id"], status["notification_id"], status["visibility"]) == ("2002", "1001", "public")
    assert status["account"] == "maria@testserver"


def test_a_remote_account_keeps_its_server(settings: Settings) -> None:
    remote = {"id": "8", "acct": "Jean@Other.Example", "display_name": ""}
    message = translation.translate(notification("<p>hi</p>", account=remote), settings)
    assert message.sender is not None
    assert message.sender.value == "jean@other.example"
    assert message.sender.display_name is None


def test_words_longer_than_the_limit_are_cut_to_it(settings: Settings) -> None:
    message = translation.translate(notification(f"<p>{'a' * (settings.max_body_chars + 50)}</p>"), settings)
    assert len(message.text) == settings.max_body_chars


def test_media_on_the_server_is_a_file_to_fetch_and_anything_else_a_link(settings: Settings) -> None:
    photo = {"id": "1", "type": "image", "url": f"{BASE}/media/1.png"}
    sibling = {"id": "2", "type": "video", "url": "https://files.testserver/v/2"}
    elsewhere = {"id": "3", "type": "image", "url": "https://tracker.example/3.png"}
    program = {"id": "4", "type": "unknown", "url": f"{BASE}/media/4.exe"}
    message = translation.translate(
        notification("<p>look</p>", media_attachments=[photo, sibling, elsewhere, program, {"url": None}]), settings
    )
    assert [(a.filename, a.content_type, a.url, a.from_provider) for a in message.attachments] == [
        ("1.png", "image/png", f"{BASE}/media/1.png", True),
        ("2", "video/mp4", "https://files.testserver/v/2", True),
    ]
    assert message.metadata["mastodon"]["media_links"] == [
        "https://tracker.example/3.png",
        f"{BASE}/media/4.exe",
    ]


@pytest.mark.parametrize(
    ("content", "point"),
    [
        ("<p>here geo:45.4215,-75.6972 please</p>", {"lat": 45.4215, "long": -75.6972}),
        (
            '<p><a href="https://www.openstreetmap.org/?mlat=45.42&amp;mlon=-75.69">map</a></p>',
            {"lat": 45.42, "long": -75.69},
        ),
        ("<p>geo:95,10 is nowhere</p>", None),
        ('<p><a href="https://www.openstreetmap.org/?mlat=x&amp;mlon=y">map</a></p>', None),
        ("<p>no place</p>", None),
    ],
)
def test_a_point_is_kept_when_the_post_gives_one(
    settings: Settings, content: str, point: dict[str, float] | None
) -> None:
    message = translation.translate(notification(content), settings)
    assert message.metadata.get("location") == point


@pytest.mark.parametrize(
    ("content", "media", "visibility", "needs_person"),
    [
        (f"<p>{CITY_MENTION}</p>", [], "public", False),  # only the mention: kept, asks no one for anything
        (f"<p>{CITY_MENTION} </p>", [{"type": "image", "url": f"{BASE}/media/1.png"}], "public", True),
        (f"<p>{CITY_MENTION} verify maria@example.org</p>", [], "direct", False),  # the door answers it
        (f"<p>{CITY_MENTION} 123 456</p>", [], "direct", False),
        (f"<p>{CITY_MENTION} verify maria@example.org</p>", [], "public", True),  # never in public
    ],
)
def test_who_needs_to_see_it(
    settings: Settings, content: str, media: list[dict[str, str]], visibility: str, needs_person: bool
) -> None:
    message = translation.translate(notification(content, media_attachments=media, visibility=visibility), settings)
    assert message.needs_person is needs_person


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ("not a dict", "the notification has no id"),
        ({"id": 5, "type": "mention"}, "the notification has no id"),
        ({"id": "5", "type": "favourite"}, "the notification is not a mention"),
        ({"id": "5", "type": "mention"}, "the mention has no status"),
        ({"id": "5", "type": "mention", "status": {"id": "x"}}, "the mention has no status"),
        (notification("<p>x</p>", visibility="limited"), "the status has no visibility"),
        (notification(None), "the status has no content"),  # type: ignore[arg-type]
        (notification("<p>x</p>", account={"acct": "a b@c"}), "the account is not user@server"),
        (notification("<p>x</p>", account=None), "the status has no account"),
    ],
)
def test_what_cannot_be_read_is_named(settings: Settings, item: object, reason: str) -> None:
    with pytest.raises(translation.Unreadable, match=f"^{reason}$"):
        translation.translate(item, settings)


# Posting statuses


@pytest.fixture
async def provider(app: FastAPI, runtime: Runtime) -> MastodonProvider:
    wire(app, runtime)
    found = runtime.providers.by_channel["mastodon"]
    assert isinstance(found, MastodonProvider)
    return found


def envelope(key: str = "interaction:1", **payload: Any) -> Envelope:
    words = {"status": "@maria@social.example Thanks", "visibility": "direct", "language": "en", **payload}
    return Envelope("mastodon", "maria@social.example", words, key)


async def test_a_status_is_posted_once_per_idempotency_key(app: FastAPI, provider: MastodonProvider) -> None:
    first = await provider.send(envelope())
    again = await provider.send(envelope())
    assert first == again
    assert first.startswith("mastodon:")
    fake = app.state.fake_mastodon
    assert len(fake.city_statuses()) == 1
    request = fake.requests[-1]
    assert request["headers"]["authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["idempotency-key"] == "interaction:1"
    assert request["form"] == {"status": "@maria@social.example Thanks", "visibility": "direct", "language": "en"}


@pytest.mark.parametrize(
    ("status", "failure"),
    [
        (429, TemporaryFailure),
        (500, TemporaryFailure),
        (503, TemporaryFailure),
        (422, PermanentFailure),
        (404, PermanentFailure),
    ],
)
async def test_failures_are_sorted_for_the_outbox(settings: Settings, status: int, failure: type[Exception]) -> None:
    answered = httpx.MockTransport(lambda request: httpx.Response(status, json={"error": "Record not found"}))
    with pytest.raises(failure):
        await MastodonProvider(settings, transport=answered).send(envelope())


async def test_an_answer_to_a_status_that_is_gone_is_refused(provider: MastodonProvider) -> None:
    with pytest.raises(PermanentFailure, match="404"):
        await provider.send(envelope(in_reply_to_id="999"))


async def test_a_status_without_words_is_never_sent(provider: MastodonProvider) -> None:
    with pytest.raises(PermanentFailure):
        await provider.send(envelope(status="  "))


def test_the_rate_limit_headers_are_read() -> None:
    response = httpx.Response(
        200,
        headers={
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "20",
            "X-RateLimit-Reset": "2026-01-02T03:04:05.000Z",
        },
    )
    read = rate_limit(response)
    assert (read.limit, read.remaining, read.reset.isoformat() if read.reset else None) == (
        300,
        20,
        "2026-01-02T03:04:05+00:00",
    )
    assert read.nearly_spent
    assert not rate_limit(httpx.Response(200, headers={"X-RateLimit-Reset": "soon"})).nearly_spent
