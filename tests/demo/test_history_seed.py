"""The demo's year of history reaches the dashboards: every contact left its touch, the analytics worker folded
them while seeding, and the figures look like a city's (a channel shift, repeats, avoidable contacts, people
asked again, a plausible first-contact resolution, staff time on what people handled)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from townsquare.analytics import measures
from townsquare.analytics.config import AnalyticsConfig
from townsquare.analytics.models import Journey, Touch
from townsquare.app import Runtime, build_runtime
from townsquare.clock import utcnow
from townsquare.demo.seed import seed
from townsquare.interactions.models import Direction, Interaction
from townsquare.migrations import upgrade_engine
from townsquare.routing.models import OfferOutcome, WorkItem, WorkItemStatus, WorkOffer
from townsquare.settings import Settings

NEVER = datetime.max.replace(tzinfo=UTC)


def _months(today: date) -> list[date]:
    first = today.replace(day=1)
    months = [first]
    for _ in range(11):
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return sorted(months)


async def test_a_year_of_contact_folded_into_journeys_with_believable_figures(runtime: Runtime) -> None:
    await seed(runtime.db, citizens=120)
    config = AnalyticsConfig()
    today = utcnow().astimezone(config.zone).date()
    year = measures.Scope(since=today - timedelta(days=364), until=today, period="month")
    async with runtime.db.session() as s:
        inbound = await s.scalar(
            select(func.count()).select_from(Interaction).where(Interaction.direction == Direction.inbound)
        )
        assert await s.scalar(select(func.count()).select_from(Touch)) == inbound  # every inbound contact
        assert not await s.scalar(select(func.count()).select_from(Touch).where(Touch.journey_id.is_(None)))
        assert not await s.scalar(
            select(func.count())
            .select_from(Journey)
            .where(Journey.fcr.is_(None) & (Journey.first_contact_at < utcnow() - timedelta(days=8)))
        )

        volume = await measures.volume(s, year)
        by_month = {m: sum(volume.count(m, c) for c in volume.channels) for m in volume.buckets}
        assert all(by_month[m] > 0 for m in _months(today)), by_month

        def digital_share(month: date) -> float:
            return sum(volume.count(month, c) for c in ("web", "mobile", "chat")) / by_month[month]

        # The channel shift: the portal, app and chat's share rises through the year, measured as the slope of a
        # least-squares line through every whole month's share. A city of 120 gives about two points a month on any
        # day it is seeded (checked at six dates through the year: 0.020-0.023); 40 people's half-years, compared
        # alone, moved by a few points with the day.
        whole = _months(today)[:-1]
        shares = [digital_share(m) for m in whole]
        mean_x, mean_y = (len(whole) - 1) / 2, sum(shares) / len(shares)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(shares)) / sum(
            (x - mean_x) ** 2 for x in range(len(whole))
        )
        assert slope > 0.01, (slope, shares)  # at least a point a month

        figures = (await measures.journeys(s, year)).total
        for counted in (figures.repeats, figures.avoidable, figures.asked_again, figures.multichannel):
            assert counted > 0, figures
        assert 0.55 <= (figures.fcr_rate or 0) <= 0.85, figures
        assert 0.05 <= (figures.repeat_rate or 0) <= 0.25, figures
        assert 0 < (figures.avoidable_rate or 0) < 0.12, figures
        assert figures.outcomes > 0

        cost = await measures.cost(s, year, config)
        by_channel = {line.key: line for line in cost.by_channel}
        assert by_channel["voice"].handled  # staff time on calls and visits
        assert by_channel["counter"].handled
        assert 2 < (by_channel["voice"].minutes_per_handled or 0) < 20
        assert not by_channel["web"].handled  # the portal's forms took no one's time while being filled in
        offers = (await s.execute(select(WorkOffer).join(WorkItem, WorkItem.id == WorkOffer.work_item_id))).scalars()
        for offer in offers:  # as the agent's answers leave them: accepted, then let go as completed
            assert offer.outcome is OfferOutcome.accepted
            assert offer.released_how == "completed"
            assert offer.offered_at <= (offer.responded_at or NEVER) <= (offer.released_at or NEVER) <= utcnow()
        done = await s.scalar(select(func.count()).select_from(WorkItem).where(WorkItem.status == WorkItemStatus.done))
        assert done == await s.scalar(select(func.count()).select_from(WorkOffer))


async def test_the_same_seed_gives_the_same_touches(runtime: Runtime, settings: Settings) -> None:
    if not settings.is_sqlite:
        return
    other = build_runtime(settings.model_copy(update={"database_url": settings.database_url.replace(".db", "-2.db")}))
    await upgrade_engine(other.db.engine)
    await seed(runtime.db, citizens=15)
    await seed(other.db, citizens=15)
    # Times are relative to the moment each was seeded; what happened, and how it folded, is the same.
    touches = select(Touch.channel, Touch.kind, Touch.self_service, Touch.asked_again, Touch.repeat, Touch.avoidable)
    journeys = select(Journey.first_channel, Journey.contacts, Journey.repeats, Journey.avoidable, Journey.fcr)
    async with runtime.db.session() as s1, other.db.session() as s2:
        for query in (touches, journeys):
            assert sorted(map(tuple, (await s1.execute(query)).all()), key=repr) == sorted(
                map(tuple, (await s2.execute(query)).all()), key=repr
            )
    await other.db.dispose()
