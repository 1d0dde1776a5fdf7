"""Each dashboard figure as the rows of a CSV file: a header, then the rows exactly as the page's table shows them
(small counts suppressed the same way).
"""

from __future__ import annotations

from townsquare.analytics.mix import SMALL
from townsquare.casework.dashboards import Dashboard
from townsquare.errors import invalid


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _num(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def csv_rows(board: Dashboard, figure: str) -> tuple[list[str], list[list[str]]]:
    """One figure as a header and rows, exactly as the page's table shows it."""
    if figure == "volume":
        header = ["period_start", *board.volume.channels, "total"]
        rows = [
            [
                b.isoformat(),
                *(str(board.volume.count(b, c)) for c in board.volume.channels),
                str(sum(board.volume.count(b, c) for c in board.volume.channels)),
            ]
            for b in board.volume.buckets
        ]
        return header, rows
    if figure in ("journeys", "journeys-by-service"):
        header = [
            "period_start" if figure == "journeys" else "service",
            "journeys",
            "contacts",
            "contacts_per_journey",
            "multichannel_journeys",
            "channel_switches",
            "repeat_contacts",
            "repeat_rate_percent",
            "avoidable_contacts",
            "asked_again",
            "fcr_decided",
            "fcr_resolved",
            "fcr_rate_percent",
            "outcomes",
            "mean_days_to_outcome",
        ]
        items = (
            [(b.isoformat(), f) for b, f in sorted(board.journeys.by_bucket.items())]
            if figure == "journeys"
            else sorted(
                ((board.name(k) or "(no service)", f) for k, f in board.journeys.by_service.items()),
                key=lambda item: item[0],
            )
        )
        return header, [
            [
                label,
                str(f.journeys),
                str(f.contacts),
                _num(f.contacts_per_journey),
                str(f.multichannel),
                str(f.switches),
                str(f.repeats),
                _pct(f.repeat_rate),
                str(f.avoidable),
                str(f.asked_again),
                str(f.fcr_decided),
                str(f.fcr_resolved),
                _pct(f.fcr_rate),
                str(f.outcomes),
                _num(f.days_to_outcome, 1),
            ]
            for label, f in items
        ]
    if figure == "shift":
        header = ["service", "month", "channel", "contacts", "share_percent", "change_points"]
        rows = []
        for service_id, counts in sorted(board.shift.counts.items(), key=lambda kv: board.name(kv[0])):
            for month in board.shift.months:
                for channel in board.shift.channels:
                    share = board.shift.share(service_id, month, channel)
                    if share is None:
                        continue
                    change = board.shift.change(service_id, month, channel)
                    rows.append(
                        [
                            board.name(service_id) or "(no service)",
                            month.isoformat()[:7],
                            channel,
                            str(counts.get((month, channel), 0)),
                            _pct(share),
                            "" if change is None else f"{change * 100:.1f}",
                        ]
                    )
        return header, rows
    if figure.startswith("cost-by-"):
        kind = figure.removeprefix("cost-by-")
        lines = {"channel": board.cost.by_channel, "service": board.cost.by_service, "agency": board.cost.by_agency}
        header = [
            kind,
            "contacts",
            "contacts_without_unit_cost",
            f"cost_by_unit_{board.cost.currency}",
            "handled",
            "handle_minutes",
            f"cost_by_handle_time_{board.cost.currency}",
        ]
        return header, [
            [
                line.key if kind == "channel" else (board.name(line.key) or "(not known)"),
                str(line.contacts),
                str(line.uncosted),
                f"{line.cost_by_unit:.2f}",
                str(line.handled),
                f"{line.handle_seconds / 60:.1f}",
                f"{line.cost_by_time(board.cost.staff_cost_per_hour):.2f}",
            ]
            for line in lines[kind]
        ]
    return _more(board, figure)


def _more(board: Dashboard, figure: str) -> tuple[list[str], list[list[str]]]:
    """Service levels, who uses which channel, hotspots and satisfaction."""
    if figure.startswith("sla-by-"):
        kind = figure.removeprefix("sla-by-")
        sla_lines = board.sla.by_service if kind == "service" else board.sla.by_channel
        header = [kind, "opened", "closed", "mean_days_to_close", "due", "closed_in_time", "attainment_percent"]
        return header, [
            [
                (board.name(line.key) or "(no service)") if kind == "service" else line.key,
                str(line.opened),
                str(line.closed),
                _num(line.days_to_close, 1),
                str(line.due),
                str(line.met),
                _pct(line.attainment),
            ]
            for line in sla_lines
        ]
    if figure.startswith("mix-"):
        found = board.mixes[figure.removeprefix("mix-")]
        header = [found.dimension, *found.channels, "total"]
        return header, [
            [
                row.value,
                *(_small(row.shown(c)) for c in found.channels),
                _small(row.total if row.total >= SMALL else None),
            ]
            for row in found.rows
        ]
    if figure == "hotspots":
        header = ["cell_south_lat", "cell_west_long", "reports", "most_reported_service"]
        return header, [
            [f"{c.lat:.2f}", f"{c.long:.2f}", str(c.reports), board.name(c.top_service) or "(no service)"]
            for c in board.hotspots
        ]
    if figure == "satisfaction":
        header = ["channel", "surveys_sent", "answered", "response_rate_percent", "csat_percent", "average_score"]
        return header, [
            [
                r.key or "(not known)",
                str(r.sent),
                str(r.answered),
                _pct(r.response_rate),
                _pct(r.csat),
                _num(r.average),
            ]
            for r in board.satisfaction
        ]
    raise invalid(f"There is no figure '{figure[:40]}'.")


def _small(value: int | None) -> str:
    return f"<{SMALL}" if value is None else str(value)
