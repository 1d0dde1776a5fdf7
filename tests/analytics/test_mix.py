"""Who uses which channel: age bands from a register's date of birth, areas from its postal code, languages; a
value with fewer than five contacts joins "other" and a small cell is never shown as a number."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.factories import create_citizen
from townsquare.analytics import mix, touches
from townsquare.analytics.measures import Scope
from townsquare.analytics.people import age_band, area_of
from townsquare.analytics.worker import AnalyticsWorker
from townsquare.app import Runtime
from townsquare.matching.models import SourceRecord

JUNE = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)


def test_bands_and_areas() -> None:
    on = date(2026, 6, 10)
    assert age_band("19960610", on) == "25-34"  # thirty today
    assert age_band("19960611", on) == "25-34"  # twenty-nine until tomorrow
    assert age_band("20080611", on) == "0-17"
    assert age_band("19400101", on) == "75+"
    assert age_band("1996-06-10", on) is None  # not as registers are folded
    assert age_band("20300101", on) is None
    assert area_of("k1a 0b1") == "K1A"
    assert area_of("H2") is None


async def test_channel_mix_by_age_band_with_small_counts_suppressed(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        people = []
        for n in range(6):
            person = await create_citizen(s, name=f"P{n}")
            born = "19950301" if n < 5 else "19400101"  # five in their thirties, one over 75
            s.add(SourceRecord(source="civil", source_key=str(n), digest=str(n) * 8, fields={}, citizen_id=person.id,
                               birth_date=born, postcode="K1A0B1" if n < 5 else "H2X1Y4"))  # fmt: skip
            people.append(person)
        for n, person in enumerate(people):
            channel = "voice" if n < 2 else "web"
            at = JUNE + timedelta(hours=n)
            language = "fr" if n == 0 else "en"
            touches.contact(s, citizen_id=person.id, channel=channel, kind="call", occurred_at=at, language=language)
        await s.commit()
    await AnalyticsWorker(runtime.db).run_once(now=JUNE + timedelta(days=1))
    scope = Scope(since=date(2026, 6, 1), until=date(2026, 6, 30))
    async with runtime.db.session() as s:
        bands = await mix.mix(s, scope, "age_band", contacts=6)
        assert [(r.value, r.counts) for r in bands.rows] == [("25-34", {"voice": 2, "web": 3}), ("other", {"web": 1})]
        thirties = bands.rows[0]
        assert (thirties.shown("voice"), thirties.share("voice")) == (None, None)  # 2 is fewer than 5
        assert bands.unknown_share == 0
        areas = await mix.mix(s, scope, "area", contacts=6)
        assert [r.value for r in areas.rows] == ["K1A", "other"]
        languages = await mix.mix(s, scope, "language", contacts=6)
        assert [(r.value, r.total) for r in languages.rows] == [("en", 5), ("other", 1)]
