"""A folded batch written back: new journeys inserted, changed ones written back whole, each touch's marks set,
and nothing else touched; one statement per write on PostgreSQL, bulk statements elsewhere."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from tests.factories import create_citizen
from townsquare.analytics.folding import JOURNEY_COLUMNS, FoldJourney, FoldTouch
from townsquare.analytics.models import Journey, Touch
from townsquare.analytics.writing import write_journeys, write_marks
from townsquare.app import Runtime

AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def journey(citizen_id: uuid.UUID, need: str, **fields: object) -> FoldJourney:
    base = FoldJourney(
        id=uuid.uuid4(), citizen_id=citizen_id, need=need, case_id=None, service_id=None, agency_id=None,
        day=date(2026, 3, 2), first_contact_at=AT, last_contact_at=AT, first_channel="web", last_channel="web",
        channels=["web"], contacts=1,
    )  # fmt: skip
    return replace(base, **fields)  # type: ignore[arg-type]


async def test_new_and_changed_journeys_and_touch_marks_are_written(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        ana = await create_citizen(s, name="Ana")
        ben = await create_citizen(s, name="Ben")
        known = journey(ben.id, "subject:bins")
        s.add(Journey(**{name: getattr(known, name) for name in JOURNEY_COLUMNS}))
        touches = [
            Touch(citizen_id=ana.id, occurred_at=AT + timedelta(minutes=n), channel="voice", kind="call")
            for n in range(3)
        ]
        untouched = Touch(citizen_id=ben.id, occurred_at=AT, channel="sms", kind="message", area="M5V")
        s.add_all([*touches, untouched])
        await s.commit()
        touch_ids = [t.id for t in touches]
        ana_id, untouched_id = ana.id, untouched.id

    fresh = journey(ana_id, "service:x", case_id=uuid.uuid4(), channels=["web", "voice"], contacts=2, switches=1)
    changed = replace(
        known, last_contact_at=AT + timedelta(days=2), last_channel="sms", channels=["web", "sms"], contacts=2,
        switches=1, repeats=1, avoidable=1, asked_again=1, self_served=True, fcr=False,
        outcome_at=AT + timedelta(days=3),
    )  # fmt: skip
    marks = [
        FoldTouch(
            id=touch_id,
            citizen_id=ana_id,
            occurred_at=AT,
            channel="voice",
            journey_id=fresh.id,
            day=date(2026, 3, 2),
            contact_start=n == 0,
            repeat=n == 2,
            avoidable=n == 1,
            switched=n == 1,
            age_band="25-34",
            area="K1A",
        )
        for n, touch_id in enumerate(touch_ids)
    ]
    async with runtime.db.session() as s:
        await write_journeys(s, [fresh], [changed])
        await write_marks(s, marks)
        await s.commit()

    async with runtime.db.session() as s:
        rows = {j.id: j for j in (await s.execute(select(Journey))).scalars()}
        assert set(rows) == {fresh.id, changed.id}
        for expected in (fresh, changed):
            got = rows[expected.id]
            assert {name: getattr(got, name) for name in JOURNEY_COLUMNS} == {
                name: getattr(expected, name) for name in JOURNEY_COLUMNS
            }
        written = {t.id: t for t in (await s.execute(select(Touch))).scalars()}
        for n, touch_id in enumerate(touch_ids):
            t = written[touch_id]
            assert (t.journey_id, t.day, t.age_band, t.area) == (fresh.id, date(2026, 3, 2), "25-34", "K1A")
            assert (t.contact_start, t.repeat, t.avoidable, t.switched) == (n == 0, n == 2, n == 1, n == 1)
            assert (t.channel, t.kind) == ("voice", "call")  # what the flow wrote is left alone
        other = written[untouched_id]
        assert (other.journey_id, other.day, other.area, other.contact_start) == (None, None, "M5V", False)


async def test_an_empty_batch_writes_nothing(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        await write_journeys(s, [], [])
        await write_marks(s, [])
        await s.commit()
        assert (await s.execute(select(Journey))).first() is None
