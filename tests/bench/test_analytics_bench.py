"""The small parts of bench/analytics.py: the scopes it reads dashboards over, the filters it sends the page, and
its percentiles. The database work it does is the product's own, tested in tests/analytics."""

from __future__ import annotations

import uuid
from datetime import date

import analytics as bench
import analytics_sql
from townsquare.casework.dashboards import LONGEST


def test_the_scopes_are_a_year_by_month_a_quarter_by_week_and_a_month_by_day() -> None:
    agency, service = uuid.uuid4(), uuid.uuid4()
    cases = bench.cases(date(2026, 12, 5), agency, service, "voice")
    assert len(cases) == 12
    by_period = {c.period: c for c in cases if c.label.endswith("all agencies")}
    assert (by_period["month"].since, by_period["month"].until) == (date(2026, 1, 1), date(2026, 12, 5))
    assert by_period["week"].since == date(2026, 9, 7)  # a Monday, 12 weeks before the week of the 5th
    assert by_period["week"].since.weekday() == 0
    assert (by_period["day"].since, by_period["day"].until) == (date(2026, 11, 6), date(2026, 12, 5))
    assert all(c.until - c.since <= LONGEST for c in cases)
    assert sum(1 for c in cases if c.agency == agency) == 3
    assert sum(1 for c in cases if c.service == service) == 3
    assert sum(1 for c in cases if c.channel == "voice") == 3


def test_filters_and_the_page_address_say_the_same_scope() -> None:
    agency = uuid.uuid4()
    case = bench.Case("x", date(2026, 1, 1), date(2026, 3, 31), "week", agency=agency)
    assert case.filters() == {
        "since": "2026-01-01",
        "until": "2026-03-31",
        "period": "week",
        "agency": str(agency),
        "service": None,
        "channel": None,
    }
    assert case.query() == f"from=2026-01-01&to=2026-03-31&period=week&agency={agency}"


def test_percentiles_by_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert bench.percentile(values, 50) == 50.0
    assert bench.percentile(values, 95) == 95.0
    assert bench.percentile([3.0, 1.0, 2.0], 95) == 3.0
    assert bench.percentile([7.0], 50) == 7.0


def test_the_touch_sql_writes_every_column_the_flow_writes() -> None:
    """One touch per inbound interaction, with each column `engagement/measuring.py` fills, and folding's left
    for the worker."""
    from townsquare.analytics.models import Touch

    written = analytics_sql.TOUCHES.split("INSERT INTO analytics_touches (", 1)[1].split(")", 1)[0]
    assert {c.strip() for c in written.split(",")} == {c.name for c in Touch.__table__.columns}
    assert "i.direction = 'inbound'" in analytics_sql.TOUCHES
