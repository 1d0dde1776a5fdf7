"""`townsquare catalogue export`: the demo city's catalogue written as files, read back into another database
and written again byte for byte; re-importing an export changes nothing; a non-empty directory needs --force."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from townsquare.cli import cli
from townsquare.content.catalogue_export import export, write
from townsquare.content.catalogue_plan import import_catalogue, plan
from townsquare.demo.city import CATALOGUE_DIR

STAFF = """[[staff]]
email = "ann@city.example"
name = "Ann Agent"
agencies = ["city-works", "revenue"]

[staff.routing]
languages = ["en", "fr"]
skills = { pothole = 3 }
"""


def _files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir())}


async def test_the_demo_catalogue_exports_imports_and_exports_again_byte_for_byte(
    session: AsyncSession, tmp_path: Path
) -> None:
    await import_catalogue(session, CATALOGUE_DIR)
    first = tmp_path / "first"
    write(first, await export(session))
    (first / "staff.toml").write_text(STAFF, encoding="utf-8")
    await import_catalogue(session, first)  # the staff file, with the export's agencies unchanged
    await session.commit()
    second = tmp_path / "second"
    write(second, await export(session))
    again = await plan(session, second)
    assert again.diff.empty, again.diff.text()
    # Imported again, the same bytes come back out.
    await import_catalogue(session, second)
    third = tmp_path / "third"
    write(third, await export(session))
    assert _files(third) == _files(second)
    assert sorted(_files(second)) == [
        "city-works.toml",
        "revenue.toml",
        "social-services.toml",
        "staff.toml",
        "transport-licensing.toml",
    ]
    staff = (second / "staff.toml").read_text()
    assert 'email = "ann@city.example"' in staff
    assert "password" not in staff
    assert "pothole = 3" in staff


def test_the_command_exports_refuses_a_full_directory_and_round_trips(cli_database: str, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["catalogue", "import", str(CATALOGUE_DIR)]).exit_code == 0
    out = tmp_path / "export"
    done = runner.invoke(cli, ["catalogue", "export", str(out)])
    assert done.exit_code == 0, done.output
    assert "Exported 5 file(s)" in done.output
    before = _files(out)
    refused = runner.invoke(cli, ["catalogue", "export", str(out)])
    assert refused.exit_code == 1
    assert "--force" in refused.output
    diff = runner.invoke(cli, ["catalogue", "diff", str(out)])
    assert diff.exit_code == 0, diff.output
    assert "Nothing to change" in diff.output
    again = runner.invoke(cli, ["catalogue", "import", str(out)])
    assert "Nothing to change" in again.output
    forced = runner.invoke(cli, ["catalogue", "export", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert _files(out) == before
