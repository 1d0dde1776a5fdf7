"""What each dataset holds: its files, its fields (name, Table Schema type, meaning) and the rules the
anonymisation follows, in one place so the data dictionary, the writers and the docs cannot disagree.

Adding a field here publishes it: nothing that names, contacts or describes a person may ever be added.
"""

from __future__ import annotations

from dataclasses import dataclass

GRID_M = 100  # points are moved to the centre of a cell this many metres square
MIN_ADDRESSES = 5  # a street or grid cell with fewer register addresses is not published (a lone house)
SUPPRESS_BELOW = 5  # a count below this is withheld (published empty, flagged)
POSTAL_AREA_CHARS = 3  # a Canadian forward sortation area, a US three-digit ZIP prefix


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Table Schema: string, integer, number, boolean, date, datetime
    description: str
    values: tuple[str, ...] = ()  # the vocabulary of a coded field


STATUSES = ("new", "open", "in_progress", "waiting_on_citizen", "resolved", "closed", "cancelled")
CHANNELS = ("web", "mobile", "voice", "sms", "email", "chat", "social", "counter", "mail", "api")


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    description: str
    fields: tuple[Field, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def path(self, fmt: str) -> str:
        return f"{self.name}.{fmt}"


SERVICE_REQUESTS = Dataset(
    name="service-requests",
    title="Service requests",
    description=(
        "One row per request of a public (Open311) service, from any channel, since the first. No personal data: "
        "no names, contacts, descriptions, notes, photos or answers; places generalised; times to the minute."
    ),
    fields=(
        Field("service_request_id", "string", "The request's public reference, as on its public page and Open311."),
        Field("requested_datetime", "datetime", "When it was received (UTC, to the minute)."),
        Field("updated_datetime", "datetime", "When it last changed (UTC, to the minute)."),
        Field("expected_datetime", "datetime", "When the service's target says it should be done (UTC), if any."),
        Field("closed_datetime", "datetime", "When it was resolved, closed or cancelled (UTC, to the minute)."),
        Field("status", "string", "Where the request stands.", STATUSES),
        Field(
            "open311_status",
            "string",
            "Open or closed, as the Open311 GeoReport v2 API reports it.",
            ("open", "closed"),
        ),
        Field("service_code", "string", "The service's code in the Open311 catalogue (/open311/services)."),
        Field("service_name", "string", "The service's name (the catalogue's own language)."),
        Field("service_group", "string", "The group the catalogue puts the service in."),
        Field("agency_code", "string", "The responsible agency's short code."),
        Field("agency_name", "string", "The responsible agency's name."),
        Field("channel", "string", "How it came in (api: Open311 apps and other integrations).", CHANNELS),
        Field("duplicate_of", "string", "The reference of the request it was merged into as a duplicate, if any."),
        Field(
            "street",
            "string",
            "The street of the address register's address, without the civic number; empty when the register "
            f"has fewer than {MIN_ADDRESSES} addresses on that street, or no register address was given.",
        ),
        Field("postal_area", "string", f"The first {POSTAL_AREA_CHARS} characters of the postal code, if any."),
        Field(
            "latitude",
            "number",
            f"The centre of the {GRID_M} m grid cell holding the point (WGS84); empty when no point was given or "
            f"the cell holds fewer than {MIN_ADDRESSES} register addresses.",
        ),
        Field("longitude", "number", "As latitude."),
    ),
)

CHANNEL_CONTACTS = Dataset(
    name="channel-contacts",
    title="Contacts by channel",
    description=(
        "Contacts people made each day, by channel, agency and service (when known), from the analytics rollups. "
        f"A count below {SUPPRESS_BELOW} is withheld: published empty, and flagged as withheld."
    ),
    fields=(
        Field("day", "date", "The local day (the analytics time zone)."),
        Field("channel", "string", "The channel the contacts were made on.", CHANNELS),
        Field("agency_code", "string", "The agency the contacts were about; empty when not known."),
        Field("agency_name", "string", "Its name."),
        Field("service_code", "string", "The service the contacts were about; empty when not known."),
        Field("service_name", "string", "Its name."),
        Field("contacts", "integer", f"Contacts made; empty when fewer than {SUPPRESS_BELOW} (withheld)."),
        Field("contacts_suppressed", "boolean", f"Whether the count was below {SUPPRESS_BELOW} and is withheld."),
    ),
)

DATASETS = (SERVICE_REQUESTS, CHANNEL_CONTACTS)
FORMATS = ("csv", "json")
PACKAGE = "datapackage.json"  # the data dictionary and the manifest: written last, read by the page
DASHBOARD = "dashboard.json"
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def published_files() -> frozenset[str]:
    """Every file name the download door serves (anything else is not found)."""
    return frozenset({d.path(fmt) for d in DATASETS for fmt in FORMATS} | {PACKAGE, DASHBOARD})
