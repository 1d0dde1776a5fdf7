"""The Mastodon door against the simulator's stand-in server: a mention becomes one contact and one first answer,
the cursor survives a restart, a throttled or failing server pauses the feed with the cursor kept, and what cannot
be read is passed over, counted, with everything around it recorded."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency
from tests.support.mastodon import TOKEN, mastodon_settings, opened, social, wire
from townsquare.app import Runtime
from townsquare.channels.mastodon_poll import MastodonPoller
from townsquare.citizens.models import Identity, IdentityKind
from townsquare.clock import utcnow
from townsquare.engagement import feeds
from townsquare.interactions.models import Attachment, Direction, FeedCursor
from townsquare.notify.models import OutboxMessage
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings
from townsquare.web.simulator.mastodon_fake import FakeMastodon

NOTIFICATIONS = "/simulator/mastodon/api/v1/notifications"
STATUSES = "/simulator/mastodon/api/v1/statuses"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return mastodon_settings(settings)


@pytest.fixture
async def fake(app: FastAPI, runtime: Runtime, session: AsyncSession) -> FakeMastodon:
    await create_agency(session, slug="city", name="City")
    await session.commit()
    return await opened(app, runtime)


@pytest.fixture
def poller(runtime: Runtime) -> MastodonPoller:
    assert runtime.mastodon is not None
    return runtime.mastodon


def reads(fake: FakeMastodon) -> list[dict[str, str]]:
    return [dict(r["query"]) for r in fake.requests if r["path"] == NOTIFICATIONS]


def posted(fake: FakeMastodon) -> list[dict[str, str]]:
    return [
        r["form"] | {"key": r["headers"].get("idempotency-key", "")} for r in fake.requests if r["path"] == STATUSES
    ]


async def cursor(session: AsyncSession) -> FeedCursor:
    await session.rollback()
    session.expire_all()
    return (await session.execute(select(FeedCursor))).scalar_one()


async def test_a_public_mention_becomes_one_contact_answered_publicly_with_the_offer_to_go_private(
    runtime: Runtime, fake: FakeMastodon, poller: MastodonPoller, session: AsyncSession
) -> None:
    status = fake.post("maria@social.example", "There is a <b>big</b> pothole & a lake on Elm St", display_name="Maria")
    done = await poller.run_once()
    assert len(done.recorded) == 1
    assert done.skipped == []
    (contact,) = await social(session, direction=Direction.inbound)
    assert contact.direction is Direction.inbound
    assert contact.external_id == f"mastodon:{status['id']}"
    assert contact.body == "There is a <b>big</b> pothole & a lake on Elm St"  # the words, unescaped, no markup
    identity = await session.get_one(Identity, contact.identity_id)
    assert (identity.kind, identity.namespace, identity.value) == (
        IdentityKind.social,
        "mastodon",
        "maria@social.example",
    )
    assert (await session.execute(select(WorkItem))).scalar_one().channel == "social"
    assert reads(fake)[0]["types[]"] == "mention"
    assert all(r["headers"]["authorization"] == f"Bearer {TOKEN}" for r in fake.requests)
    await runtime.worker.drain()
    (answer,) = posted(fake)
    assert answer["visibility"] == "unlisted"
    assert answer["in_reply_to_id"] == status["id"]
    assert answer["status"].startswith("@maria@social.example Thank you, we have your message.")
    assert "private mention" in answer["status"]
    assert "http://testserver/#contact" in answer["status"]
    (said,) = await social(session, direction=Direction.outbound)
    assert answer["key"] == f"interaction:{said.id}"
    assert said.delivery_status is not None
    assert said.delivery_status.value == "sent"


async def test_a_mention_read_again_is_recorded_once_and_answered_once(
    runtime: Runtime, fake: FakeMastodon, poller: MastodonPoller, session: AsyncSession
) -> None:
    fake.post("maria@social.example", "Streetlight out on Oak Ave")
    await poller.run_once()
    async with runtime.db.session() as s:  # the cursor set back: the same page is read again
        await s.execute(update(FeedCursor).values(position="0"))
        await s.commit()
    again = await poller.run_once()
    assert again.recorded == []
    assert again.repeated == 1
    await runtime.worker.drain()
    assert len(await social(session, direction=Direction.inbound)) == 1
    assert len(posted(fake)) == 1


async def test_the_cursor_survives_a_restart_neither_missing_nor_repeating_a_mention(
    runtime: Runtime, settings: Settings, fake: FakeMastodon, poller: MastodonPoller, session: AsyncSession
) -> None:
    for n in range(6):  # notification ids 95 … 100: read as numbers, 100 comes after 99
        fake.post(f"person{n}@social.example", f"Report number {n}")
    first = await poller.run_once()
    assert len(first.recorded) == 6
    assert [i.body for i in await social(session, direction=Direction.inbound)] == [
        f"Report number {n}" for n in range(6)
    ]
    assert (await cursor(session)).position == "100"
    restarted = MastodonPoller(settings, runtime.db, runtime.pipeline, transport=poller.transport)
    fake.post("late@social.example", "One more")
    after = await restarted.run_once()
    assert len(after.recorded) == 1
    assert reads(fake)[-1]["min_id"] == "100"  # read on from the cursor, the page just after it
    assert len(await social(session, direction=Direction.inbound)) == 7


async def test_a_backlog_longer_than_a_page_is_read_page_after_page(
    fake: FakeMastodon, poller: MastodonPoller, session: AsyncSession
) -> None:
    for n in range(41):
        fake.post("busy@social.example", f"Mention {n}")
    first = await poller.run_once()
    assert len(first.recorded) == 40
    assert first.more
    second = await poller.run_once()
    assert len(second.recorded) == 1
    assert not second.more
    bodies = [i.body for i in await social(session, direction=Direction.inbound)]
    assert bodies == [f"Mention {n}" for n in range(41)]


async def test_a_throttled_server_pauses_the_feed_until_its_reset_and_keeps_the_cursor(
    runtime: Runtime, fake: FakeMastodon, poller: MastodonPoller, session: AsyncSession
) -> None:
    fake.post("maria@social.example", "First")
    await poller.run_once()
    fake.post("maria@social.example", "Second")
    reset = (utcnow() + timedelta(minutes=4)).replace(microsecond=0)
    fake.fail_next(
        429, {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset.isoformat()}
    )
    throttled = await poller.run_once()
    assert throttled.recorded == []
    assert throttled.paused_until == reset
    row = await cursor(session)
    assert (row.position, row.not_before, row.failures) == ("95", reset, 1)
    asked = len(reads(fake))
    assert (await poller.run_once()).read == 0
    assert len(reads(fake)) == asked  # paused: the server is not asked again before its reset
    async with runtime.db.session() as s:  # the reset has come
        await s.execute(update(FeedCursor).values(not_before=utcnow() - timedelta(seconds=1)))
        await s.commit()
    resumed = await poller.run_once()
    assert len(resumed.recorded) == 1
    assert [i.body for i in await social(session, direction=Direction.inbound)] == ["First", "Second"]
    assert (await cursor(session)).failures == 0


async def test_a_failing_server_is_tried_again_later_and_later(
    runtime: Runtime, settings: Settings, fake: FakeMastodon, poller: MastodonPoller, session: AsyncSession
) -> None:
    fake.post("maria@social.example", "Hello")
    waits = []
    for _ in range(3):
        fake.fail_next(503)
        before = utcnow()
        done = await poller.run_once()
        assert done.paused_until is not None
        assert done.recorded == []
        waits.append((done.paused_until - before).total_seconds())
        async with runtime.db.session() as s:
            await s.execute(update(FeedCursor).values(not_before=None))
            await s.commit()
    poll = settings.mastodon_poll_seconds
    assert [round(w / poll) for w in waits] == [2, 4, 8]
    assert (await cursor(session)).position == "0"  # where the first read placed it: still there
    assert len((await poller.run_once()).recorded) == 1


async def test_what_cannot_be_read_is_passed_over_and_counted_and_the_rest_recorded(
    fake: FakeMastodon, poller: MastodonPoller, session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    fake.post("before@social.example", "Before")
    broken = fake.post("secret@social.example", "My private words")
    broken["visibility"] = "everyone"  # no such visibility
    fake.notifications.append({"id": "not-a-number", "type": "mention"})
    fake.notifications.append({"id": fake.next_notification_id(), "type": "mention", "status": None})
    fake.post("after@social.example", "After")  # id 98
    with caplog.at_level(logging.WARNING):
        done = await poller.run_once()
    assert len(done.recorded) == 2
    assert sorted(done.skipped) == sorted(
        ["the status has no visibility", "the notification has no id", "the mention has no status"]
    )
    assert [i.body for i in await social(session, direction=Direction.inbound)] == ["Before", "After"]
    row = await cursor(session)
    assert (row.position, row.skipped) == ("98", 2)
    assert "My private words" not in caplog.text
    assert "secret@" not in caplog.text


async def test_a_mention_without_words_is_recorded_without_work_or_answer(
    runtime: Runtime, fake: FakeMastodon, poller: MastodonPoller, session: AsyncSession
) -> None:
    fake.post("quiet@social.example", "")
    done = await poller.run_once()
    assert len(done.recorded) == 1
    (contact,) = await social(session)
    assert contact.body == ""
    assert (await session.execute(select(WorkItem))).first() is None
    assert (await session.execute(select(OutboxMessage))).first() is None


async def test_a_private_mention_is_answered_privately(
    runtime: Runtime, fake: FakeMastodon, poller: MastodonPoller
) -> None:
    status = fake.post("maria@social.example", "My benefit payment is late", visibility="direct")
    await poller.run_once()
    await runtime.worker.drain()
    (answer,) = posted(fake)
    assert answer["visibility"] == "direct"
    assert answer["in_reply_to_id"] == status["id"]
    assert (
        answer["status"] == "@maria@social.example Thank you, we have your message. We will answer you here, privately."
    )


async def test_a_photo_is_kept_as_a_file_fetched_from_the_server_without_any_credential(
    runtime: Runtime, fake: FakeMastodon, poller: MastodonPoller, session: AsyncSession
) -> None:
    url = f"{fake.base}/media/7.png"
    photo = {"id": "7", "type": "image", "url": url, "preview_url": url, "remote_url": None, "description": "hole"}
    elsewhere = {**photo, "id": "8", "url": "https://tracker.example/pixel.png"}
    fake.post("maria@social.example", "See the photo", media=[photo, elsewhere])
    await poller.run_once()
    await runtime.worker.drain()
    session.expire_all()
    (kept,) = (await session.execute(select(Attachment))).scalars().all()
    assert (kept.filename, kept.content_type, kept.source_url) == ("7.png", "image/png", url)
    assert kept.sha256 is not None
    assert kept.size_bytes > 0
    (contact,) = await social(session, direction=Direction.inbound)
    assert contact.payload["mastodon"]["media_links"] == ["https://tracker.example/pixel.png"]  # kept, never fetched


async def test_the_first_read_passes_over_what_was_written_before_the_door_was_opened(
    app: FastAPI, runtime: Runtime, poller: MastodonPoller, session: AsyncSession
) -> None:
    await create_agency(session, slug="city", name="City")
    await session.commit()
    fake = wire(app, runtime)
    long_ago = utcnow() - timedelta(days=400)
    fake.post("old@social.example", "Written a year before the door was opened", at=long_ago)
    fake.post("old@social.example", "Also before", at=utcnow() - timedelta(minutes=2))
    fake.post("new@social.example", "Just now, as the door opens (the servers' clocks differ a little)")
    first = await poller.run_once()
    assert len(first.recorded) == 1
    assert "min_id" not in reads(fake)[0]  # the first read is the newest page
    fake.post("new@social.example", "After")
    assert len((await poller.run_once()).recorded) == 1
    bodies = [i.body for i in await social(session, direction=Direction.inbound)]
    assert bodies == ["Just now, as the door opens (the servers' clocks differ a little)", "After"]
    assert reads(fake)[-1]["min_id"] == "97"


async def test_a_mention_the_platform_cannot_take_yet_waits_for_it(
    app: FastAPI, runtime: Runtime, poller: MastodonPoller, session: AsyncSession
) -> None:
    fake = await opened(app, runtime)  # and no agency to give the contact to
    fake.post("maria@social.example", "Hello")
    waiting = await poller.run_once()
    assert waiting.recorded == []
    assert waiting.skipped == []
    assert waiting.paused_until is not None
    row = await cursor(session)
    assert (row.position, row.last_error) == ("0", "not taken in: Agency not found")
    async with runtime.db.session() as s:
        await create_agency(s, slug="city", name="City")
        await s.execute(update(FeedCursor).values(not_before=None))
        await s.commit()
    assert len((await poller.run_once()).recorded) == 1


async def test_one_reader_at_a_time(fake: FakeMastodon, poller: MastodonPoller, runtime: Runtime) -> None:
    fake.post("maria@social.example", "Hello")
    async with runtime.db.session() as s:  # another process holds the feed
        lease = await feeds.claim(s, feed=poller.feed, now=utcnow(), lease_seconds=60)
        await s.commit()
    assert lease is not None
    assert (await poller.run_once()).read == 0
    assert reads(fake) == []


async def test_the_token_refused_pauses_the_feed(
    app: FastAPI, fake: FakeMastodon, poller: MastodonPoller, session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    fake.settings = fake.settings.model_copy(update={"mastodon_access_token": "another"})
    with caplog.at_level(logging.ERROR):
        done = await poller.run_once()
    assert done.paused_until is not None
    assert "refused the token" in caplog.text
    assert TOKEN not in caplog.text
    assert (await cursor(session)).last_error == "the server refused the token (401)"


async def test_the_server_is_unreachable(
    settings: Settings, runtime: Runtime, fake: FakeMastodon, session: AsyncSession
) -> None:
    transport = httpx.MockTransport(lambda request: (_ for _ in ()).throw(httpx.ConnectError("refused")))
    poller = MastodonPoller(settings, runtime.db, runtime.pipeline, transport=transport)
    done = await poller.run_once()
    assert done.paused_until is not None
    assert (await cursor(session)).last_error == "the server could not be reached (ConnectError)"
