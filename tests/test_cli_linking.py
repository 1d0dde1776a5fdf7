"""`townsquare records link FILE --id-column COL`: a whole file linked into the citizen base (or deduplicated
alone) through the real-time path, one output line per record, refused whole with every reason, and the same
file twice takes each record once."""

from __future__ import annotations

import csv
import io
import itertools
import random
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from tests.test_cli import sqlite_env  # noqa: F401 - the fixture
from townsquare.cli import cli
from townsquare.demo.city import CATALOGUE_DIR
from townsquare.demo.people import Population, written

FIELDS = ("given_name", "family_name", "birth_date", "street_number", "street", "locality", "postcode", "email")
HEADER = ["rec", "first_name", "surname", "dob", "street_number", "address_1", "suburb", "postcode", "email", "ssn"]


def _register(people: int, seed: int = 3) -> tuple[str, set[tuple[str, str]]]:
    """A register holding 1 to 3 records per person (slips, nicknames, moves), and the true duplicate pairs."""
    population = Population(seed=seed)
    rng = random.Random(seed + 1000)  # the registers' slips, apart from how people were drawn
    rows: list[list[str | None]] = []
    owner: dict[str, str] = {}
    for person in population.people(people):
        for copy in range(rng.choice((1, 1, 2, 3))):
            record = written(population, person, errors=0 if copy == 0 else rng.choice((1, 2)), rng=rng)
            rec = f"R{len(rows)}"
            owner[rec] = person.key
            rows.append([rec, *(record[f] for f in FIELDS), str(rng.randrange(10**8))])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows([[v or "" for v in row] for row in rows])
    truth = {(a, b) for a, b in itertools.combinations(sorted(owner), 2) if owner[a] == owner[b]}
    return buffer.getvalue(), truth


def _pairs(output: str) -> set[tuple[str, str]]:
    lines = list(csv.DictReader(io.StringIO(output)))
    groups: dict[str, list[str]] = {}
    for line in lines:
        groups.setdefault(line["citizen_id"], []).append(line["record_id"])
    return {tuple(sorted(p)) for g in groups.values() for p in itertools.combinations(g, 2)}  # type: ignore[misc]


def test_a_register_is_deduplicated_alone_without_touching_the_base(sqlite_env: str, tmp_path: Path) -> None:  # noqa: F811
    text, truth = _register(150)
    file = tmp_path / "register.csv"
    file.write_text(text, encoding="utf-8")
    out = tmp_path / "people.csv"
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    done = runner.invoke(
        cli,
        ["records", "link", str(file), "--id-column", "rec", "--exclude", "ssn", "--dedupe-only", "--out", str(out)],
    )
    assert done.exit_code == 0, done.output
    written_out = out.read_text(encoding="utf-8")
    assert written_out.splitlines()[0] == "record_id,citizen_id"
    assert len(written_out.splitlines()) == text.count("\n")  # the header, then one line per record
    found = _pairs(written_out)
    true_positives = len(found & truth)
    assert true_positives / len(found) >= 0.97
    assert true_positives / len(truth) >= 0.9
    assert "kept, not compared" not in done.output  # ssn excluded: neither kept nor compared
    with sqlite3.connect(sqlite_env.removeprefix("sqlite+aiosqlite:///")) as db:
        assert db.execute("SELECT count(*) FROM source_records").fetchone() == (0,)


def test_a_file_is_linked_into_the_base_once_and_doubtful_pairs_are_queued(sqlite_env: str, tmp_path: Path) -> None:  # noqa: F811
    text, _ = _register(60, seed=5)
    file = tmp_path / "register.csv"
    file.write_text(text, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(cli, ["catalogue", "import", str(CATALOGUE_DIR)]).exit_code == 0
    first = runner.invoke(cli, ["records", "link", str(file), "--id-column", "rec"])
    assert first.exit_code == 0, first.output
    assert "kept, not compared: ssn" in first.output
    again = runner.invoke(cli, ["records", "link", str(file), "--id-column", "rec"])
    assert again.exit_code == 0, again.output
    assert f"{text.count(chr(10)) - 1} repeated" in again.output
    assert _pairs(first.stdout) == _pairs(again.stdout)
    with sqlite3.connect(sqlite_env.removeprefix("sqlite+aiosqlite:///")) as db:
        assert db.execute("SELECT count(*) FROM source_records").fetchone() == (text.count("\n") - 1,)
        reviews = db.execute("SELECT count(*) FROM match_decisions WHERE outcome = 'review'").fetchone()[0]
        queued = db.execute("SELECT count(*) FROM work_items WHERE kind = 'record_review'").fetchone()[0]
        assert queued <= reviews


def test_a_file_that_cannot_be_linked_is_refused_with_every_reason(sqlite_env: str, tmp_path: Path) -> None:  # noqa: F811
    file = tmp_path / "bad.csv"
    file.write_text("rec,first_name\n1,ana\n1,bob\n,carl\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    refused = runner.invoke(cli, ["records", "link", str(file), "--id-column", "rec", "--exclude", "ssn"])
    assert refused.exit_code == 1
    assert "no column 'ssn' to exclude" in refused.output
    missing = runner.invoke(cli, ["records", "link", str(tmp_path / "none.csv"), "--id-column", "rec"])
    assert missing.exit_code == 2
