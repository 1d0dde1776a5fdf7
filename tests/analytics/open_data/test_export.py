"""The export's files: which requests are published and how, the channel counts with small ones withheld, the
data package, and that no personal value of a seeded resident appears anywhere in them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.analytics.open_data.seeding import DAY_ONE, DAY_TWO, PERSONAL, Seeded, seed_city
from townsquare.analytics.open_data import export as export_module
from townsquare.analytics.open_data.export import export
from townsquare.analytics.open_data.fields import CHANNEL_CONTACTS, GRID_M, SERVICE_REQUESTS
from townsquare.analytics.open_data.files import directory
from townsquare.analytics.open_data.generalise import METRES_PER_DEGREE, cell_centre, cell_of
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.settings import Settings


def _csv(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _json(folder: Path, name: str) -> list[dict[str, object]]:
    data = json.loads((folder / name).read_bytes())
    assert isinstance(data, list)
    return data


@pytest.fixture
async def seeded(session: AsyncSession) -> Seeded:
    return await seed_city(session)


async def test_only_public_requests_are_published_generalised(
    runtime: Runtime, settings: Settings, seeded: Seeded
) -> None:
    report = await export(runtime.db, settings)
    folder = directory(settings)
    assert report.folder == folder
    rows = {r["service_request_id"]: r for r in _csv(folder, "service-requests.csv")}
    assert set(rows) == {seeded.fixed, seeded.lone, seeded.nowhere}  # never the private service's case
    assert report.rows == {"service-requests": 3, "channel-contacts": 3}
    with (folder / "service-requests.csv").open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == list(SERVICE_REQUESTS.columns)

    fixed = rows[seeded.fixed]
    exact_lat, exact_long = seeded.exact
    assert (fixed["status"], fixed["open311_status"], fixed["channel"]) == ("resolved", "closed", "sms")
    assert (fixed["service_code"], fixed["service_name"], fixed["service_group"]) == ("POTHOLE", "Pothole", "Streets")
    assert (fixed["agency_code"], fixed["agency_name"]) == ("roads", "Roads")
    assert fixed["street"] == "Elm Street"  # the register's street, no civic number
    assert fixed["postal_area"] == "M5V"
    lat, long = float(fixed["latitude"]), float(fixed["longitude"])
    assert (lat, long) == cell_centre(cell_of(exact_lat, exact_long))
    assert (lat, long) != (exact_lat, exact_long)
    half_diagonal_deg = GRID_M / METRES_PER_DEGREE  # a generous bound: the centre is within the cell
    assert abs(lat - exact_lat) < half_diagonal_deg
    assert abs(long - exact_long) < 2 * half_diagonal_deg
    assert fixed["requested_datetime"].endswith(":00Z")
    assert fixed["closed_datetime"].endswith(":00Z")
    assert fixed["duplicate_of"] == ""

    lone = rows[seeded.lone]  # the only address in its street and its cell: neither is published
    assert (lone["street"], lone["latitude"], lone["longitude"]) == ("", "", "")
    assert lone["duplicate_of"] == seeded.fixed
    assert (lone["status"], lone["channel"]) == ("closed", "web")

    nowhere = rows[seeded.nowhere]
    assert (nowhere["street"], nowhere["postal_area"], nowhere["latitude"]) == ("", "", "")
    assert (nowhere["open311_status"], nowhere["closed_datetime"]) == ("open", "")


async def test_json_holds_the_same_rows_with_types(runtime: Runtime, settings: Settings, seeded: Seeded) -> None:
    await export(runtime.db, settings)
    folder = directory(settings)
    as_csv = _csv(folder, "service-requests.csv")
    as_json = _json(folder, "service-requests.json")
    assert [r["service_request_id"] for r in as_json] == [r["service_request_id"] for r in as_csv]
    by_id = {r["service_request_id"]: r for r in as_json}
    assert isinstance(by_id[seeded.fixed]["latitude"], float)
    assert by_id[seeded.lone]["latitude"] is None
    assert by_id[seeded.nowhere]["closed_datetime"] is None
    assert list(by_id[seeded.fixed]) == list(SERVICE_REQUESTS.columns)


async def test_channel_counts_withhold_small_ones(runtime: Runtime, settings: Settings, seeded: Seeded) -> None:
    await export(runtime.db, settings)
    folder = directory(settings)
    rows = _csv(folder, "channel-contacts.csv")
    found = [(r["day"], r["channel"], r["service_code"], r["contacts"], r["contacts_suppressed"]) for r in rows]
    assert found == [
        (DAY_ONE.isoformat(), "sms", "POTHOLE", "7", "false"),
        (DAY_ONE.isoformat(), "web", "POTHOLE", "", "true"),  # 3 contacts: withheld
        (DAY_TWO.isoformat(), "voice", "", "12", "false"),  # about no known agency or service
    ]  # the day with no contact on a channel has no row
    as_json = _json(folder, "channel-contacts.json")
    assert [r["contacts"] for r in as_json] == [7, None, 12]
    assert list(as_json[0]) == list(CHANNEL_CONTACTS.columns)


async def test_no_personal_value_appears_in_any_file(runtime: Runtime, settings: Settings, seeded: Seeded) -> None:
    await export(runtime.db, settings)
    folder = directory(settings)
    files = sorted(p.name for p in folder.iterdir())
    assert files == [
        "channel-contacts.csv",
        "channel-contacts.json",
        "dashboard.json",
        "datapackage.json",
        "service-requests.csv",
        "service-requests.json",
    ]
    forbidden = [*PERSONAL, seeded.citizen_id, seeded.private, "Benefits"]
    for name in files:
        text = (folder / name).read_text(encoding="utf-8")
        leaked = [value for value in forbidden if value.lower() in text.lower()]
        assert leaked == [], f"{name} holds {leaked}"


async def test_the_data_package_describes_every_file(runtime: Runtime, settings: Settings, seeded: Seeded) -> None:
    await export(runtime.db, settings)
    folder = directory(settings)
    package = json.loads((folder / "datapackage.json").read_bytes())
    assert package["licenses"][0]["name"] == settings.open_data_licence
    by_path = {r["path"]: r for r in package["resources"]}
    assert set(by_path) == {
        "service-requests.csv",
        "service-requests.json",
        "channel-contacts.csv",
        "channel-contacts.json",
    }
    for path, resource in by_path.items():
        assert resource["bytes"] == (folder / path).stat().st_size
        assert resource["encoding"] == "utf-8"
    assert by_path["service-requests.csv"]["rows"] == 3
    fields = by_path["service-requests.json"]["schema"]["fields"]
    assert [f["name"] for f in fields] == list(SERVICE_REQUESTS.columns)
    assert all(f["description"] and f["type"] for f in fields)


async def test_a_failed_export_leaves_the_last_files_whole(
    runtime: Runtime, settings: Settings, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    await export(runtime.db, settings)
    folder = directory(settings)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def broken(row: object) -> dict[str, object]:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(export_module, "contact_row", broken)
    with pytest.raises(RuntimeError):
        await export(runtime.db, settings)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # no temporary file left either


async def test_an_export_replaces_the_files_with_the_new_rows(
    runtime: Runtime, session: AsyncSession, settings: Settings, seeded: Seeded
) -> None:
    await export(runtime.db, settings)
    folder = directory(settings)
    first = io.StringIO((folder / "service-requests.csv").read_text(encoding="utf-8"))
    assert len(list(csv.DictReader(first))) == 3
    fixed = await cases.get_by_reference(session, reference=seeded.fixed)
    assert fixed is not None
    another = await cases.open_case(
        session,
        prefix="TS",
        agency_id=fixed.agency_id,
        title="Another",
        channel="chat",
        service_id=fixed.service_id,
    )
    await session.commit()
    await export(runtime.db, settings)
    rows = _csv(folder, "service-requests.csv")
    assert [r["service_request_id"] for r in rows][-1] == another.reference
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]
