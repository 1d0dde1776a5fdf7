"""Language versions kept in step: publishing one language leaves the others "needs update" until they are
published again or checked; a translation catching up puts the version it followed back in step; the assistant,
answering with a version left behind, says so in the reader's language."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_article, create_staff
from tests.support.staff import sign_in_staff
from townsquare.agencies.models import Agency
from townsquare.clock import replaying
from townsquare.knowledge import service as knowledge
from townsquare.knowledge import translations
from townsquare.knowledge.models import VersionStatus
from townsquare.staff.models import StaffRole

T1, T2, T3, T4 = (datetime(2026, 11, day, 15, 0, tzinfo=UTC) for day in (1, 2, 3, 4))  # each publication's time


async def _pair(session: AsyncSession, agency: Agency | None = None) -> tuple[uuid.UUID, uuid.UUID]:
    agency = agency or await create_agency(session)
    with replaying(T1):
        english = await create_article(
            session, agency=agency, slug="renew-a-permit", title="Renew a permit", short_answer="The fee is $90."
        )
        french = await create_article(
            session,
            agency=agency,
            language="fr",
            slug="renouveler-un-permis",
            title="Renouveler un permis",
            short_answer="Les frais sont de 90 $.",
            variant_of=english.article_id,
        )
    return english.article_id, french.article_id


async def _republish(session: AsyncSession, article_id: uuid.UUID, short_answer: str, at: datetime) -> None:
    """A new version, written, reviewed and published at `at`."""
    title = (await knowledge.versions(session, article_id=article_id))[0].title
    fields = knowledge.ArticleFields(title=title, short_answer=short_answer)
    with replaying(at):
        version = await knowledge.save_draft(
            session, article_id=article_id, fields=fields, author_id=None, change_note=""
        )
        version.status = VersionStatus.review  # submitted by its author; published by the system below
        await session.flush()
        await knowledge.publish(session, version_id=version.id, staff_id=None)


async def test_publishing_one_language_leaves_the_other_needing_an_update_until_it_catches_up(
    session: AsyncSession,
) -> None:
    english, french = await _pair(session)
    assert await translations.outdated(session, article_ids=[english, french]) == {}
    await _republish(session, english, "The fee is $95.", T2)
    behind = await translations.outdated(session, article_ids=[english, french])
    assert set(behind) == {french}
    assert (behind[french].newer_language, behind[french].newer_published_at) == ("en", T2)

    await _republish(session, french, "Les frais sont de 95 $.", T3)  # the translation catches up
    assert await translations.outdated(session, article_ids=[english, french]) == {}

    await _republish(session, french, "Les frais sont de 95 $, payables en ligne.", T4)  # French changes alone
    assert set(await translations.outdated(session, article_ids=[english, french])) == {english}


async def test_a_supervisor_marks_a_version_checked_and_it_is_in_step_again(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    agency = await create_agency(session)
    english, french = await _pair(session, agency)
    await _republish(session, english, "The fee is $95.", T2)
    await create_staff(session, email="sup@city.example", role=StaffRole.supervisor, agencies=[agency])
    await session.commit()
    await sign_in_staff(client, "sup@city.example")
    listing = await client.get("/desk/knowledge")
    assert "Needs update: the English version changed Nov 2, 2026" in listing.text
    page = await client.get(f"/desk/knowledge/{french}")
    assert "Mark as checked: it says the same" in page.text
    done = await client.post(f"/desk/knowledge/{french}/checked", headers={"origin": "http://testserver"})
    assert done.status_code == 303
    await session.commit()
    assert await translations.outdated(session, article_ids=[french]) == {}
