"""`townsquare catalogue export`, `diff` and `import`: the demo catalogue exported, diffed as unchanged,
imported as unchanged; a directory that holds files is refused unless --force, which writes the same bytes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from townsquare.cli import cli
from townsquare.demo.city import CATALOGUE_DIR
from townsquare.settings import get_settings


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The command line's settings pointed at this test's (migrated, empty) database."""
    monkeypatch.setenv("TOWNSQUARE_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def _files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir())}


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
