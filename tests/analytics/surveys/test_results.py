"""`results()`, the typed door the dashboards read CSAT from: per channel, service, agency, agent and assistant
article, within agencies and a period; and `comments()`, searched by words."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tests.analytics.surveys.world import create_survey
from tests.factories import create_agency, create_article, create_citizen, create_service
from townsquare.analytics.surveys import results
from townsquare.analytics.surveys.results import By
from townsquare.clock import utcnow


async def test_figures_by_each_grouping_within_agencies_and_a_period(session: AsyncSession) -> None:
    works = await create_agency(session)
    parks = await create_agency(session, slug="parks", name="Parks")
    pothole = await create_service(session, agency=works, code="POTHOLE", name="Pothole repair")
    article = await create_article(session, slug="pool", title="Outdoor pool hours", agency=parks)
    maria = await create_citizen(session, name="Maria Lopez")
    await create_survey(session, citizen=maria, agency=works, service=pothole, score=5)
    await create_survey(session, citizen=maria, agency=works, service=pothole, score=3)
    await create_survey(session, citizen=maria, agency=works, service=pothole, days_ago=40, score=1)
    article_id = getattr(article, "article_id", getattr(article, "id", None))
    await create_survey(
        session, citizen=maria, agency=parks, channel="chat", about="assistant", article_id=article_id, score=4
    )
    await session.commit()
    month = utcnow() - timedelta(days=30)

    [service_row] = await results.results(session, agency_ids={works.id}, since=month, by=By.service)
    [article_row] = await results.results(session, agency_ids=None, channel="chat", by=By.article)
    by_agency = await results.results(session, agency_ids=None, by=By.agency)
    nothing = await results.results(session, agency_ids=set(), by=By.channel)

    assert (service_row.label, service_row.sent, service_row.answered) == ("Pothole repair", 2, 2)
    assert (service_row.csat, service_row.average, service_row.response_rate) == (0.5, 4.0, 1.0)
    assert (article_row.label, article_row.csat) == ("Outdoor pool hours", 1.0)
    assert {(r.label, r.sent) for r in by_agency} == {("City Works", 3), ("Parks", 1)}
    assert nothing == []
    total = results.overall(by_agency)
    assert (total.sent, total.answered, total.satisfied, total.score_total) == (4, 4, 2, 13)


async def test_comments_are_found_by_every_word_in_any_case_and_percent_is_literal(session: AsyncSession) -> None:
    works = await create_agency(session)
    maria = await create_citizen(session, name="Maria Lopez")
    await create_survey(session, citizen=maria, agency=works, score=2, comment="Crew was late, 100% annoyed")
    await create_survey(session, citizen=maria, agency=works, score=5, comment="Lovely crew")
    await session.commit()

    late = await results.comments(session, agency_ids={works.id}, words="CREW late")
    percent = await results.comments(session, agency_ids={works.id}, words="%")
    everyone = await results.comments(session, agency_ids=None, words="")

    assert [c.comment for c in late] == ["Crew was late, 100% annoyed"]
    assert [c.comment for c in percent] == ["Crew was late, 100% annoyed"]
    assert len(everyone) == 2
