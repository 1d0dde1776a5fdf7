"""The dashboard's figures: requests opened and closed per service by week, median days to close, channel shares;
and that they survive being written to `dashboard.json` and read back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tests.analytics.open_data.seeding import seed_city
from townsquare.analytics.open_data.dashboard import Dashboard, Tally
from townsquare.analytics.open_data.export import export
from townsquare.analytics.open_data.files import directory
from townsquare.analytics.open_data.views import dashboard
from townsquare.app import Runtime
from townsquare.settings import Settings

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # a Thursday


def _add(tally: Tally, code: str, channel: str, created: datetime, closed: datetime | None = None) -> None:
    tally.add(
        service_code=code,
        service_name=code.title(),
        agency_name="Roads",
        channel=channel,
        created_at=created,
        closed_at=closed,
    )


def test_weeks_services_medians_and_channels() -> None:
    tally = Tally(now=NOW, timezone="America/Toronto", weeks=3)
    monday = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    _add(tally, "POTHOLE", "sms", monday, monday + timedelta(days=1))
    _add(tally, "POTHOLE", "web", monday - timedelta(weeks=1), monday + timedelta(days=2))  # 9 days
    _add(tally, "POTHOLE", "web", monday - timedelta(weeks=1))
    _add(tally, "GRAFFITI", "web", monday - timedelta(weeks=2), monday - timedelta(weeks=2, days=-2))
    _add(tally, "POTHOLE", "voice", monday - timedelta(weeks=5), monday)  # opened before: its closing counts
    _add(tally, "OLD", "voice", monday - timedelta(weeks=9), monday - timedelta(weeks=8))  # outside: not at all
    figures = tally.result()
    assert [w.isoformat() for w in figures.weeks] == ["2026-11-16", "2026-11-23", "2026-11-30"]
    assert [s.service_code for s in figures.services] == ["GRAFFITI", "POTHOLE"]
    pothole = figures.services[1]
    assert [(w.opened, w.closed) for w in pothole.weeks] == [(0, 0), (2, 0), (1, 3)]
    assert (pothole.opened, pothole.closed) == (3, 3)
    assert pothole.median_days_to_close == 9.0  # of 1, 9 and 35 days
    assert [(w.opened, w.closed) for w in figures.totals] == [(1, 1), (2, 0), (1, 3)]
    assert [(c.channel, c.requests, c.share) for c in figures.channels] == [("web", 3, 0.75), ("sms", 1, 0.25)]
    assert figures.median_days_to_close == 5.5  # of 1, 2, 9 and 35 days


def test_no_request_gives_empty_figures() -> None:
    figures = Tally(now=NOW, timezone="America/Toronto").result()
    assert figures.services == ()
    assert figures.channels == ()
    assert figures.median_days_to_close is None
    assert len(figures.weeks) == len(figures.totals) == 8


async def test_the_export_writes_the_figures_the_page_reads(
    runtime: Runtime, session: AsyncSession, settings: Settings
) -> None:
    assert dashboard(directory(settings)) is None  # before the first export
    await seed_city(session)
    await export(runtime.db, settings)
    figures = dashboard(directory(settings))
    assert figures is not None
    assert [s.service_code for s in figures.services] == ["POTHOLE"]  # never the private service
    assert figures.services[0].opened == 3
    assert sorted(c.channel for c in figures.channels) == ["sms", "voice", "web"]
    raw = json.loads((directory(settings) / "dashboard.json").read_bytes())
    assert Dashboard.from_json(raw) == figures
