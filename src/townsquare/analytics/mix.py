"""Which channels different people rely on: contacts by channel for each value of one dimension (language, age
band, area), only where the data exists, with small counts suppressed.

Suppression: a value with fewer than `SMALL` contacts in the period is folded into one "other" row; within a row,
a channel with fewer than `SMALL` contacts is shown as "fewer than 5" and no share is given for it, so no count
below the threshold can be read back from a share.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.analytics.measures import Scope, within
from townsquare.analytics.models import DemographicDay

SMALL = 5
OTHER = "other"  # the row of values with fewer than SMALL contacts each


@dataclass
class MixRow:
    value: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def shown(self, channel: str) -> int | None:
        """The count, or None when it must not be shown (1 to SMALL - 1)."""
        n = self.counts.get(channel, 0)
        return None if 0 < n < SMALL else n

    def share(self, channel: str) -> float | None:
        n = self.shown(channel)
        return None if n is None or not self.total else n / self.total


@dataclass
class Mix:
    dimension: str
    channels: list[str]
    rows: list[MixRow]
    unknown_share: float | None  # of all contacts in scope, the share this dimension is not known for


async def mix(session: AsyncSession, scope: Scope, dimension: str, *, contacts: int) -> Mix:
    """Contacts by channel per value of `dimension`; `contacts` is every contact in scope (for the unknown share)."""
    rows = await session.execute(
        select(DemographicDay.value, DemographicDay.channel, func.sum(DemographicDay.contacts))
        .where(
            DemographicDay.dimension == dimension,
            *within(
                scope, DemographicDay.day, DemographicDay.agency_id, DemographicDay.service_id, DemographicDay.channel
            ),
        )
        .group_by(DemographicDay.value, DemographicDay.channel)
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for value, channel, n in rows:
        counts[value][channel] = int(n or 0)
    shown, other = [], MixRow(OTHER)
    for value, per in sorted(counts.items()):
        row = MixRow(value, per)
        if row.total >= SMALL:
            shown.append(row)
        else:
            for channel, n in per.items():
                other.counts[channel] = other.counts.get(channel, 0) + n
    if other.total:
        shown.append(other)
    known = sum(r.total for r in shown)
    channels = sorted({c for r in shown for c in r.counts}, key=lambda c: -sum(r.counts.get(c, 0) for r in shown))
    unknown = (contacts - known) / contacts if contacts else None
    return Mix(dimension, channels, shown, unknown)
