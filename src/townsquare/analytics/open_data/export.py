"""The export: reads the public requests and the contact rollups a page at a time, writes both datasets (CSV and
JSON), the dashboard's figures and, last, the data package that describes them all, each file atomically.

Run daily by `schedule.py` and on demand by `townsquare open-data export`. Only reads: it never commits, and logs
counts, never a value it publishes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from townsquare.analytics import config as analytics_config
from townsquare.analytics.open_data import sources
from townsquare.analytics.open_data.dashboard import Tally
from townsquare.analytics.open_data.fields import (
    CHANNEL_CONTACTS,
    DASHBOARD,
    DATASETS,
    PACKAGE,
    SERVICE_REQUESTS,
    SUPPRESS_BELOW,
    Field,
)
from townsquare.analytics.open_data.files import DatasetWriter, Value, Written, directory, write_json
from townsquare.analytics.open_data.generalise import Register, postal_area
from townsquare.cases.workflow import OPEN_STATUSES
from townsquare.clock import utcnow
from townsquare.db import Database
from townsquare.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportReport:
    folder: Path
    created: datetime
    rows: dict[str, int]  # rows per dataset


def minute(value: datetime | None) -> str | None:
    """A time in UTC to the minute, in W3C form (`2026-12-04T14:03:00Z`)."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def request_row(row: Any, register: Register) -> dict[str, Value]:
    """One public request as published: a row of `sources.PUBLIC_CASE_COLUMNS`, generalised."""
    lat, long = register.point(row.lat, row.long)
    status = str(getattr(row.status, "value", row.status))
    return {
        "service_request_id": row.reference,
        "requested_datetime": minute(row.created_at),
        "updated_datetime": minute(row.updated_at),
        "expected_datetime": minute(row.sla_due_at),
        "closed_datetime": minute(row.closed_at),
        "status": status,
        "open311_status": "open" if status in OPEN_STATUSES else "closed",
        "service_code": row.service_code,
        "service_name": row.service_name,
        "service_group": row.service_group or "",
        "agency_code": row.agency_code,
        "agency_name": row.agency_name,
        "channel": row.opened_channel,
        "duplicate_of": row.duplicate_of,
        "street": register.street(row.register_address),
        "postal_area": postal_area(row.register_zipcode or row.zipcode),
        "latitude": lat,
        "longitude": long,
    }


def contact_row(row: Any) -> dict[str, Value]:
    """One day's contacts on a channel about an agency's service; a small count withheld."""
    contacts = int(row.contacts)
    withheld = contacts < SUPPRESS_BELOW
    return {
        "day": row.day.isoformat() if isinstance(row.day, date) else str(row.day),
        "channel": row.channel,
        "agency_code": row.agency_code,
        "agency_name": row.agency_name,
        "service_code": row.service_code,
        "service_name": row.service_name,
        "contacts": None if withheld else contacts,
        "contacts_suppressed": withheld,
    }


def _field(field: Field) -> dict[str, Any]:
    described: dict[str, Any] = {"name": field.name, "type": field.type, "description": field.description}
    if field.values:
        described["constraints"] = {"enum": list(field.values)}
    return described


def package(settings: Settings, created: datetime, written: Mapping[str, Written]) -> dict[str, Any]:
    """The Frictionless data package: the data dictionary of every file, and what each holds (size, hash, rows)."""
    resources = []
    for dataset in DATASETS:
        for fmt in ("csv", "json"):
            done = written[dataset.path(fmt)]
            resources.append(
                {
                    "name": f"{dataset.name}-{fmt}",
                    "path": done.path,
                    "title": dataset.title,
                    "description": dataset.description,
                    "format": fmt,
                    "mediatype": "text/csv" if fmt == "csv" else "application/json",
                    "encoding": "utf-8",
                    "bytes": done.bytes,
                    "hash": f"sha256:{done.sha256}",
                    "rows": done.rows,
                    "schema": {
                        "fields": [
                            {"name": f.name, "type": f.type, "description": f.description} for f in dataset.fields
                        ]
                    },
                }
            )
    return {
        "profile": "data-package",
        "name": "townsquare-open-data",
        "title": f"{settings.brand_name} open data: service requests and contacts by channel",
        "homepage": f"{settings.public_url.rstrip('/')}/open-data",
        "created": minute(created),
        "licenses": [{"name": settings.open_data_licence, "path": settings.open_data_licence_url}],
        "resources": resources,
    }


def _take_requests(page: Sequence[Any], tally: Tally, requests: DatasetWriter, register: Register) -> None:
    """One page of public requests: counted for the dashboard and written to the dataset's two files."""
    for row in page:
        tally.add(
            service_code=row.service_code,
            service_name=row.service_name,
            agency_name=row.agency_name,
            channel=row.opened_channel,
            created_at=row.created_at,
            closed_at=row.closed_at,
        )
    requests.write(request_row(row, register) for row in page)


async def export(db: Database, settings: Settings, *, now: datetime | None = None) -> ExportReport:
    """Write every dataset, the dashboard and the data package under `DATA_DIR/open-data/`."""
    created = now or utcnow()
    folder = directory(settings)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Written] = {}
    async with db.session(deferred=True) as session:
        zone = (await analytics_config.current(session)).timezone
        register = await sources.register(session)
        tally = Tally(now=created, timezone=zone)
        with DatasetWriter(folder, SERVICE_REQUESTS) as requests, DatasetWriter(folder, CHANNEL_CONTACTS) as contacts:
            # Each page is counted and written on a thread of its own: a city's million requests are a minute of
            # Python, which on the event loop would hold every request the process serves meanwhile.
            async for page in sources.public_cases(session):
                await asyncio.to_thread(_take_requests, page, tally, requests, register)
            async for days in sources.contact_days(session):
                await asyncio.to_thread(contacts.write, [contact_row(row) for row in days])
            requests.close()
            contacts.close()
            for done in await asyncio.to_thread(lambda: requests.publish() + contacts.publish()):
                written[done.path] = done
    written[DASHBOARD] = write_json(folder, DASHBOARD, tally.result().as_json())
    write_json(folder, PACKAGE, package(settings, created, written))  # last: the page reads it
    rows = {SERVICE_REQUESTS.name: requests.rows, CHANNEL_CONTACTS.name: contacts.rows}
    log.info("open data exported: %d service requests, %d channel rows", *rows.values())
    return ExportReport(folder=folder, created=created, rows=rows)
