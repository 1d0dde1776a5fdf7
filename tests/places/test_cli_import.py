"""`townsquare places import FILE.csv`: the register from a CSV file, all or nothing, with readable errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from townsquare.cli import cli
from townsquare.settings import get_settings


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TOWNSQUARE_DATABASE_URL", url)
    get_settings.cache_clear()
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    yield url.removeprefix("sqlite+aiosqlite:///")
    get_settings.cache_clear()


def _places(path: str) -> list[tuple[str, str, str, float, float, str]]:
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT address_id, address, normalised, lat, long, zipcode FROM places ORDER BY address_id"
        ).fetchall()


def test_import_then_update_from_csv(sqlite_env: str, tmp_path: Path) -> None:
    first = tmp_path / "register.csv"
    first.write_text(
        "\ufeffaddress_id,address,lat,long,zipcode\n"
        '1001,"120 Main St., Apt 4",43.6535,-79.3841,M5H 2N2\n'
        "1002,1200 rue Sainte-Catherine O,45.5,-73.57,\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["places", "import", str(first)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 addresses" in result.output
    assert _places(sqlite_env) == [
        ("1001", "120 Main St., Apt 4", "120 main street", 43.6535, -79.3841, "M5H 2N2"),
        ("1002", "1200 rue Sainte-Catherine O", "1200 rue sainte catherine west", 45.5, -73.57, ""),
    ]
    second = tmp_path / "update.csv"
    second.write_text("address_id,address,lat,long\n1001,122 Main Street,43.6536,-79.3842\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["places", "import", str(second)])
    assert result.exit_code == 0, result.output
    assert "Imported 1 address into" in result.output
    assert _places(sqlite_env)[0][:4] == ("1001", "122 Main Street", "122 main street", 43.6536)


def test_a_bad_file_imports_nothing_and_says_why(sqlite_env: str, tmp_path: Path) -> None:
    runner = CliRunner()
    bad_rows = tmp_path / "bad.csv"
    bad_rows.write_text("address_id,address,lat,long\n1,1 Good St,43,-79\n2,2 Good St,91,-79\n", encoding="utf-8")
    result = runner.invoke(cli, ["places", "import", str(bad_rows)])
    assert result.exit_code == 1
    assert "Nothing imported" in result.output
    assert "row 2: lat must be a number from -90 to 90" in result.output
    assert _places(sqlite_env) == []

    no_header = tmp_path / "no-header.csv"
    no_header.write_text("1,1 Good St,43,-79\n", encoding="utf-8")
    result = runner.invoke(cli, ["places", "import", str(no_header)])
    assert result.exit_code != 0
    assert "missing: address_id, address, lat, long" in result.output

    result = runner.invoke(cli, ["places", "import", str(tmp_path / "nowhere.csv")])
    assert result.exit_code != 0
    assert "cannot open" in result.output

    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("address_id,address,lat,long\n1,1 rue de l'Église,45,-73\n".encode("latin-1"))
    result = runner.invoke(cli, ["places", "import", str(latin1)])
    assert result.exit_code != 0
    assert "not a UTF-8 CSV file" in result.output
    assert _places(sqlite_env) == []
