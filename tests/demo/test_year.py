"""The shape of the demo's year: every service has a season, the channel mix moves from the phone and the
counter to the web and chat month by month, and the counter is closed at weekends."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from townsquare.demo.city import city
from townsquare.demo.year import DAYS, MONTHS, OFFICE, SEASONS, ZONE, mix, month_index, plan
from townsquare.interactions.models import Channel

NOW = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)


def test_every_service_residents_talk_about_has_a_season_of_twelve_months() -> None:
    assert set(city().phrases.openers) <= set(SEASONS)
    assert all(len(weights) == MONTHS for weights in SEASONS.values())


def test_the_mix_moves_from_the_phone_and_the_counter_to_the_web_and_chat() -> None:
    for code in SEASONS:
        first, last = mix(code, 0), mix(code, MONTHS - 1)
        for grows in (Channel.web, Channel.chat):
            assert last[grows] > first[grows], (code, grows)
        for shrinks in (Channel.voice, Channel.counter):
            assert last.get(shrinks, 0) <= first.get(shrinks, 0), (code, shrinks)


def test_a_year_of_needs_in_time_order_with_seasons_and_weekends() -> None:
    starts = plan(random.Random(7), NOW, sorted(SEASONS), 4000)
    assert [s.at for s in starts] == sorted(s.at for s in starts)
    assert all((NOW - s.at).days < DAYS and s.at <= NOW for s in starts)
    assert {month_index(NOW, s.at) for s in starts} == set(range(MONTHS))
    weekend = [s for s in starts if s.at.astimezone(ZONE).weekday() >= 5]
    assert weekend
    assert not [s for s in weekend if s.channel is Channel.counter]
    assert len(weekend) < len(starts) * 2 / 7  # quieter than a weekday
    office = [s.at.astimezone(ZONE) for s in starts if s.channel in OFFICE]
    assert all(8 <= at.hour <= 16 for at in office)
    potholes = [s.at.astimezone(ZONE).month for s in starts if s.code == "POTHOLE"]
    assert sum(m in (3, 4) for m in potholes) > sum(m in (8, 9) for m in potholes) * 2  # the spring thaw
