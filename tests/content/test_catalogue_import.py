"""`townsquare catalogue import`: agency files into the catalogue and the contact centre, idempotent, all or
nothing, with a dry run and errors that name the file and the field."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.support.catalogue_texts import OFFICES, PERMIT_SERVICE
from townsquare.agencies import form_versions
from townsquare.agencies import service as agencies
from townsquare.agencies.models import CannedResponse, ContactPoint, ServiceAttribute
from townsquare.cli import cli
from townsquare.content.catalogue_plan import import_catalogue
from townsquare.db import Change, Database
from townsquare.events import EventBus
from townsquare.notify.kinds import MessageType
from townsquare.notify.models import ReminderRule
from townsquare.routing.models import BusinessCalendar, Holiday, Queue, Skill, SlaTarget, Team, WrapUpCode

COUNTED = (
    ContactPoint,
    ServiceAttribute,
    CannedResponse,
    BusinessCalendar,
    Holiday,
    Queue,
    SlaTarget,
    Team,
    WrapUpCode,
)


async def _counts(url: str) -> dict[str, int]:
    db = Database(url, EventBus())
    try:
        async with db.session() as session:
            counts = {"agencies": len(await agencies.list_agencies(session))}
            counts["services"] = len(await agencies.list_services(session, include_inactive=True))
            for model in COUNTED:
                counts[model.__tablename__] = (
                    await session.execute(select(func.count()).select_from(model))
                ).scalar_one()
            return counts
    finally:
        await db.dispose()


async def test_importing_creates_everything_and_a_second_time_changes_nothing(
    database_url: str, catalogue_dir: Path
) -> None:
    db = Database(database_url, EventBus())
    try:
        async with db.session() as session:
            first = await import_catalogue(session, catalogue_dir)
            await session.commit()
        assert first.count("agencies", Change.created) == 1
        assert first.count("services", Change.created) == 1
        assert first.count("SLA targets", Change.created) == 2
        async with db.session() as session:
            service = await agencies.get_service(session, code="POTHOLE")
            assert (service.open311, service.sla_target_hours, service.group) == (True, 72, "Streets")
            assert service.translations == {"fr": {"name": "Signaler un nid-de-poule"}}
            (size,) = service.attributes
            assert size.values == [{"key": "small", "name": "Small"}, {"key": "large", "name": "Large"}]
            assert size.translations == {
                "fr": {"description": "Quelle taille?", "values": {"small": "Petit", "large": "Grand"}}
            }
            queue = (await session.execute(select(Queue))).scalar_one()
            calendar = (await session.execute(select(BusinessCalendar))).scalar_one()
            assert calendar.hours == {"0": [["08:30", "16:30"]]}
            assert queue.calendar_id == calendar.id
            assert queue.team_id is not None
            works = await agencies.agency_for_address(session, channel="sms", address="+16135550100")
            assert works is not None
            assert works.slug == "works"
        before = await _counts(database_url)
        async with db.session() as session:
            again = await import_catalogue(session, catalogue_dir)
            await session.commit()
        assert not again.changed
        assert again.count("services", Change.unchanged) == 1
        assert await _counts(database_url) == before
    finally:
        await db.dispose()


async def test_a_changed_service_is_updated_in_place(database_url: str, catalogue_dir: Path) -> None:
    db = Database(database_url, EventBus())
    try:
        async with db.session() as session:
            await import_catalogue(session, catalogue_dir)
            await session.commit()
            service_id = (await agencies.get_service(session, code="POTHOLE")).id
        path = catalogue_dir / "works.toml"
        text = path.read_text().replace('name = "Report a pothole"', 'name = "Report a pothole or a sinkhole"')
        text = text.replace('{ key = "large", name = "Large" }', '{ key = "large", name = "Larger than a tyre" }')
        path.write_text(text.replace("sla_hours = 72", "sla_hours = 48"))
        async with db.session() as session:
            report = await import_catalogue(session, catalogue_dir)
            await session.commit()
        assert report.count("services", Change.updated) == 1
        assert report.count("agencies", Change.unchanged) == 1
        async with db.session() as session:
            service = await agencies.get_service(session, code="POTHOLE")
            assert service.id == service_id  # the same service: its cases stay with it
            assert (service.name, service.sla_target_hours) == ("Report a pothole or a sinkhole", 48)
            assert service.attributes[0].values[1] == {"key": "large", "name": "Larger than a tyre"}
    finally:
        await db.dispose()


def test_the_command_dry_runs_then_imports_then_finds_nothing_to_do(cli_database: str, catalogue_dir: Path) -> None:
    runner = CliRunner()
    dry = runner.invoke(cli, ["catalogue", "import", str(catalogue_dir), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run" in dry.output
    assert "works.toml: + agency[works]" in dry.output
    real = runner.invoke(cli, ["catalogue", "import", str(catalogue_dir)])
    assert real.exit_code == 0, real.output
    assert "works.toml: + agency[works]" in real.output  # the dry run wrote nothing
    again = runner.invoke(cli, ["catalogue", "import", str(catalogue_dir)])
    assert again.exit_code == 0, again.output
    assert "Nothing to change" in again.output


def _line(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_bad_files_are_refused_with_the_file_and_the_field_and_nothing_is_written(
    cli_database: str, catalogue_dir: Path
) -> None:
    text = (catalogue_dir / "works.toml").read_text()
    (catalogue_dir / "works.toml").write_text(
        text.replace('datatype = "singlevaluelist"', 'datatype = "colour"').replace("priority_boost = 10", "prio = 1")
    )
    (catalogue_dir / "broken.toml").write_text('[agency]\nslug = "x"\nname = ')
    other = catalogue_dir / "parks.toml"
    other.write_text(
        '[agency]\nslug = "parks"\nname = "Parks"\n[[sla_targets]]\nservice = "NOPE"\nfirst_response_seconds = 5\n'
    )
    result = CliRunner().invoke(cli, ["catalogue", "import", str(catalogue_dir)])
    assert result.exit_code == 1
    output = result.output
    assert "Traceback" not in output
    assert "Nothing imported" in output
    works = (catalogue_dir / "works.toml").read_text()
    colour = _line(works, "colour")
    assert f"works.toml:{colour}: services[0].attributes[0].datatype:" in output
    assert f"works.toml:{_line(works, 'prio = 1')}: queues[0].prio: Extra inputs are not permitted" in output
    assert "broken.toml: is not valid TOML" in output
    assert "parks.toml:5: sla_targets[0].service: no service has code 'NOPE'" in output
    assert asyncio.run(_counts(cli_database))["agencies"] == 0


def test_an_address_two_agencies_claim_and_a_missing_directory_are_refused(
    cli_database: str, catalogue_dir: Path
) -> None:
    runner = CliRunner()
    (catalogue_dir / "parks.toml").write_text(
        '[agency]\nslug = "parks"\nname = "Parks"\n[[contact_points]]\nchannel = "sms"\naddress = "+16135550100"\n'
    )
    result = runner.invoke(cli, ["catalogue", "import", str(catalogue_dir)])
    assert result.exit_code == 1
    address = _line((catalogue_dir / "works.toml").read_text(), "address =")
    assert f"works.toml:{address}: contact_points[0].address: '+16135550100' is also in" in result.output
    assert result.output.rstrip().endswith("parks.toml")
    assert asyncio.run(_counts(cli_database))["agencies"] == 0
    missing = runner.invoke(cli, ["catalogue", "import", str(catalogue_dir / "nowhere")])
    assert missing.exit_code == 1
    assert "is not a directory" in missing.output


RENEWAL_SERVICE = """
[[services]]
code = "DL-RENEW"
name = "Renew a driver's licence"

[[services.attributes]]
code = "expiry_date"
datatype = "datetime"
description = "When does it expire?"

[[services.reminders]]
type = "renewal_reminder"
days = 30
date_question = "expiry_date"

[[services.reminders]]
type = "application_reminder"
days = 3
"""


async def test_a_service_s_reminders_are_configured_in_its_file(database_url: str, catalogue_dir: Path) -> None:
    path = catalogue_dir / "works.toml"
    path.write_text(path.read_text() + RENEWAL_SERVICE)
    db = Database(database_url, EventBus())
    try:
        async with db.session() as session:
            report = await import_catalogue(session, catalogue_dir)
            await session.commit()
        assert report.count("reminder rules", Change.created) == 2
        path.write_text(path.read_text().replace("days = 30", "days = 45"))
        async with db.session() as session:
            again = await import_catalogue(session, catalogue_dir)
            await session.commit()
            rules = {r.message_type: r for r in (await session.execute(select(ReminderRule))).scalars()}
        assert again.count("reminder rules", Change.updated) == 1
        assert again.count("reminder rules", Change.unchanged) == 1
        renewal = rules[MessageType.renewal_reminder]
        assert (renewal.days, renewal.attribute_code, renewal.active) == (45, "expiry_date", True)
        assert rules[MessageType.application_reminder].attribute_code is None
    finally:
        await db.dispose()


def test_a_reminder_on_a_question_that_is_not_a_date_is_refused(cli_database: str, catalogue_dir: Path) -> None:
    path = catalogue_dir / "works.toml"
    path.write_text(path.read_text() + RENEWAL_SERVICE.replace('date_question = "expiry_date"', 'date_question = "x"'))
    result = CliRunner().invoke(cli, ["catalogue", "import", str(catalogue_dir)])
    assert result.exit_code == 1
    assert "renewal_reminder: 'x' is not a date question of this service" in result.output
    assert asyncio.run(_counts(cli_database))["agencies"] == 0


async def test_an_agency_s_name_in_other_languages_comes_from_its_file(database_url: str, catalogue_dir: Path) -> None:
    path = catalogue_dir / "works.toml"
    text = path.read_text().replace(
        'email = "works@city.example"\n',
        'email = "works@city.example"\n\n[agency.translations.fr]\nname = "Travaux publics"\n',
        1,
    )
    path.write_text(text)
    db = Database(database_url, EventBus())
    try:
        async with db.session() as session:
            await import_catalogue(session, catalogue_dir)
            await session.commit()
            works = (await agencies.list_agencies(session))[0]
        assert works.translations == {"fr": {"name": "Travaux publics", "description": ""}}
    finally:
        await db.dispose()


async def test_offices_skills_and_french_labels_come_from_the_file(database_url: str, catalogue_dir: Path) -> None:
    text = (catalogue_dir / "works.toml").read_text() + OFFICES
    text = text.replace('label = "Question answered"', 'label = "Question answered"\nlabel_fr = "Question répondue"')
    (catalogue_dir / "works.toml").write_text(
        text.replace('name = "Front line"', 'name = "Front line"\nactive = false')
    )
    db = Database(database_url, EventBus())
    try:
        async with db.session() as session:
            report = await import_catalogue(session, catalogue_dir)
            await session.commit()
            assert report.count("calendars", Change.created) == 2
            assert report.count("skills", Change.created) == 2
            calendars = {c.name: c.id for c in (await session.scalars(select(BusinessCalendar))).all()}
            queues = {q.slug: q for q in (await session.scalars(select(Queue))).all()}
            assert queues["phone"].calendar_id == calendars["Office hours"]  # `[calendar]`: the first office
            assert (queues["depot"].calendar_id, queues["depot"].name_fr) == (calendars["Depot"], "Comptoir du dépôt")
            skills = {(s.code, s.agency_id is None, s.label_fr) for s in (await session.scalars(select(Skill))).all()}
            assert skills == {("ramps", False, "Rampes"), ("french", True, "")}
            assert (await session.scalar(select(WrapUpCode.label_fr))) == "Question répondue"
            assert (await session.scalar(select(Team.active))) is False
            again = await import_catalogue(session, catalogue_dir)
            assert again.count("skills", Change.unchanged) == 2
            await session.rollback()
    finally:
        await db.dispose()


async def test_branding_synonyms_and_active_flags_come_from_the_files(database_url: str, catalogue_dir: Path) -> None:
    path = catalogue_dir / "works.toml"
    text = path.read_text().replace(
        'email = "works@city.example"\n',
        'email = "works@city.example"\nshort_name = "Works"\naccent_colour = "#1D70B8"\nactive = false\n',
        1,
    )
    text = text.replace(
        'body = "Hello {first_name}, we have {case_reference}."\n',
        'body = "Hello {first_name}, we have {case_reference}."\nactive = false\n',
        1,
    )
    text = text.replace("[[services]]\n", '[[services]]\nsynonyms = ["crater", "nid"]\n', 1)
    path.write_text(text)
    db = Database(database_url, EventBus())
    try:
        async with db.session() as session:
            await import_catalogue(session, catalogue_dir)
            await session.commit()
            works = (await agencies.list_agencies(session))[0]
            [service] = await agencies.list_services(session, include_inactive=True)
            reply = (await session.execute(select(CannedResponse))).scalar_one()
            assert (works.short_name, works.accent_colour, works.active) == ("Works", "#1d70b8", False)
            assert service.synonyms == ["crater", "nid"]
            assert reply.active is False
            assert await agencies.canned_responses(session, agency_id=works.id, language="en") == []
    finally:
        await db.dispose()


def test_a_queue_naming_an_office_the_file_does_not_define_is_refused(cli_database: str, catalogue_dir: Path) -> None:
    text = (catalogue_dir / "works.toml").read_text() + OFFICES.replace('calendar = "Depot"', 'calendar = "Annex"')
    (catalogue_dir / "works.toml").write_text(text)
    result = CliRunner().invoke(cli, ["catalogue", "import", str(catalogue_dir)])
    assert result.exit_code == 1
    assert "names calendar 'Annex', which this file does not define" in result.output
    assert asyncio.run(_counts(cli_database))["agencies"] == 0


def test_a_faint_accent_colour_an_unknown_timezone_and_placeholder_are_refused(
    cli_database: str, catalogue_dir: Path
) -> None:
    path = catalogue_dir / "works.toml"
    text = path.read_text().replace(
        'email = "works@city.example"\n',
        'email = "works@city.example"\naccent_colour = "#ffdd00"\ntimezone = "Mars/Olympus"\n',
        1,
    )
    path.write_text(text.replace("we have {case_reference}", "we have {case_number}"))
    result = CliRunner().invoke(cli, ["catalogue", "import", str(catalogue_dir)])
    assert result.exit_code == 1
    assert "works.toml:6: agency.accent_colour: Value error, White text is too faint" in result.output
    assert "works.toml:7: agency.timezone: Value error, Give a timezone of the tz database" in result.output
    assert "canned_responses[0].body: Value error, the desk fills in only {first_name} and {case_reference}" in (
        result.output
    )
    assert asyncio.run(_counts(cli_database))["agencies"] == 0


async def test_a_form_s_kinds_conditions_and_page_titles_come_from_its_file_and_publish_once(
    database_url: str, catalogue_dir: Path
) -> None:
    path = catalogue_dir / "works.toml"
    path.write_text(path.read_text() + PERMIT_SERVICE)
    db = Database(database_url, EventBus())
    try:
        for _ in range(2):
            async with db.session() as session:
                await import_catalogue(session, catalogue_dir)
                await session.commit()
        async with db.session() as session:
            service = await agencies.get_service(session, code="PERMIT")
            rows = await form_versions.versions(session, service_id=service.id)
            asked = {a.code: (a.datatype.value, a.page, a.condition) for a in service.attributes}
            pages = service.form_pages
        assert [r.number for r in rows] == [1]  # the second import changed nothing, so published nothing
        assert asked == {
            "has_car": ("singlevaluelist", 1, {}),
            "plate": ("string", 1, {"field": "has_car", "values": ["yes"]}),
            "moved_on": ("date", 2, {}),
            "agree": ("consent", 2, {}),
        }
        assert pages == {"1": {"title": "About you", "translations": {"fr": {"title": "À propos de vous"}}}}
    finally:
        await db.dispose()


def test_a_condition_on_a_later_question_is_refused(cli_database: str, catalogue_dir: Path) -> None:
    path = catalogue_dir / "works.toml"
    path.write_text(path.read_text() + PERMIT_SERVICE.replace('field = "has_car"', 'field = "moved_on"'))
    result = CliRunner().invoke(cli, ["catalogue", "import", str(catalogue_dir)])
    assert result.exit_code == 1
    assert "plate: its condition must name an earlier question, not 'moved_on'" in result.output
    assert asyncio.run(_counts(cli_database))["agencies"] == 0
