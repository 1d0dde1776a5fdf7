"""Folding touches into contacts and journeys: the rules of docs/analytics.md, on rows in memory.

`Fold` is given the journeys and recent touches of the people in a batch (by `analytics.worker`) and then each
unfolded touch in time order; it sets the touch's contact, repeat, switch and avoidable marks and keeps its
journey's measures. It reads and writes nothing else, so the rules are tested without a database. It works on
plain records (`FoldTouch`, `FoldJourney`: the columns of `Touch` and `Journey`, without the ORM's bookkeeping of
every attribute set), which the worker reads and writes in bulk.

- A *contact* begins with a touch unless the same person's previous touch was on the same conversation (for portal
  visits, which have none: about the same need) and channel within `contact_gap_minutes` (a chat's messages, an
  IVR's turns, a look at a service's page and its help page are one contact).
- A contact joins the person's journey about the same need: the journey of its case if it has one, otherwise the
  journey about the same service (or subject, or conversation) whose last contact is within `window_days`; a
  caseless journey adopts the case a later contact brings. Otherwise it begins a journey.
- A *repeat* is a contact within `window_days` of its journey's previous contact; a *switch* a contact on another
  channel than the previous one; an *avoidable* contact a call or a visit in a journey that already had a web
  visit or a failed self-service attempt.
- A journey is *resolved at first contact* when its first contact was not a failed self-service attempt and no
  second contact came within `window_days` of it; decided at the second contact, or when the window has passed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

from townsquare.analytics.config import AnalyticsConfig
from townsquare.analytics.touches import ANSWERED, FAILED
from townsquare.db import new_id

ASSISTED = frozenset({"voice", "counter"})  # a call or a visit: what an avoidable contact is
SELF_SERVICE = frozenset({"web", "mobile"})  # the portal and the app


@dataclass(slots=True)
class FoldTouch:
    """The columns of an `analytics_touches` row that folding reads, and the marks it sets."""

    id: uuid.UUID
    citizen_id: uuid.UUID
    occurred_at: datetime
    channel: str
    conversation_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    service_id: uuid.UUID | None = None
    agency_id: uuid.UUID | None = None
    subject: str | None = None
    self_service: str | None = None
    asked_again: int = 0
    journey_id: uuid.UUID | None = None
    day: date | None = None
    contact_start: bool = False
    repeat: bool = False
    avoidable: bool = False
    switched: bool = False
    age_band: str | None = None
    area: str | None = None


@dataclass(slots=True)
class FoldJourney:
    """The columns of an `analytics_journeys` row, as folding keeps them."""

    id: uuid.UUID
    citizen_id: uuid.UUID
    need: str
    case_id: uuid.UUID | None
    service_id: uuid.UUID | None
    agency_id: uuid.UUID | None
    day: date
    first_contact_at: datetime
    last_contact_at: datetime
    first_channel: str
    last_channel: str
    channels: list[str] = field(default_factory=list)
    contacts: int = 0
    switches: int = 0
    repeats: int = 0
    avoidable: int = 0
    asked_again: int = 0
    self_served: bool = False
    first_failed: bool = False
    fcr: bool | None = None
    outcome_at: datetime | None = None


TOUCH_COLUMNS = tuple(f.name for f in fields(FoldTouch))
JOURNEY_COLUMNS = tuple(f.name for f in fields(FoldJourney))


def as_row(record: FoldTouch | FoldJourney) -> dict[str, Any]:
    """A record as the column values of its row."""
    return {
        name: getattr(record, name) for name in (JOURNEY_COLUMNS if isinstance(record, FoldJourney) else TOUCH_COLUMNS)
    }


def need_of(touch: FoldTouch) -> str:
    """The need a touch is about, as the key journeys are matched on."""
    if touch.service_id is not None:
        return f"service:{touch.service_id}"
    if touch.subject:
        return f"subject:{touch.subject}"
    if touch.conversation_id is not None:
        return f"conversation:{touch.conversation_id}"
    return f"touch:{touch.id}"


def _contact_key(touch: FoldTouch) -> tuple[uuid.UUID, str, str]:
    """What a touch must share with the one before to continue its contact: the person, the channel, and the
    conversation (or, for portal visits, which have none, the need)."""
    thread = str(touch.conversation_id) if touch.conversation_id is not None else need_of(touch)
    return (touch.citizen_id, thread, touch.channel)


@dataclass
class _Last:
    """The latest touch on one conversation and channel: where a continuing contact belongs."""

    at: datetime
    journey: FoldJourney
    first_contact: bool  # the contact is its journey's first


class Fold:
    """One batch's folding. Feed it context with `know_*`, then `add` each touch oldest first."""

    def __init__(self, config: AnalyticsConfig) -> None:
        self.config = config
        self.window = timedelta(days=config.window_days)
        self.gap = timedelta(minutes=config.contact_gap_minutes)
        self.zone = config.zone
        self._journeys: dict[uuid.UUID, FoldJourney] = {}
        self._by_case: dict[tuple[uuid.UUID, uuid.UUID], FoldJourney] = {}
        self._by_need: dict[tuple[uuid.UUID, str], list[FoldJourney]] = {}
        self._last: dict[tuple[uuid.UUID, str, str], _Last] = {}
        self.created: list[FoldJourney] = []
        self.changed: dict[uuid.UUID, FoldJourney] = {}
        self.days: set[date] = set()

    # context ------------------------------------------------------------------------------------------------

    def know_journey(self, journey: FoldJourney) -> None:
        if journey.id in self._journeys:  # read twice: by its case and as recent
            return
        self._journeys[journey.id] = journey
        self._by_need.setdefault((journey.citizen_id, journey.need), []).append(journey)
        if journey.case_id is not None:
            self._by_case[(journey.citizen_id, journey.case_id)] = journey

    def know_touch(self, touch: FoldTouch) -> None:
        """A touch folded before: a later touch may continue its contact."""
        journey = self._journeys.get(touch.journey_id) if touch.journey_id else None
        if journey is None:
            return
        key = _contact_key(touch)
        last = self._last.get(key)
        if last is None or last.at <= touch.occurred_at:
            first = journey.contacts <= 1
            self._last[key] = _Last(touch.occurred_at, journey, first)

    # folding ------------------------------------------------------------------------------------------------

    def add(self, touch: FoldTouch) -> FoldJourney:
        """Fold one touch; returns its journey."""
        touch.day = self.local_day(touch.occurred_at)
        self.days.add(touch.day)
        key = _contact_key(touch)
        last = self._last.get(key)
        if last is not None and touch.occurred_at - last.at <= self.gap:
            journey, first = last.journey, last.first_contact
            touch.contact_start = False
            self._adopt(journey, touch)
        else:
            found = self._find(touch)
            first = found is None
            journey = self._begin(touch) if found is None else self._continue(found, touch)
            touch.contact_start = True
        self._mark(journey, touch, first_contact=first)
        touch.journey_id = journey.id
        self._last[key] = _Last(touch.occurred_at, journey, first)
        self.changed[journey.id] = journey
        self.days.add(journey.day)
        return journey

    def local_day(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def _find(self, touch: FoldTouch) -> FoldJourney | None:
        if touch.case_id is not None:
            found = self._by_case.get((touch.citizen_id, touch.case_id))
            if found is not None:
                return found
        since = touch.occurred_at - self.window
        recent = [
            j
            for j in self._by_need.get((touch.citizen_id, need_of(touch)), [])
            if j.last_contact_at >= since and (touch.case_id is None or j.case_id is None)
        ]
        return max(recent, key=lambda j: j.last_contact_at) if recent else None

    def _begin(self, touch: FoldTouch) -> FoldJourney:
        failed = touch.self_service == FAILED
        journey = FoldJourney(
            id=new_id(),
            citizen_id=touch.citizen_id,
            need=need_of(touch),
            case_id=touch.case_id,
            service_id=touch.service_id,
            agency_id=touch.agency_id,
            day=self.local_day(touch.occurred_at),
            first_contact_at=touch.occurred_at,
            last_contact_at=touch.occurred_at,
            first_channel=touch.channel,
            last_channel=touch.channel,
            channels=[touch.channel],
            contacts=1,
            switches=0,
            repeats=0,
            avoidable=0,
            asked_again=0,
            self_served=touch.channel in SELF_SERVICE or failed,
            first_failed=failed,
            fcr=False if failed else None,
            outcome_at=None,
        )
        self.created.append(journey)
        self.know_journey(journey)
        return journey

    def _continue(self, journey: FoldJourney, touch: FoldTouch) -> FoldJourney:
        touch.repeat = touch.occurred_at - journey.last_contact_at <= self.window
        touch.switched = touch.channel != journey.last_channel
        touch.avoidable = touch.channel in ASSISTED and journey.self_served
        journey.contacts += 1
        journey.repeats += touch.repeat
        journey.switches += touch.switched
        journey.avoidable += touch.avoidable
        if (
            journey.fcr is None
            and journey.contacts == 2
            and touch.occurred_at - journey.first_contact_at <= self.window
        ):
            journey.fcr = False
        journey.last_contact_at = max(journey.last_contact_at, touch.occurred_at)
        journey.last_channel = touch.channel
        if touch.channel not in journey.channels:
            journey.channels = [*journey.channels, touch.channel]
        journey.self_served = journey.self_served or touch.channel in SELF_SERVICE
        self._adopt(journey, touch)
        return journey

    def _adopt(self, journey: FoldJourney, touch: FoldTouch) -> None:
        """A caseless journey takes the case (and its service and agency) a later touch brings."""
        if journey.case_id is None and touch.case_id is not None:
            journey.case_id = touch.case_id
            self._by_case[(journey.citizen_id, touch.case_id)] = journey
        if journey.service_id is None and touch.service_id is not None:
            journey.service_id = touch.service_id
        if touch.agency_id is not None and (journey.agency_id is None or touch.case_id is not None):
            journey.agency_id = touch.agency_id

    def _mark(self, journey: FoldJourney, touch: FoldTouch, *, first_contact: bool) -> None:
        journey.asked_again += touch.asked_again
        if touch.self_service == FAILED:
            journey.self_served = True
            if first_contact:
                journey.first_failed = True
                journey.fcr = False
        if touch.self_service == ANSWERED and journey.case_id is None and journey.outcome_at is None:
            journey.outcome_at = touch.occurred_at
