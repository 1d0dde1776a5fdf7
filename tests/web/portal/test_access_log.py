"""Who has looked at my data: every audit row about the resident in plain words (a member of staff by name, an
agency's system by name, refusals), filtered, exported as CSV, never another person's; reading it writes nothing;
"Why?" opens a case in the reading agency, a few a day at most."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from tests.web.portal.conftest import sign_in
from tests.web.portal.sharing_helpers import ORIGIN, Seeded, seed
from townsquare.app import Runtime
from townsquare.cases.models import Case
from townsquare.clock import utcnow
from townsquare.routing.models import WorkItem
from townsquare.staff.models import AuditEntry


def _shown(page: httpx.Response, seeded: Seeded) -> set[str]:
    ids = {
        "staff": seeded.staff_read,
        "api": seeded.api_read,
        "refusal": seeded.refusal,
        "other": seeded.other_read,
    }
    return {name for name, entry in ids.items() if f'id="entry-{entry}"' in page.text}


async def _log_size(runtime: Runtime) -> int:
    async with runtime.db.session() as s:
        return int((await s.execute(select(func.count()).select_from(AuditEntry))).scalar_one())


async def test_the_log_shows_staff_and_system_reads_and_refusals_in_words(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    seeded = await seed(runtime)
    sign_in(client, seeded.pat)
    before = await _log_size(runtime)
    page = await client.get("/account/access-log")
    assert page.status_code == 200
    assert _shown(page, seeded) == {"staff", "api", "refusal"}
    assert "Ben Sup" in page.text or seeded.world.consumer_approver.display_name in page.text
    assert "Benefits intake system (an agency system)" in page.text
    assert "Tried to read data about you, and was refused" in page.text
    assert "Read data other agencies hold about you" in page.text
    assert "To check eligibility for the low-income transit pass." in page.text
    assert "Agreement DSA-0001 v1" in page.text
    assert await _log_size(runtime) == before  # reading one's own log writes nothing
    assert '<a class="govuk-link" href="/account/access-log">' in (await client.get("/account")).text


async def test_filters_narrow_the_log(client: httpx.AsyncClient, runtime: Runtime) -> None:
    seeded = await seed(runtime)
    sign_in(client, seeded.pat)
    assert _shown(await client.get("/account/access-log?kind=staff"), seeded) == {"staff"}
    assert _shown(await client.get("/account/access-log?kind=systems"), seeded) == {"api"}
    assert _shown(await client.get("/account/access-log?kind=refusals"), seeded) == {"refusal"}
    assert _shown(await client.get("/account/access-log?kind=you"), seeded) == set()
    benefits, revenue = seeded.world.benefits.id, seeded.world.revenue.id
    assert _shown(await client.get(f"/account/access-log?agency={benefits}"), seeded) == {"staff", "api", "refusal"}
    assert _shown(await client.get(f"/account/access-log?agency={revenue}"), seeded) == set()
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    yesterday = (utcnow() - timedelta(days=2)).date().isoformat()
    assert _shown(await client.get(f"/account/access-log?start={tomorrow}"), seeded) == set()
    assert _shown(await client.get(f"/account/access-log?start={yesterday}&end={tomorrow}"), seeded) == {
        "staff",
        "api",
        "refusal",
    }
    wrong = await client.get("/account/access-log?start=last-week")
    assert wrong.status_code == 422
    assert "Enter the start date" in wrong.text


async def test_the_csv_has_the_filtered_rows_only(client: httpx.AsyncClient, runtime: Runtime) -> None:
    seeded = await seed(runtime)
    sign_in(client, seeded.pat)
    answer = await client.get("/account/access-log.csv?kind=systems")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0][0] == "When"
    assert [row[-1] for row in rows[1:]] == [str(seeded.api_read)]
    everything = list(csv.reader(io.StringIO((await client.get("/account/access-log.csv")).text)))
    ids = {row[-1] for row in everything[1:]}
    assert {str(seeded.staff_read), str(seeded.api_read), str(seeded.refusal)} <= ids
    assert str(seeded.other_read) not in ids


async def test_pages_go_back_in_time_by_position(client: httpx.AsyncClient, runtime: Runtime) -> None:
    from townsquare.residents import access_log

    seeded = await seed(runtime)
    async with runtime.db.session() as s:
        first = await access_log.page(s, citizen_id=seeded.pat.citizen_id, filters=access_log.Filters(), size=2)
        assert len(first.entries) == 2
        assert first.next is not None
        rest = await access_log.page(
            s, citizen_id=seeded.pat.citizen_id, filters=access_log.Filters(), before=first.next, size=50
        )
    seen = [e.id for e in first.entries + rest.entries]
    assert len(seen) == len(set(seen))
    assert {seeded.staff_read, seeded.api_read, seeded.refusal} <= set(seen)
    assert rest.next is None
    assert [e.occurred_at for e in first.entries + rest.entries] == sorted(
        (e.occurred_at for e in first.entries + rest.entries), reverse=True
    )


async def test_why_opens_a_case_in_the_reading_agency(client: httpx.AsyncClient, runtime: Runtime) -> None:
    seeded = await seed(runtime)
    sign_in(client, seeded.pat)
    asked = await client.post(f"/account/access-log/{seeded.staff_read}/why", headers=ORIGIN)
    assert asked.status_code == 303
    async with runtime.db.session() as s:
        case = (await s.execute(select(Case).where(Case.citizen_id == seeded.pat.citizen_id))).scalar_one()
        assert case.agency_id == seeded.world.benefits.id
        assert case.opened_channel == "web"
        assert case.title.startswith("Privacy question about an access on ")
        assert str(seeded.staff_read) in case.description
        item = (await s.execute(select(WorkItem).where(WorkItem.case_id == case.id))).scalar_one()
        assert item.agency_id == seeded.world.benefits.id
    assert asked.headers["location"] == f"/account/access-log/{seeded.staff_read}/why?case={case.reference}"
    shown = await client.get(asked.headers["location"])
    assert case.reference in shown.text
    assert f'href="/account/cases/{case.reference}"' in shown.text
    assert (await client.get(f"/account/cases/{case.reference}")).status_code == 200


async def test_why_about_another_persons_entry_is_not_found(client: httpx.AsyncClient, runtime: Runtime) -> None:
    seeded = await seed(runtime)
    sign_in(client, seeded.pat)
    assert (await client.post(f"/account/access-log/{seeded.other_read}/why", headers=ORIGIN)).status_code == 404
    assert (await client.get(f"/account/access-log/{seeded.other_read}/why")).status_code == 404
    async with runtime.db.session() as s:
        assert (await s.execute(select(func.count()).select_from(Case))).scalar_one() == 0


async def test_why_is_limited_per_day(client: httpx.AsyncClient, runtime: Runtime) -> None:
    seeded = await seed(runtime)
    sign_in(client, seeded.pat)
    for entry in (seeded.staff_read, seeded.api_read, seeded.refusal):
        assert (await client.post(f"/account/access-log/{entry}/why", headers=ORIGIN)).status_code == 303
    refused = await client.post(f"/account/access-log/{seeded.staff_read}/why", headers=ORIGIN)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert "several times today" in refused.text
    async with runtime.db.session() as s:
        assert (await s.execute(select(func.count()).select_from(Case))).scalar_one() == 3
