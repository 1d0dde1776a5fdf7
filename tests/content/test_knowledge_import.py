"""`townsquare knowledge import`: article files published through the knowledge workflow, idempotent, keeping
each article's versions, all or nothing, with a dry run and errors that name the file and the field."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from townsquare.agencies.models import Agency
from townsquare.cli import cli
from townsquare.content.catalogue_plan import import_catalogue
from townsquare.content.files import ContentInvalid
from townsquare.content.knowledge import import_knowledge
from townsquare.db import Change, Database
from townsquare.events import EventBus
from townsquare.knowledge import service as knowledge
from townsquare.knowledge.models import VersionStatus
from townsquare.staff import service as staff
from townsquare.staff.models import StaffRole


@pytest.fixture
async def db(database_url: str, catalogue_dir: Path) -> AsyncIterator[Database]:
    """A database with the catalogue and a writer for the agency."""
    database = Database(database_url, EventBus())
    async with database.session() as session:
        await import_catalogue(session, catalogue_dir)
        works = (await knowledge_agency(session)).id
        await staff.create_staff(
            session,
            email="writer@city.example",
            display_name="W",
            password="x" * 12,
            role=StaffRole.agent,
            agency_ids=[works],
        )
        await session.commit()
    yield database
    await database.dispose()


async def knowledge_agency(session: AsyncSession) -> Agency:
    from townsquare.agencies import service as agencies

    return await agencies.get_agency(session, slug="works")


async def test_articles_are_published_once_as_linked_variants(db: Database, knowledge_dir: Path) -> None:
    async with db.session() as session:
        report = await import_knowledge(session, knowledge_dir)
        await session.commit()
        assert report.count("articles", Change.created) == 2
        en = await knowledge.live_by_slug(session, slug="potholes")
        fr = await knowledge.live_by_slug(session, slug="nids-de-poule")
        assert en is not None
        assert fr is not None
        assert en.group_id == fr.group_id
        assert (en.title, en.service_codes, en.body) == (
            "Potholes",
            ["POTHOLE"],
            "Potholes are **filled** within 10 days of a report.",
        )
        revision = await knowledge.current_revision(session)
    async with db.session() as session:
        again = await import_knowledge(session, knowledge_dir)
        await session.commit()
        assert not again.changed
        assert again.count("articles", Change.unchanged) == 2
        assert await knowledge.current_revision(session) == revision  # nothing published again


async def test_a_changed_article_gets_a_new_version_and_keeps_its_history(db: Database, knowledge_dir: Path) -> None:
    async with db.session() as session:
        await import_knowledge(session, knowledge_dir)
        await session.commit()
    path = knowledge_dir / "works" / "potholes.en.md"
    path.write_text(path.read_text().replace("within 10 days", "within 7 days"))
    async with db.session() as session:
        report = await import_knowledge(session, knowledge_dir)
        await session.commit()
        assert report.count("articles", Change.updated) == 1
        assert report.count("articles", Change.unchanged) == 1
        live = await knowledge.live_by_slug(session, slug="potholes")
        assert live is not None
        assert "within 7 days" in live.body
        versions = await knowledge.versions(session, article_id=live.article_id)
        assert [v.number for v in versions] == [2, 1]
        assert [v.status for v in versions] == [VersionStatus.published, VersionStatus.published]
        assert "within 10 days" in versions[1].body
        assert versions[0].change_note.startswith("Imported from ")


async def test_a_draft_on_the_desk_is_not_overwritten(db: Database, knowledge_dir: Path) -> None:
    async with db.session() as session:
        await import_knowledge(session, knowledge_dir)
        await session.commit()
        live = await knowledge.live_by_slug(session, slug="potholes")
        assert live is not None
        await knowledge.save_draft(
            session,
            article_id=live.article_id,
            fields=knowledge.ArticleFields(title="Potholes (draft)"),
            author_id=None,
            change_note="",
        )
        await session.commit()
    path = knowledge_dir / "works" / "potholes.en.md"
    path.write_text(path.read_text().replace("within 10 days", "within 7 days"))
    async with db.session() as session:
        with pytest.raises(ContentInvalid) as refused:
            await import_knowledge(session, knowledge_dir)
        (error,) = refused.value.errors
        assert error.file.endswith("potholes.en.md")
        assert "draft on the desk" in error.message


def test_the_command_dry_runs_and_refuses_bad_files_naming_file_and_field(
    db: Database, cli_database: str, knowledge_dir: Path
) -> None:
    runner = CliRunner()
    dry = runner.invoke(cli, ["knowledge", "import", str(knowledge_dir), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "articles: 2 created" in dry.output
    assert asyncio.run(_live(cli_database, "potholes")) is False  # the dry run wrote nothing
    works = knowledge_dir / "works"
    (works / "long.en.md").write_text(
        '+++\nslug = "long-answer"\nlanguage = "en"\nagency = "works"\ntitle = "Long"\nshort_answer = "'
        + "x" * 400
        + '"\nservices = ["NOPE"]\n+++\nBody.\n'
    )
    (works / "bad.en.md").write_text('+++\nslug = "Bad Slug"\nlanguage = "de"\nagency = "works"\ntitle = "T"\n+++\nB\n')
    (works / "nofront.en.md").write_text("# Just Markdown\n")
    (works / "elsewhere.en.md").write_text(
        '+++\nslug = "elsewhere"\nlanguage = "en"\nagency = "parks"\ntitle = "T"\n+++\nB\n'
    )
    result = runner.invoke(cli, ["knowledge", "import", str(knowledge_dir)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{works / 'long.en.md'}: short_answer: The short answer must be 320 characters or fewer." in result.output
    assert f"{works / 'bad.en.md'}: slug:" in result.output
    assert f"{works / 'bad.en.md'}: language: Value error, must be one of: en, fr" in result.output
    assert f"{works / 'nofront.en.md'}: must start with a `+++` line" in result.output
    assert asyncio.run(_live(cli_database, "potholes")) is False  # all or nothing
    (works / "long.en.md").unlink()
    (works / "bad.en.md").unlink()
    (works / "nofront.en.md").unlink()
    result = runner.invoke(cli, ["knowledge", "import", str(knowledge_dir)])
    assert result.exit_code == 1
    assert f"{works / 'elsewhere.en.md'}: agency: no agency has slug 'parks'" in result.output
    (works / "elsewhere.en.md").unlink()
    done = runner.invoke(cli, ["knowledge", "import", str(knowledge_dir), "--author", "writer@city.example"])
    assert done.exit_code == 0, done.output
    assert "articles: 2 created" in done.output
    assert asyncio.run(_live(cli_database, "potholes")) is True


async def _live(url: str, slug: str) -> bool:
    database = Database(url, EventBus())
    try:
        async with database.session() as session:
            return await knowledge.live_by_slug(session, slug=slug) is not None
    finally:
        await database.dispose()
