"""The case figures of the dashboards: SLA attainment by service and channel, and the hotspot map's cells, read
from `analytics_case_days` and `analytics_hotspot_months` with the same scope as every other figure.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.analytics.measures import Scope, within
from townsquare.analytics.models import CaseDay, HotspotMonth


@dataclass
class SlaLine:
    key: str  # a service id as text ("" when not known), or a channel
    opened: int = 0
    closed: int = 0
    close_seconds: int = 0
    due: int = 0
    met: int = 0

    @property
    def attainment(self) -> float | None:
        """Of the cases due in the period, the share closed by their due time."""
        return self.met / self.due if self.due else None

    @property
    def days_to_close(self) -> float | None:
        return self.close_seconds / self.closed / 86400 if self.closed else None


@dataclass
class Sla:
    total: SlaLine
    by_service: list[SlaLine]
    by_channel: list[SlaLine]


async def sla(session: AsyncSession, scope: Scope) -> Sla:
    """Cases opened, closed and due in the period, and the share of those due that were closed in time."""
    sums = [func.sum(getattr(CaseDay, name)) for name in ("opened", "closed", "close_seconds", "due", "met")]
    rows = await session.execute(
        select(CaseDay.service_id, CaseDay.channel, *sums)
        .where(*within(scope, CaseDay.day, CaseDay.agency_id, CaseDay.service_id, CaseDay.channel))
        .group_by(CaseDay.service_id, CaseDay.channel)
    )
    total, services, channels = SlaLine("all"), dict[str, SlaLine](), dict[str, SlaLine]()
    for service_id, channel, *values in rows:
        for line in (
            total,
            services.setdefault(str(service_id or ""), SlaLine(str(service_id or ""))),
            channels.setdefault(channel, SlaLine(channel)),
        ):
            line.opened += int(values[0] or 0)
            line.closed += int(values[1] or 0)
            line.close_seconds += int(values[2] or 0)
            line.due += int(values[3] or 0)
            line.met += int(values[4] or 0)
    return Sla(total, _ordered(services), _ordered(channels))


def _ordered(lines: dict[str, SlaLine]) -> list[SlaLine]:
    return sorted(lines.values(), key=lambda line: (-line.opened, line.key))


@dataclass(frozen=True)
class Cell:
    lat: float  # south-west corner of a 0.01-degree cell
    long: float
    reports: int
    top_service: uuid.UUID | None  # the service most reported in it


async def hotspots(session: AsyncSession, scope: Scope, *, limit: int = 500) -> list[Cell]:
    """The cells with the most reports opened in the months the period touches, most first."""
    since, until = scope.since.replace(day=1), scope.until
    month_scope = Scope(since=since, until=until, agency_ids=scope.agency_ids, agency_id=scope.agency_id,
                        service_id=scope.service_id)  # fmt: skip
    rows = await session.execute(
        select(HotspotMonth.lat, HotspotMonth.long, HotspotMonth.service_id, func.sum(HotspotMonth.reports))
        .where(*within(month_scope, HotspotMonth.month, HotspotMonth.agency_id, HotspotMonth.service_id, None))
        .group_by(HotspotMonth.lat, HotspotMonth.long, HotspotMonth.service_id)
    )
    cells: dict[tuple[float, float], dict[uuid.UUID | None, int]] = {}
    for lat, long, service_id, n in rows:
        per = cells.setdefault((lat, long), {})
        per[service_id] = per.get(service_id, 0) + int(n or 0)
    out = [
        Cell(lat, long, sum(per.values()), max(per.items(), key=lambda kv: kv[1])[0])
        for (lat, long), per in cells.items()
    ]
    return sorted(out, key=lambda c: (-c.reports, c.lat, c.long))[:limit]


def _most(per: dict[uuid.UUID | None, int]) -> uuid.UUID | None:
    return max(per.items(), key=lambda kv: (kv[1], str(kv[0])))[0]


def months(scope: Scope) -> tuple[date, date]:
    """The first and last month the hotspots cover (whole months: they are counted by month)."""
    return scope.since.replace(day=1), scope.until.replace(day=1)
