"""Service levels and hotspots from cases whose every figure is known: opened, closed in time or late, still
open past due; reports in two squares of the grid. Counted by the worker, read by the dashboard's queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.factories import create_agency, create_service
from townsquare.analytics import case_measures
from townsquare.analytics.measures import Scope
from townsquare.analytics.worker import AnalyticsWorker, recount
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.cases import workflow
from townsquare.cases.models import CaseStatus
from townsquare.clock import replaying

MAY = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)  # 10:00 in Toronto


async def test_attainment_days_to_close_and_hotspots_of_known_cases(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        works = await create_agency(s)
        pothole = await create_service(s, agency=works, code="POTHOLE", name="Report a pothole", sla_target_hours=48)
        opened = []
        for n, (lat, long) in enumerate([(45.4215, -75.6972), (45.4219, -75.6911), (45.4301, -75.7050)]):
            with replaying(MAY + timedelta(minutes=n)):
                opened.append(
                    await cases.open_case(
                        s, prefix="TS", agency_id=works.id, title="Pothole", channel="sms", service_id=pothole.id,
                        sla_target_hours=48, location={"lat": lat, "long": long},
                    )
                )  # fmt: skip
        in_time, late, _still_open = opened
        with replaying(MAY + timedelta(hours=24)):
            await workflow.change_status(s, case=in_time, status=CaseStatus.resolved, note="Filled")
        with replaying(MAY + timedelta(hours=72, minutes=1)):  # opened a minute after the first
            await workflow.change_status(s, case=late, status=CaseStatus.resolved, note="Filled")
        await s.commit()

    await AnalyticsWorker(runtime.db).run_once(now=MAY + timedelta(days=10))
    async with runtime.db.session() as s:
        scope = Scope(since=date(2026, 5, 1), until=date(2026, 5, 31), period="month")
        sla = await case_measures.sla(s, scope)
        total = sla.total
        assert (total.opened, total.closed, total.due, total.met) == (3, 2, 3, 1)
        assert total.attainment == 1 / 3
        assert total.days_to_close == 2.0  # one day and three days
        assert [(line.key, line.opened) for line in sla.by_channel] == [("sms", 3)]
        cells = await case_measures.hotspots(s, scope)
        assert [(c.lat, c.long, c.reports) for c in cells] == [(45.42, -75.70, 2), (45.43, -75.71, 1)]
        assert cells[0].top_service == pothole.id
        works_only = Scope(since=date(2026, 5, 1), until=date(2026, 5, 31), agency_ids=frozenset())
        assert (await case_measures.sla(s, works_only)).total.opened == 0  # an agency scope that is not theirs


async def test_history_written_behind_the_worker_is_counted_once_recounted(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        works = await create_agency(s)
        await s.commit()
    worker = AnalyticsWorker(runtime.db)
    await worker.run_once(now=MAY + timedelta(days=30))  # the worker has read everything up to June
    async with runtime.db.session() as s:
        with replaying(MAY):  # a May case imported in June, straight into the table, as a bulk import writes
            await cases.open_case(s, prefix="TS", agency_id=works.id, title="Imported", channel="mail")
        await s.commit()
    scope = Scope(since=date(2026, 5, 1), until=date(2026, 5, 31), period="month")
    await worker.run_once(now=MAY + timedelta(days=31))
    async with runtime.db.session() as s:
        assert (await case_measures.sla(s, scope)).total.opened == 0  # written behind the mark: not seen
        await recount(s)
        await s.commit()
    await worker.run_once(now=MAY + timedelta(days=32))
    async with runtime.db.session() as s:
        assert (await case_measures.sla(s, scope)).total.opened == 1
