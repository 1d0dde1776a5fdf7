"""The `townsquare` command: migrations, staff accounts and API keys from the shell."""

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
    yield url
    get_settings.cache_clear()


def test_upgrade_then_create_staff_and_a_key(sqlite_env: str) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(cli, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "up to date" in upgraded.output
    no_agency = runner.invoke(
        cli, ["staff", "create", "--email", "a@city.example", "--name", "A", "--agency", "nope", "--password", "x" * 12]
    )
    assert no_agency.exit_code != 0
    created = runner.invoke(
        cli, ["staff", "create", "--email", "a@city.example", "--name", "A", "--role", "admin", "--password", "x" * 12]
    )
    assert created.exit_code == 0, created.output
    assert "Created staff account" in created.output
    with sqlite3.connect(sqlite_env.removeprefix("sqlite+aiosqlite:///")) as db:
        # A routing profile from the start, so a supervisor can set skills before the first sign-in.
        assert db.execute("SELECT presence, capacity FROM agents").fetchall() == [
            ("offline", '{"voice": 1, "chat": 3, "async": 5}')
        ]
    again = runner.invoke(cli, ["staff", "create", "--email", "A@city.example", "--name", "A", "--password", "x" * 12])
    assert again.exit_code != 0  # the same email, differently cased, is the same account
    key = runner.invoke(cli, ["api-key", "create", "--name", "integration"])
    assert key.exit_code == 0, key.output
    assert key.output.strip().startswith("ts_")
    app_key = runner.invoke(
        cli, ["api-key", "create", "--name", "City app", "--scope", "open311", "--contact", "apps@vendor.example"]
    )
    assert app_key.exit_code == 0, app_key.output
    with sqlite3.connect(sqlite_env.removeprefix("sqlite+aiosqlite:///")) as db:
        assert db.execute("SELECT scope, contact FROM api_keys WHERE name = 'City app'").fetchall() == [
            ("open311", "apps@vendor.example")
        ]
