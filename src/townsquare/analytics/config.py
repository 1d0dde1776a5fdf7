"""What a director chooses for the measures: the journey window, the time zone days are counted in, what each
channel costs per contact and what an hour of staff time costs. Kept as data (one `analytics_state` row), so
changing them needs no deploy; a changed window or time zone has every journey folded again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.analytics.models import AnalyticsState
from townsquare.db import remembered
from townsquare.errors import invalid

# Saved by a director; the analytics worker's lease shares the table (written about once a minute, which forgets
# what is remembered no more often than its few seconds would).
remembered.watch(AnalyticsState)

SETTINGS = "settings"

# Published cost per contact, Tameside Metropolitan Borough Council (2012, in GBP): a web transaction £0.25, a
# contact-centre call £1.39, a face-to-face visit £14.65. Channels without a published figure have none until
# the jurisdiction sets its own.
TAMESIDE_SOURCE = "Tameside MBC, cost per transaction by channel (2012): web £0.25, phone £1.39, face to face £14.65"
DEFAULT_UNIT_COSTS: dict[str, float] = {"web": 0.25, "mobile": 0.25, "voice": 1.39, "counter": 14.65}


@dataclass(frozen=True)
class AnalyticsConfig:
    window_days: int = 7  # a contact within this many days of the last one about the same need is a repeat
    contact_gap_minutes: int = 30  # touches on one conversation and channel closer than this are one contact
    timezone: str = "America/Toronto"
    currency: str = "GBP"
    unit_costs: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_UNIT_COSTS))
    unit_cost_source: str = TAMESIDE_SOURCE
    staff_cost_per_hour: float = 30.0

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def refolds(self, other: AnalyticsConfig) -> bool:
        """Whether going to `other` changes how touches fold into journeys."""
        return (self.window_days, self.contact_gap_minutes, self.timezone) != (
            other.window_days,
            other.contact_gap_minutes,
            other.timezone,
        )


def local_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From the start of local day `first` to the start of the day after `last`, as aware times."""
    return datetime.combine(first, time(), zone), datetime.combine(last + timedelta(days=1), time(), zone)


def checked(config: AnalyticsConfig) -> AnalyticsConfig:
    """The config, or a 422 naming what is wrong with it."""
    if not 1 <= config.window_days <= 90:
        raise invalid("The journey window must be between 1 and 90 days.")
    if not 1 <= config.contact_gap_minutes <= 240:
        raise invalid("The gap that ends a contact must be between 1 and 240 minutes.")
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise invalid(f"'{config.timezone}' is not a time zone name such as America/Toronto.") from exc
    if len(config.currency) != 3 or not config.currency.isalpha():
        raise invalid("The currency must be a three-letter code such as CAD.")
    if any(cost < 0 for cost in config.unit_costs.values()) or config.staff_cost_per_hour < 0:
        raise invalid("Costs cannot be negative.")
    return replace(config, currency=config.currency.upper())


def _from(value: dict[str, Any]) -> AnalyticsConfig:
    known = {k: v for k, v in value.items() if k in AnalyticsConfig.__dataclass_fields__}
    if "unit_costs" in known:
        known["unit_costs"] = {str(k): float(v) for k, v in dict(known["unit_costs"]).items()}
    return AnalyticsConfig(**known)


async def current(session: AsyncSession) -> AnalyticsConfig:
    """The settings in force (the defaults until a director saves some), remembered per process for a few seconds:
    every desk page writes its times in the city's zone."""

    async def load() -> AnalyticsConfig:
        row = await session.get(AnalyticsState, SETTINGS)
        return _from(row.value) if row is not None and row.value else AnalyticsConfig()

    return await remembered.recall(session, ("analytics_config",), load)


async def save(session: AsyncSession, config: AnalyticsConfig) -> bool:
    """Keep `config` (checked); True when journeys must be folded again. Does not commit."""
    config = checked(config)
    before = await current(session)
    row = await session.get(AnalyticsState, SETTINGS)
    if row is None:
        row = AnalyticsState(name=SETTINGS)
        session.add(row)
    row.value = asdict(config)
    return before.refolds(config)
