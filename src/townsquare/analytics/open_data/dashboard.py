"""The public dashboard's figures: requests opened and closed per service over recent weeks, the median days to
close, and the share of requests by channel, as typed values a table or a chart can draw.

Counted from the same public requests the export publishes, in the same pass, and kept beside the files
(`dashboard.json`), so a page view reads a small file and never aggregates the cases table.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

WEEKS = 8


@dataclass(frozen=True)
class WeekCount:
    week: date  # the Monday the week starts on (local)
    opened: int
    closed: int


@dataclass(frozen=True)
class ServiceFigures:
    service_code: str
    service_name: str
    agency_name: str
    weeks: tuple[WeekCount, ...]
    opened: int
    closed: int
    median_days_to_close: float | None  # of the requests closed in these weeks


@dataclass(frozen=True)
class ChannelShare:
    channel: str
    requests: int
    share: float  # 0 to 1, of the requests opened in these weeks


@dataclass(frozen=True)
class Dashboard:
    generated_at: datetime
    timezone: str
    weeks: tuple[date, ...]
    totals: tuple[WeekCount, ...]
    median_days_to_close: float | None
    services: tuple[ServiceFigures, ...]
    channels: tuple[ChannelShare, ...]

    def as_json(self) -> dict[str, Any]:
        """Plain values (dates as ISO text) for `dashboard.json`."""

        def weeks(counts: tuple[WeekCount, ...]) -> list[dict[str, Any]]:
            return [{"week": w.week.isoformat(), "opened": w.opened, "closed": w.closed} for w in counts]

        return {
            "generated_at": self.generated_at.isoformat(),
            "timezone": self.timezone,
            "weeks": [w.isoformat() for w in self.weeks],
            "totals": weeks(self.totals),
            "median_days_to_close": self.median_days_to_close,
            "services": [
                {
                    "service_code": s.service_code,
                    "service_name": s.service_name,
                    "agency_name": s.agency_name,
                    "weeks": weeks(s.weeks),
                    "opened": s.opened,
                    "closed": s.closed,
                    "median_days_to_close": s.median_days_to_close,
                }
                for s in self.services
            ],
            "channels": [{"channel": c.channel, "requests": c.requests, "share": c.share} for c in self.channels],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Dashboard:
        """The figures `as_json` wrote."""

        def weeks(items: list[dict[str, Any]]) -> tuple[WeekCount, ...]:
            return tuple(WeekCount(date.fromisoformat(w["week"]), int(w["opened"]), int(w["closed"])) for w in items)

        return cls(
            generated_at=datetime.fromisoformat(data["generated_at"]),
            timezone=str(data["timezone"]),
            weeks=tuple(date.fromisoformat(w) for w in data["weeks"]),
            totals=weeks(data["totals"]),
            median_days_to_close=data["median_days_to_close"],
            services=tuple(
                ServiceFigures(
                    service_code=str(s["service_code"]),
                    service_name=str(s["service_name"]),
                    agency_name=str(s["agency_name"]),
                    weeks=weeks(s["weeks"]),
                    opened=int(s["opened"]),
                    closed=int(s["closed"]),
                    median_days_to_close=s["median_days_to_close"],
                )
                for s in data["services"]
            ),
            channels=tuple(
                ChannelShare(str(c["channel"]), int(c["requests"]), float(c["share"])) for c in data["channels"]
            ),
        )


def _median(days: list[float]) -> float | None:
    return round(statistics.median(days), 1) if days else None


class Tally:
    """Counts requests into the last `weeks` local weeks (the current one included) as the export reads them."""

    def __init__(self, *, now: datetime, timezone: str, weeks: int = WEEKS) -> None:
        self.now = now
        self.timezone = timezone
        self.zone = ZoneInfo(timezone)
        today = now.astimezone(self.zone).date()
        this_week = today - timedelta(days=today.weekday())
        self.weeks = tuple(this_week - timedelta(weeks=n) for n in reversed(range(weeks)))
        self.names: dict[str, tuple[str, str]] = {}
        self.opened: Counter[tuple[str, date]] = Counter()
        self.closed: Counter[tuple[str, date]] = Counter()
        self.days: defaultdict[str, list[float]] = defaultdict(list)
        self.channels: Counter[str] = Counter()

    def _week(self, at: datetime | None) -> date | None:
        if at is None:
            return None
        day = at.astimezone(self.zone).date()
        week = day - timedelta(days=day.weekday())
        return week if self.weeks[0] <= week <= self.weeks[-1] else None

    def add(
        self,
        *,
        service_code: str,
        service_name: str,
        agency_name: str,
        channel: str,
        created_at: datetime,
        closed_at: datetime | None,
    ) -> None:
        opened_in, closed_in = self._week(created_at), self._week(closed_at)
        if opened_in is None and closed_in is None:
            return
        self.names[service_code] = (service_name, agency_name)
        if opened_in is not None:
            self.opened[(service_code, opened_in)] += 1
            self.channels[channel] += 1
        if closed_in is not None and closed_at is not None:
            self.closed[(service_code, closed_in)] += 1
            self.days[service_code].append((closed_at - created_at).total_seconds() / 86400)

    def result(self) -> Dashboard:
        """The figures, services by name, channels by share."""
        services = []
        for code, (name, agency) in sorted(self.names.items(), key=lambda item: (item[1][0], item[0])):
            weeks = tuple(WeekCount(w, self.opened[(code, w)], self.closed[(code, w)]) for w in self.weeks)
            services.append(
                ServiceFigures(
                    service_code=code,
                    service_name=name,
                    agency_name=agency,
                    weeks=weeks,
                    opened=sum(w.opened for w in weeks),
                    closed=sum(w.closed for w in weeks),
                    median_days_to_close=_median(self.days[code]),
                )
            )
        totals = tuple(
            WeekCount(w, sum(s.weeks[i].opened for s in services), sum(s.weeks[i].closed for s in services))
            for i, w in enumerate(self.weeks)
        )
        everyone = sum(self.channels.values())
        channels = tuple(
            ChannelShare(channel, n, round(n / everyone, 4))
            for channel, n in sorted(self.channels.items(), key=lambda item: (-item[1], item[0]))
        )
        all_days = [d for days in self.days.values() for d in days]
        return Dashboard(
            generated_at=self.now,
            timezone=self.timezone,
            weeks=self.weeks,
            totals=totals,
            median_days_to_close=_median(all_days),
            services=tuple(services),
            channels=channels,
        )
