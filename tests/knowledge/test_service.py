"""The knowledge workflow: draft → review → published, four eyes, roles, the revision, effective dates, variants."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_article, create_staff
from townsquare.agencies.models import Agency
from townsquare.errors import Problem
from townsquare.knowledge import service as knowledge
from townsquare.knowledge.models import ArticleVersion, KnowledgeRevision, VersionStatus
from townsquare.staff.models import StaffAccount, StaffRole

FIELDS = knowledge.ArticleFields(
    title="Report a pothole",
    summary="Tell the city about a pothole on a street or sidewalk.",
    body="Use the **online form**.",
    short_answer="Report a pothole online and we fix most within 5 days.",
    service_codes=("POTHOLE",),
)


async def _people(session: AsyncSession) -> tuple[Agency, StaffAccount, StaffAccount]:
    agency = await create_agency(session)
    author = await create_staff(session, email="writer@city.example", agencies=[agency])
    supervisor = await create_staff(session, email="boss@city.example", role=StaffRole.supervisor, agencies=[agency])
    return agency, author, supervisor


def _status(version: ArticleVersion) -> VersionStatus:
    """The version's status as it is now (a workflow step changes it on the same object)."""
    return version.status


async def test_a_draft_goes_through_review_to_publication_and_bumps_the_revision(session: AsyncSession) -> None:
    agency, author, supervisor = await _people(session)
    version = await knowledge.create_article(
        session, agency_id=agency.id, language="en", slug="report-a-pothole", fields=FIELDS, author_id=author.id
    )
    assert (version.number, version.status) == (1, VersionStatus.draft)
    assert await knowledge.live(session, article_id=version.article_id) is None
    before = await knowledge.current_revision(session)

    await knowledge.submit(session, version_id=version.id, staff_id=author.id)
    assert version.status == VersionStatus.review
    assert await knowledge.current_revision(session) == before  # submitting changes nothing live

    await knowledge.publish(session, version_id=version.id, staff_id=supervisor.id)
    assert _status(version) == VersionStatus.published
    assert version.published_by_id == supervisor.id
    assert await knowledge.current_revision(session) == before + 1

    live = await knowledge.live(session, article_id=version.article_id)
    assert live is not None
    assert (live.version_id, live.number, live.title, live.slug) == (version.id, 1, FIELDS.title, "report-a-pothole")
    assert live.service_codes == ["POTHOLE"]
    assert live.updated_on == live.published_at.date()
    assert await knowledge.live_by_slug(session, slug="report-a-pothole") == live


async def test_four_eyes_the_author_cannot_publish_their_own_version_unless_admin(session: AsyncSession) -> None:
    agency, _, supervisor = await _people(session)
    version = await knowledge.create_article(
        session, agency_id=agency.id, language="en", slug="own-work", fields=FIELDS, author_id=supervisor.id
    )
    await knowledge.submit(session, version_id=version.id, staff_id=supervisor.id)
    with pytest.raises(Problem, match="second person") as refused:
        await knowledge.publish(session, version_id=version.id, staff_id=supervisor.id)
    assert refused.value.status == 403
    assert version.status == VersionStatus.review

    admin = await create_staff(session, email="admin@city.example", role=StaffRole.admin)
    own = await knowledge.create_article(
        session, agency_id=agency.id, language="en", slug="admin-own", fields=FIELDS, author_id=admin.id
    )
    await knowledge.submit(session, version_id=own.id, staff_id=admin.id)
    await knowledge.publish(session, version_id=own.id, staff_id=admin.id)
    assert own.status == VersionStatus.published


async def test_only_supervisors_and_admins_publish_send_back_or_withdraw(session: AsyncSession) -> None:
    agency, author, supervisor = await _people(session)
    colleague = await create_staff(session, email="colleague@city.example", agencies=[agency])
    version = await knowledge.create_article(
        session, agency_id=agency.id, language="en", slug="roles", fields=FIELDS, author_id=author.id
    )
    await knowledge.submit(session, version_id=version.id, staff_id=author.id)
    with pytest.raises(Problem, match="supervisor or an administrator") as refused:
        await knowledge.publish(session, version_id=version.id, staff_id=colleague.id)
    assert refused.value.status == 403
    with pytest.raises(Problem, match="supervisor or an administrator"):
        await knowledge.send_back(session, version_id=version.id, staff_id=colleague.id, note="no")

    await knowledge.send_back(session, version_id=version.id, staff_id=supervisor.id, note="Add the phone number.")
    assert version.status == VersionStatus.draft
    assert "Add the phone number." in version.change_note
    with pytest.raises(Problem, match="in review") as wrong_state:
        await knowledge.publish(session, version_id=version.id, staff_id=supervisor.id)
    assert wrong_state.value.status == 409

    await knowledge.submit(session, version_id=version.id, staff_id=author.id)
    await knowledge.publish(session, version_id=version.id, staff_id=supervisor.id)
    with pytest.raises(Problem, match="supervisor or an administrator"):
        await knowledge.withdraw(session, article_id=version.article_id, staff_id=author.id)
    assert await knowledge.live(session, article_id=version.article_id) is not None


async def test_withdrawing_takes_the_article_down_and_bumps_the_revision(session: AsyncSession) -> None:
    _, _, supervisor = await _people(session)
    live = await create_article(session)
    before = await knowledge.current_revision(session)
    await knowledge.withdraw(session, article_id=live.article_id, staff_id=supervisor.id)
    assert await knowledge.current_revision(session) == before + 1
    assert await knowledge.live(session, article_id=live.article_id) is None
    assert await knowledge.live_by_slug(session, slug=live.slug) is None
    statuses = [v.status for v in await knowledge.versions(session, article_id=live.article_id)]
    assert statuses == [VersionStatus.withdrawn]


async def test_the_revision_row_is_recreated_if_missing(session: AsyncSession) -> None:
    row = await session.get(KnowledgeRevision, 1)
    if row is not None:
        await session.delete(row)
        await session.flush()
    assert await knowledge.current_revision(session) == 0
    assert await knowledge.bump_revision(session) == 1
    assert await knowledge.bump_revision(session) == 2


async def test_a_new_version_replaces_the_old_only_once_published(session: AsyncSession) -> None:
    agency, author, supervisor = await _people(session)
    first = await create_article(session, agency=agency, short_answer="Version one.")
    draft = await knowledge.save_draft(
        session,
        article_id=first.article_id,
        fields=knowledge.ArticleFields(title="Report a pothole", short_answer="Version two."),
        author_id=author.id,
        change_note="Faster repairs",
    )
    assert (draft.number, draft.status) == (2, VersionStatus.draft)
    again = await knowledge.save_draft(
        session,
        article_id=first.article_id,
        fields=knowledge.ArticleFields(title="Report a pothole", short_answer="Version two, edited."),
        author_id=author.id,
        change_note="Typo",
    )
    assert again.id == draft.id  # the open draft is edited, not multiplied
    live = await knowledge.live(session, article_id=first.article_id)
    assert live is not None
    assert live.short_answer == "Version one."

    await knowledge.submit(session, version_id=draft.id, staff_id=author.id)
    await knowledge.publish(session, version_id=draft.id, staff_id=supervisor.id)
    live = await knowledge.live(session, article_id=first.article_id)
    assert live is not None
    assert (live.number, live.short_answer) == (2, "Version two, edited.")
    assert [v.number for v in await knowledge.versions(session, article_id=first.article_id)] == [2, 1]


async def test_a_version_effective_tomorrow_is_not_live_today(session: AsyncSession) -> None:
    agency, author, supervisor = await _people(session)
    today = knowledge.today_utc()
    current = await create_article(session, agency=agency, short_answer="Old fee: $10.")
    future = await knowledge.save_draft(
        session,
        article_id=current.article_id,
        fields=knowledge.ArticleFields(
            title="Report a pothole", short_answer="New fee: $12.", effective_from=today + timedelta(days=1)
        ),
        author_id=author.id,
        change_note="Fee change next year",
    )
    await knowledge.submit(session, version_id=future.id, staff_id=author.id)
    await knowledge.publish(session, version_id=future.id, staff_id=supervisor.id)

    live_today = await knowledge.live(session, article_id=current.article_id)
    assert live_today is not None
    assert live_today.short_answer == "Old fee: $10."
    live_tomorrow = await knowledge.live(session, article_id=current.article_id, today=today + timedelta(days=1))
    assert live_tomorrow is not None
    assert live_tomorrow.short_answer == "New fee: $12."


async def test_an_expired_version_is_not_live(session: AsyncSession) -> None:
    today = knowledge.today_utc()
    version = await create_article(
        session,
        slug="winter-parking",
        effective_from=today - timedelta(days=30),
        effective_until=today,  # until is exclusive
    )
    assert isinstance(version, ArticleVersion)  # published, but not live today
    assert await knowledge.live_by_slug(session, slug="winter-parking") is None
    assert await knowledge.live_by_slug(session, slug="winter-parking", today=today - timedelta(days=1)) is not None


async def test_language_variants_share_a_group(session: AsyncSession) -> None:
    english = await create_article(session, slug="report-a-pothole")
    french = await create_article(
        session, slug="signaler-un-nid-de-poule", title="Signaler un nid-de-poule", language="fr",
        variant_of=english.article_id,
    )  # fmt: skip
    assert french.group_id == english.group_id
    variant = await knowledge.live_variant(session, group_id=english.group_id, language="fr")
    assert variant is not None
    assert variant.slug == "signaler-un-nid-de-poule"
    with pytest.raises(Problem, match="already has a variant") as taken:
        await create_article(session, slug="autre-nid", language="fr", variant_of=english.article_id)
    assert taken.value.status == 409
    with pytest.raises(Problem, match="different language"):
        await create_article(session, slug="another-pothole", language="en", variant_of=english.article_id)
    many = await knowledge.live_many(session, article_ids=[english.article_id, french.article_id])
    assert set(many) == {english.article_id, french.article_id}


@pytest.mark.parametrize(
    ("slug", "fields", "message"),
    [
        ("ok-slug", knowledge.ArticleFields(title="  "), "title"),
        ("ok-slug", knowledge.ArticleFields(title="x" * 201), "title"),
        ("ok-slug", knowledge.ArticleFields(title="T", short_answer="x" * 321), "short_answer"),
        ("ok-slug", knowledge.ArticleFields(title="T", summary="x" * 501), "summary"),
        ("Bad Slug!", knowledge.ArticleFields(title="T"), "slug"),
        ("ab", knowledge.ArticleFields(title="T"), "slug"),
        (
            "ok-slug",
            knowledge.ArticleFields(
                title="T",
                effective_from=knowledge.today_utc(),
                effective_until=knowledge.today_utc() - timedelta(days=1),
            ),
            "effective_until",
        ),
    ],
)
async def test_invalid_fields_are_refused_with_a_readable_message(
    session: AsyncSession, slug: str, fields: knowledge.ArticleFields, message: str
) -> None:
    agency = await create_agency(session)
    with pytest.raises(Problem) as refused:
        await knowledge.create_article(
            session, agency_id=agency.id, language="en", slug=slug, fields=fields, author_id=None
        )
    assert refused.value.status == 422
    assert message in [e.field for e in refused.value.errors]
    assert await knowledge.list_articles(session) == []


async def test_unknown_language_and_taken_slug_are_refused(session: AsyncSession) -> None:
    agency = await create_agency(session)
    with pytest.raises(Problem, match="language") as bad:
        await knowledge.create_article(
            session, agency_id=agency.id, language="de", slug="hallo", fields=FIELDS, author_id=None
        )
    assert bad.value.status == 422
    await create_article(session, agency=agency, slug="taken")
    with pytest.raises(Problem, match="already uses") as taken:
        await knowledge.create_article(
            session, agency_id=agency.id, language="en", slug="taken", fields=FIELDS, author_id=None
        )
    assert taken.value.status == 409


async def test_the_editor_list_filters_by_agency_status_language_and_text(session: AsyncSession) -> None:
    works = await create_agency(session)
    licensing = await create_agency(session, slug="licensing", name="Licensing")
    pothole = await create_article(session, agency=works, slug="report-a-pothole", title="Report a pothole")
    await create_article(session, agency=licensing, slug="dog-licence", title="Get a dog licence", publish=False)
    await create_article(session, agency=works, slug="nid-de-poule", title="Nid-de-poule", language="fr")

    rows = await knowledge.list_articles(session)
    assert [r.article.slug for r in rows] == ["dog-licence", "nid-de-poule", "report-a-pothole"]
    by_slug = {r.article.slug: r for r in rows}
    assert by_slug["report-a-pothole"].live is not None
    assert by_slug["report-a-pothole"].live.id == pothole.version_id
    assert by_slug["dog-licence"].live is None
    assert by_slug["dog-licence"].latest.status == VersionStatus.draft

    assert [r.article.slug for r in await knowledge.list_articles(session, agency_ids=[licensing.id])] == [
        "dog-licence"
    ]
    assert [r.article.slug for r in await knowledge.list_articles(session, status="draft")] == ["dog-licence"]
    assert [r.article.slug for r in await knowledge.list_articles(session, language="fr")] == ["nid-de-poule"]
    assert [r.article.slug for r in await knowledge.list_articles(session, q="POTHOLE")] == ["report-a-pothole"]


async def test_answers_record_the_version_and_the_feedback(session: AsyncSession) -> None:
    live = await create_article(session)
    answer = await knowledge.record_answer(session, live=live, channel="sms", confidence=0.82)
    assert (answer.article_id, answer.version_id, answer.channel) == (live.article_id, live.version_id, "sms")
    assert answer.helpful is None
    await knowledge.record_feedback(session, answer_id=answer.id, helpful=True)
    assert answer.helpful is True
    assert answer.feedback_at is not None
    with pytest.raises(Problem) as missing:
        await knowledge.record_feedback(session, answer_id=live.version_id, helpful=False)
    assert missing.value.status == 404
