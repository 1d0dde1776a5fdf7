"""`catalogue import` as a reviewed change: export, edit the files, see exactly what changes (entries left out
deactivated or left alone), apply it in one transaction; broken files name file, field and line and change
nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from townsquare.agencies import service as agencies
from townsquare.cli import cli
from townsquare.content.catalogue_export import export, write
from townsquare.content.catalogue_plan import apply, import_catalogue, plan
from townsquare.demo.city import CATALOGUE_DIR

NEW_QUEUE = """
[[queues]]
slug = "roads-urgent"
name = "Urgent roads"
service_codes = ["POTHOLE"]
"""
CLOSING_FR = """[[canned_responses]]
slug = "closing"
language = "fr"
title = "Autre chose?"
body = "Pouvons-nous vous aider avec autre chose aujourd'hui, {first_name}?"

"""


def _without_service(text: str, code: str) -> str:
    start = text.index(f'[[services]]\ncode = "{code}"')
    end = text.find("[[services]]", start + 1)
    return text[:start] + (text[end:] if end != -1 else "")


async def _exported(session: AsyncSession, root: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in write(root, await export(session))}


async def test_an_edited_export_shows_its_diff_then_applies_it(session: AsyncSession, tmp_path: Path) -> None:
    await import_catalogue(session, CATALOGUE_DIR)
    await session.commit()
    files = tmp_path / "files"
    await _exported(session, files)
    works = files / "city-works.toml"
    text = works.read_text()
    assert CLOSING_FR in text
    text = text.replace("sla_hours = 72", "sla_hours = 48").replace(CLOSING_FR, "")
    text = text.replace('description = "Quelle est sa taille?"', 'description = "Quelle est la taille du trou?"')
    works.write_text(_without_service(text, "GRAFFITI") + NEW_QUEUE)

    planned = await plan(session, files)
    assert planned.diff.text() == [
        "city-works.toml: + queues[roads-urgent]",
        "city-works.toml: - canned_responses[closing.fr] (deactivated)",
        "city-works.toml: services[POTHOLE].sla_hours: 72 → 48",
        "city-works.toml: services[POTHOLE].attributes[size].translations.fr.description: "
        '"Quelle est sa taille?" → "Quelle est la taille du trou?"',
        "city-works.toml: - services[GRAFFITI] (deactivated)",
    ]
    await apply(session, planned)
    await session.commit()
    session.expire_all()

    after = (await _exported(session, tmp_path / "after"))["city-works.toml"]
    assert "sla_hours = 48" in after
    assert 'slug = "roads-urgent"' in after
    assert 'description = "Quelle est la taille du trou?"' in after
    assert CLOSING_FR.replace("\n\n", "\nactive = false\n\n") in after  # kept, and no longer offered
    graffiti = await agencies.get_service(session, code="GRAFFITI")
    assert graffiti.active is False
    assert (await plan(session, tmp_path / "after")).diff.empty
    edited = await plan(session, files)  # the edited files now say what the database says
    assert edited.diff.empty


BROKEN: dict[str, tuple[str, str, str]] = {
    # what is wrong: (the text replaced, by what, the error's "field: message" start)
    "unknown key": ('slug = "front-line"', 'slug = "front-line"\ncolour = "red"', "teams[0].colour: Extra inputs"),
    "bad value": ("sla_hours = 72", "sla_hours = -1", "services[0].sla_hours: Input should be greater than 0"),
}


def test_broken_files_change_nothing_and_name_file_field_and_line(cli_database: str, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["catalogue", "import", str(CATALOGUE_DIR)]).exit_code == 0
    files = tmp_path / "files"
    assert runner.invoke(cli, ["catalogue", "export", str(files)]).exit_code == 0
    works = files / "city-works.toml"
    text = works.read_text()
    for old, new, _ in BROKEN.values():
        assert old in text
        text = text.replace(old, new, 1)
    works.write_text(text)
    before = _snapshot(runner, tmp_path / "before")

    result = runner.invoke(cli, ["catalogue", "import", str(files)])

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = works.read_text().splitlines()

    def at(needle: str) -> int:
        return next(i for i, line in enumerate(lines, start=1) if needle in line)

    assert f"city-works.toml:{at('colour =')}: teams[0].colour: Extra inputs are not permitted" in result.output
    assert f"city-works.toml:{at('sla_hours = -1')}: services[" in result.output
    assert _snapshot(runner, tmp_path / "after") == before


def test_references_staff_and_duplicates_are_refused_with_their_lines(cli_database: str, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["catalogue", "import", str(CATALOGUE_DIR)]).exit_code == 0
    files = tmp_path / "files"
    assert runner.invoke(cli, ["catalogue", "export", str(files)]).exit_code == 0
    works = files / "city-works.toml"
    works.write_text(
        works.read_text().replace('[[queues]]\nslug = "chat"', '[[queues]]\nslug = "chat"\nteam = "nobody"', 1)
        + '\n[[sla_targets]]\nservice = "NOWHERE"\nfirst_response_seconds = 60\n'
    )
    revenue = files / "revenue.toml"
    revenue.write_text(revenue.read_text() + '\n[[services]]\ncode = "POTHOLE"\nname = "Twice"\n')
    staff = files / "staff.toml"
    staff.write_text('[[staff]]\nemail = "ann@city.example"\nname = "Ann"\nagencies = ["atlantis"]\n')
    before = _snapshot(runner, tmp_path / "before")

    result = runner.invoke(cli, ["catalogue", "diff", str(files)])

    assert result.exit_code == 1
    lines = works.read_text().splitlines()
    team = lines.index('team = "nobody"') + 1
    assert f"city-works.toml:{team}: queues[0].team: names team 'nobody', which this file does not define" in (
        result.output
    )
    nowhere = lines.index('service = "NOWHERE"') + 1
    assert f"city-works.toml:{nowhere}: sla_targets[" in result.output
    assert "].service: no service has code 'NOWHERE'" in result.output
    twice = revenue.read_text().splitlines().index('code = "POTHOLE"') + 1
    assert f"revenue.toml:{twice}: services[" in result.output
    assert "'POTHOLE' is also in city-works.toml" in result.output
    assert "staff.toml:4: staff[0].agencies: no agency has slug 'atlantis'" in result.output
    assert _snapshot(runner, tmp_path / "after") == before


def _snapshot(runner: CliRunner, root: Path) -> dict[str, str]:
    assert runner.invoke(cli, ["catalogue", "export", str(root)]).exit_code == 0
    return {p.name: p.read_text() for p in sorted(root.iterdir())}
