"""The shape of the demo city's year: when residents get in touch, about what, and on which channel.

Each service has its season (potholes in the spring thaw, street lights in the long nights, tax questions before
the instalments fall due), every week its rhythm (busy Mondays, quiet Sundays, the counter closed at weekends),
and every service a channel mix that moves month by month over the year: the portal, the app and chat grow, the
phone and the counter shrink, faster for some services than others. The numbers are the demo's own, chosen to
look like a mid-sized city; nothing here reads or writes the database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from townsquare.interactions.models import Channel

ZONE = ZoneInfo("America/Toronto")  # the analytics default: local days are Toronto's
MONTHS = 12
DAYS = 365

# How often, relative to each other, residents contact the city about each service.
POPULARITY = {
    "POTHOLE": 1.2,
    "STREETLIGHT": 0.6,
    "GARBAGE-MISSED": 1.4,
    "GRAFFITI": 0.4,
    "TREE": 0.6,
    "DL-RENEW": 1.0,
    "VEH-REG": 0.8,
    "PARK-PERMIT": 0.6,
    "PARK-TICKET": 0.9,
    "PROP-TAX": 1.3,
    "TAX-INSTAL": 0.5,
    "TAX-REBATE": 0.6,
    "BIZ-LICENCE": 0.4,
}

# Each service's season: a weight for each calendar month, January first.
SEASONS = {
    "POTHOLE": (1.0, 1.6, 2.6, 2.8, 1.6, 1.0, 0.7, 0.6, 0.6, 0.7, 0.9, 1.0),  # the spring thaw
    "STREETLIGHT": (1.5, 1.3, 1.0, 0.8, 0.6, 0.5, 0.5, 0.6, 0.8, 1.1, 1.4, 1.6),  # long nights
    "GARBAGE-MISSED": (1.5, 1.0, 0.9, 1.0, 1.0, 1.1, 1.3, 1.2, 1.0, 1.0, 1.0, 1.4),  # after the holidays
    "GRAFFITI": (0.4, 0.4, 0.6, 0.9, 1.3, 1.6, 1.8, 1.7, 1.3, 0.9, 0.6, 0.5),
    "TREE": (1.3, 1.0, 0.9, 1.0, 1.1, 1.4, 1.5, 1.2, 1.0, 1.3, 1.1, 1.0),  # ice and summer storms
    "DL-RENEW": (0.9, 0.9, 1.0, 1.1, 1.2, 1.2, 1.1, 1.0, 1.0, 1.0, 0.9, 0.7),
    "VEH-REG": (1.0, 0.9, 1.0, 1.1, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9),
    "PARK-PERMIT": (0.8, 0.7, 0.8, 0.9, 1.0, 1.0, 0.9, 1.4, 2.0, 1.3, 0.8, 0.7),  # the permit year starts
    "PARK-TICKET": (1.8, 1.6, 1.1, 0.9, 0.8, 0.8, 0.8, 0.8, 0.9, 1.0, 1.3, 1.7),  # signs under snow
    "PROP-TAX": (0.9, 2.3, 1.5, 1.1, 0.8, 2.0, 1.4, 0.8, 1.0, 0.8, 0.8, 0.7),  # interim and final bills
    "TAX-INSTAL": (1.7, 1.2, 0.9, 0.8, 0.8, 0.9, 0.8, 0.8, 0.9, 1.0, 1.3, 1.7),  # before the new tax year
    "TAX-REBATE": (1.2, 2.2, 2.5, 1.0, 0.7, 0.6, 0.6, 0.6, 0.6, 0.7, 0.9, 1.0),  # the rebate deadline
    "BIZ-LICENCE": (0.7, 0.8, 1.2, 1.6, 1.5, 1.1, 0.9, 0.8, 0.9, 1.0, 0.8, 0.6),  # patios open
}

WEEKDAY = (1.25, 1.15, 1.1, 1.05, 0.95, 0.45, 0.35)  # Monday to Sunday

# Channel mixes a year ago and this month, by family of services; months between move in a straight line.
_WORKS = (
    {"voice": 40, "web": 13, "mobile": 7, "email": 10, "chat": 2, "sms": 9, "social": 6, "counter": 6, "mail": 7},
    {"voice": 21, "web": 30, "mobile": 15, "email": 7, "chat": 12, "sms": 7, "social": 5, "counter": 2, "mail": 1},
)
_LICENSING = (
    {"counter": 36, "voice": 27, "web": 14, "email": 10, "chat": 2, "sms": 2, "mail": 7, "mobile": 2},
    {"counter": 15, "voice": 17, "web": 40, "email": 8, "chat": 13, "sms": 2, "mail": 1, "mobile": 4},
)
_REVENUE = (
    {"voice": 42, "counter": 14, "email": 16, "web": 12, "mail": 10, "chat": 3, "sms": 3},
    {"voice": 25, "counter": 7, "email": 13, "web": 32, "mail": 4, "chat": 16, "sms": 3},
)
FAMILY = {
    "DL-RENEW": _LICENSING,
    "VEH-REG": _LICENSING,
    "PARK-PERMIT": _LICENSING,
    "PARK-TICKET": _LICENSING,
    "BIZ-LICENCE": _LICENSING,
    "PROP-TAX": _REVENUE,
    "TAX-INSTAL": _REVENUE,
    "TAX-REBATE": _REVENUE,
}
OFFICE = frozenset({Channel.voice, Channel.counter})  # staffed on weekdays, in office hours


@dataclass(frozen=True)
class Start:
    """One need a resident brings: when, about which service, on which channel first."""

    at: datetime
    code: str
    channel: Channel


def month_index(now: datetime, at: datetime) -> int:
    """0 for the month a year ago, up to 11 for this month (local months)."""
    a, b = at.astimezone(ZONE), now.astimezone(ZONE)
    return max(0, MONTHS - 1 - ((b.year - a.year) * 12 + b.month - a.month))


def mix(code: str, index: int) -> dict[Channel, float]:
    """The service's channel mix in month `index` (0: a year ago, 11: this month)."""
    first, last = FAMILY.get(code, _WORKS)
    share = index / (MONTHS - 1)
    return {Channel(c): first.get(c, 0) + (last.get(c, 0) - first.get(c, 0)) * share for c in {*first, *last}}


def _at(rng: random.Random, day: date, channel: Channel) -> datetime:
    """A local moment on `day`: office hours for the phone and counter, waking hours for the rest."""
    if channel in OFFICE:
        minutes = rng.uniform(8.5 * 60, 16.5 * 60)
    else:
        minutes = rng.choice(
            (rng.uniform(7 * 60, 17 * 60), rng.uniform(17 * 60, 23 * 60), rng.uniform(9 * 60, 21 * 60))
        )
    return datetime.combine(day, time(), ZONE) + timedelta(minutes=minutes)


def plan(rng: random.Random, now: datetime, codes: list[str], count: int) -> list[Start]:
    """`count` needs over the year ending `now`, in time order, shaped by season, weekday and channel mix."""
    today = now.astimezone(ZONE).date()
    days = [today - timedelta(days=n) for n in range(DAYS)]
    keys = [(d, c) for d in days for c in codes]
    weights = [
        POPULARITY.get(c, 0.5) * SEASONS.get(c, (1.0,) * 12)[d.month - 1] * WEEKDAY[d.weekday()] for d, c in keys
    ]
    starts = []
    for day, code in rng.choices(keys, weights=weights, k=count):
        channels = mix(code, month_index(now, datetime.combine(day, time(12), ZONE)))
        if day.weekday() >= 5:  # the counter is closed and the phone lines mostly are at weekends
            channels = {
                c: w * (0 if c is Channel.counter else 0.3 if c is Channel.voice else 1) for c, w in channels.items()
            }
        channel = rng.choices(list(channels), weights=list(channels.values()))[0]
        at = _at(rng, day, channel)
        if at > now:  # later today than now: the same time a week earlier instead
            at -= timedelta(days=7)
        starts.append(Start(at, code, channel))
    return sorted(starts, key=lambda s: s.at)
