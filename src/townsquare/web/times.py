"""Times as people read them, on every page: one date-time format, in the city's time zone and the page's
language ("Dec 3, 2026, 9:05 AM", "3 déc. 2026, 09:05"), and waits and durations in words ("3 days 4 hours").

The city's zone is the one a director sets for the dashboards (`analytics.config`, kept as data): `city_zone`, a
dependency of the desk's and the portal's pages (`city_zone_apart` of the simulator's), reads it once per request
and makes it the zone of the rest of that request, as `i18n` does for the language; Python code and templates then
read `zone()`.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from fastapi import Request

from townsquare.analytics import config as analytics_config
from townsquare.db import Database
from townsquare.db.deps import SessionDep
from townsquare.web import i18n
from townsquare.web.i18n import ngettext

DEFAULT_ZONE = analytics_config.AnalyticsConfig.timezone  # the city's zone until a director chooses one
_zone: contextvars.ContextVar[str] = contextvars.ContextVar("townsquare_zone", default=DEFAULT_ZONE)


def zone() -> str:
    """The city's time zone for the page being built, e.g. `America/Toronto`."""
    return _zone.get()


def _known(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return DEFAULT_ZONE
    return name


def use_zone(name: str) -> None:
    """Make `name` the zone of the rest of this request (the default zone if it names none)."""
    _zone.set(_known(name))


@contextmanager
def zoned(name: str) -> Iterator[None]:
    """Run a block in the zone `name` (for times written outside a request, and tests)."""
    token = _zone.set(_known(name))
    try:
        yield
    finally:
        _zone.reset(token)


async def city_zone(session: SessionDep) -> None:
    """A page dependency: the city's zone, as the director set it, for the rest of the request (read in the
    request's own session, so it is one more primary-key read of the page's transaction)."""
    use_zone((await analytics_config.current(session)).timezone)


async def city_zone_apart(request: Request) -> None:
    """The same, read in a short reading session of its own: for routes that open their own sessions rather than
    the request's (the simulator's), which must not find the writer taken by this read on SQLite."""
    database: Database = request.app.state.db
    async with database.session(deferred=True) as session:
        use_zone((await analytics_config.current(session)).timezone)


@functools.cache
def _locale(language: str) -> Locale:
    """The page language's Babel locale, parsed once per process: a wallboard writes hundreds of times, and parsing
    the locale's name for each of them was a third of the page's time."""
    return Locale.parse(language)


def _local(value: datetime, zone_name: str | None = None) -> datetime:
    """`value` in the city's zone, or in `zone_name` (a time without a zone is UTC, as the database keeps them)."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(ZoneInfo(zone_name or zone()))


def when(value: datetime | None) -> str:
    """A date and time, the one way every page writes it: "Dec 3, 2026, 9:05 AM" (or "3 déc. 2026, 09:05"),
    in the city's zone. An empty string for no time."""
    if value is None:
        return ""
    return _written(value, i18n.current(), zone())


@functools.lru_cache(maxsize=8192)
def _written(value: datetime, language: str, zone_name: str) -> str:
    """`when`'s words for one time, language and zone, kept: a wallboard refreshed every few seconds writes the
    same two hundred times (its agents' "since") again and again."""
    local = _local(value, zone_name)
    locale = _locale(language)
    pattern = str(locale.datetime_formats["medium"])
    time_part = format_time(local, format="short", locale=locale)
    return pattern.replace("{1}", format_date(local, format="medium", locale=locale)).replace("{0}", time_part)


def day(value: datetime | date | None) -> str:
    """A date alone, as in the date-time format: "Dec 3, 2026" (or "3 déc. 2026")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return str(format_date(value, format="medium", locale=_locale(i18n.current())))


def short_day(value: datetime | None) -> str:
    """A day of this year's kind, as in "since 3 Dec": the day and month in the city's zone."""
    if value is None:
        return ""
    return str(format_skeleton("MMMd", _local(value), locale=_locale(i18n.current())))


# Each unit: its length in seconds and its words (singular, plural) for ngettext.
UNITS: tuple[tuple[int, str, str], ...] = (
    (86400, "%(n)s day", "%(n)s days"),
    (3600, "%(n)s hour", "%(n)s hours"),
    (60, "%(n)s minute", "%(n)s minutes"),
    (1, "%(n)s second", "%(n)s seconds"),
)


def duration(seconds: float | None) -> str:
    """A wait or a length of time in words, its two largest units: "3 days 4 hours", "12 minutes", "45 seconds"
    (or "3 jours 4 heures"). A dash for no time at all."""
    if seconds is None:
        return "—"
    left = max(0, int(seconds))
    parts: list[str] = []
    for index, (size, one, many) in enumerate(UNITS):
        count, left = divmod(left, size)
        if count:
            parts.append(ngettext(one, many, count) % {"n": count})
            following = UNITS[index + 1] if index + 1 < len(UNITS) else None
            if following is not None:
                more = left // following[0]
                if more:
                    parts.append(ngettext(following[1], following[2], more) % {"n": more})
            break
    return " ".join(parts) if parts else ngettext(UNITS[-1][1], UNITS[-1][2], 0) % {"n": 0}


def wait_words(seconds: int) -> str:
    """A wait in words, rounded up: "1 minute", "45 minutes", "24 hours"."""
    minutes = max(1, -(-seconds // 60))
    if minutes < 90:
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    hours = -(-minutes // 60)
    return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
