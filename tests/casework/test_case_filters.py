"""A case list's question read from a query string and written back: the same list, every bad value named."""

from __future__ import annotations

import uuid
from datetime import date
from urllib.parse import parse_qsl

import pytest

from townsquare.cases.models import CaseStatus
from townsquare.casework.case_filters import CaseFilters
from townsquare.errors import Problem


def test_a_query_string_round_trips() -> None:
    agency, team = uuid.uuid4(), uuid.uuid4()
    query = {
        "q": "  pothole  ", "agency": str(agency), "status": "in_progress", "state": "open",
        "assignee": f"team:{team}", "sla": "overdue", "channel": "voice", "period": "week",
        "from": "2026-11-02", "to": "2026-11-30", "area": "k1s 3", "sort": "due", "after": "ignored",
    }  # fmt: skip
    filters = CaseFilters.parse(query)
    assert filters.q == "pothole"
    assert filters.agency == agency
    assert filters.status is CaseStatus.in_progress
    assert (filters.since, filters.until) == (date(2026, 11, 2), date(2026, 11, 30))
    assert filters.area == "K1S3"
    assert CaseFilters.parse(dict(parse_qsl(filters.query_string()))) == filters
    assert "after" not in filters.params()
    assert filters.narrowed


def test_the_default_list_asks_nothing() -> None:
    filters = CaseFilters.parse({})
    assert filters == CaseFilters()
    assert filters.query_string() == ""
    assert not filters.narrowed
    assert not CaseFilters.parse({"sort": "oldest"}).narrowed  # an order alone narrows nothing
    assert CaseFilters.parse({"sla": "overdue", "q": "x"}).without("q") == CaseFilters(sla="overdue")


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"status": "done"}, {"status"}),
        ({"agency": "roads"}, {"agency"}),
        ({"service": "1"}, {"service"}),
        ({"sla": "late", "period": "year"}, {"sla", "period"}),
        ({"from": "02/11/2026"}, {"from"}),
        ({"from": "2026-11-30", "to": "2026-11-01"}, {"to"}),
        ({"assignee": "bob"}, {"assignee"}),
        ({"assignee": "team:nope"}, {"assignee"}),
        ({"area": "K1S-3W7"}, {"area"}),
        ({"sort": "random"}, {"sort"}),
        ({"channel": "pigeon"}, {"channel"}),
    ],
)
def test_each_bad_value_is_named(query: dict[str, str], fields: set[str]) -> None:
    with pytest.raises(Problem) as refused:
        CaseFilters.parse(query)
    assert refused.value.status == 422
    assert {e.field for e in refused.value.errors} == fields


def test_a_long_search_is_cut_not_refused() -> None:
    assert len(CaseFilters.parse({"q": "x" * 5000}).q) == 200
