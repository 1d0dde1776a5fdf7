"""`townsquare agency-records import AGENCY FILE`: an agency's file put in whole, or refused whole with every
problem by line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from tests.test_cli import sqlite_env  # noqa: F401 - the fixture
from townsquare.cli import cli
from townsquare.demo.city import CATALOGUE_DIR


def test_an_agency_file_is_imported_whole_or_not_at_all(sqlite_env: str, tmp_path: Path) -> None:  # noqa: F811
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(cli, ["catalogue", "import", str(CATALOGUE_DIR)]).exit_code == 0
    good = tmp_path / "tax.csv"
    good.write_text(
        "record_id,last_updated,email,household_income\n"
        "RT-1,2026-11-30T09:00:00Z,pat@example.org,41200\n"
        "RT-2,2026-11-30T09:00:00Z,,18000\n",
        encoding="utf-8",
    )
    done = runner.invoke(cli, ["agency-records", "import", "revenue", str(good)])
    assert done.exit_code == 0, done.output
    assert "2 record(s) created" in done.output
    assert "2 naming no one" in done.output
    bad = tmp_path / "bad.csv"
    bad.write_text("record_id,last_updated,household_income\nRT-3,2026-11-30T09:00:00Z,lots\n", encoding="utf-8")
    refused = runner.invoke(cli, ["agency-records", "import", "revenue", str(bad)])
    assert refused.exit_code == 1
    assert "line 2: values.household_income" in refused.output
    other = runner.invoke(cli, ["agency-records", "import", "transport-licensing", str(good)])
    assert other.exit_code == 1  # household_income is Revenue's
    with sqlite3.connect(sqlite_env.removeprefix("sqlite+aiosqlite:///")) as db:
        assert db.execute("SELECT count(*) FROM agency_records").fetchone() == (2,)
