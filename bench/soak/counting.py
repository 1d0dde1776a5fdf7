"""The soak's figures, from what it sent and what the database and the stand-in provider hold at the end.

Pure functions over plain records (no I/O), so each rule is tested on its own (`tests/bench/test_soak_counting.py`):
which contact each recorded interaction is, which work items were offered to two agents at once, which outbound
messages reached the provider twice, the chat delivery percentile and the recovery time.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Every contact the soak sends carries its marker in its text: the run's id and the contact's number.
MARKER = re.compile(r"soak-[0-9a-z]{4,12}-[a-z]?[0-9]+")


def marker(run: str, number: int, kind: str = "") -> str:
    """The marker of contact `number` of run `run` (`kind`: one letter for what is not a contact, e.g. r: a reply)."""
    return f"soak-{run}-{kind}{number}"


def marker_in(text: str | None) -> str | None:
    """The first marker in `text`, if any."""
    found = MARKER.search(text or "")
    return found.group(0) if found else None


@dataclass(frozen=True)
class Sent:
    """One contact the soak delivered (at least once): its marker, its channel and, for a contact whose text the
    platform does not keep (a call's first webhook), the provider id it is recorded under."""

    key: str
    channel: str
    external_id: str | None = None


@dataclass(frozen=True)
class Recorded:
    """One inbound interaction in the database."""

    channel: str
    external_id: str | None
    body: str


@dataclass(frozen=True)
class Tally:
    sent: int
    recorded: int
    lost: int
    duplicated: int
    lost_keys: tuple[str, ...] = ()
    duplicated_keys: tuple[str, ...] = ()


def tally(sent: Iterable[Sent], rows: Iterable[Recorded]) -> Tally:
    """Each recorded row is the contact whose marker its text holds, else the one sent under its provider id;
    a contact with no row is lost, each row past a contact's first is a duplicate. Rows of anything else (the
    agents' replies are outbound; later steps of a call) are not the soak's contacts and are left out."""
    contacts = {s.key: s for s in sent}
    by_external: dict[tuple[str, str | None], str] = {
        (s.channel, s.external_id): s.key for s in contacts.values() if s.external_id
    }
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        key = marker_in(row.body)
        if key is None or key not in contacts:
            key = by_external.get((row.channel, row.external_id))
        if key is not None:
            counts[key] += 1
    lost = tuple(sorted(k for k in contacts if counts[k] == 0))
    duplicated = tuple(sorted(k for k in contacts if counts[k] > 1))
    return Tally(
        sent=len(contacts),
        recorded=len(contacts) - len(lost),
        lost=len(lost),
        duplicated=sum(counts[k] - 1 for k in duplicated),
        lost_keys=lost,
        duplicated_keys=duplicated,
    )


@dataclass(frozen=True)
class Offer:
    """One `work_offers` row: when the item was put in an agent's hands and when they let it go (None: still)."""

    item: str
    staff: str
    offered_at: float
    released_at: float | None


def double_offers(offers: Iterable[Offer]) -> int:
    """Work items that were in two agents' hands at once: an offer made while an earlier one of the same item
    was still open (not yet released). An offer released at the very moment the next is made is not open."""
    by_item: dict[str, list[Offer]] = defaultdict(list)
    for offer in offers:
        by_item[offer.item].append(offer)
    doubled = 0
    for held in by_item.values():
        held.sort(key=lambda o: o.offered_at)
        open_until = -math.inf
        for offer in held:
            if offer.offered_at < open_until:
                doubled += 1
                break
            open_until = max(open_until, math.inf if offer.released_at is None else offer.released_at)
    return doubled


@dataclass(frozen=True)
class Receipt:
    """One request the stand-in provider received: the outbox row it was for (`key`: the idempotency key the
    provider was given, else the reply's marker, else the recipient and text), when it arrived and was answered."""

    key: str
    received: float
    answered: float


@dataclass(frozen=True)
class OutboxRow:
    """One outbox row of a provider the stand-in plays, by the same key, and when the outbox recorded it sent."""

    key: str
    sent_at: float | None


@dataclass(frozen=True)
class Sends:
    double: int  # messages that reached the provider twice when nothing excuses it
    resent: int  # sent again after an attempt whose outcome was never recorded (a worker killed mid-send)
    unmatched: int  # requests for no row, or for a key several rows share (not attributable)
    double_keys: tuple[str, ...] = ()


def double_sends(receipts: Iterable[Receipt], rows: Iterable[OutboxRow]) -> Sends:
    """Outbound messages the stand-in received twice for one outbox row.

    A second request is a **double send** when it arrived while an earlier one for the same row was still being
    answered (two workers held the row at once) or after the outbox had recorded the row sent (a finished row
    sent again). Otherwise it is a **resend**: the outbox's at-least-once delivery after an attempt whose outcome
    it never wrote (its worker killed between the provider's answer and its commit), which the idempotency key
    is there to absorb."""
    by_key: dict[str, list[OutboxRow]] = defaultdict(list)
    for row in rows:
        by_key[row.key].append(row)
    got: dict[str, list[Receipt]] = defaultdict(list)
    for receipt in receipts:
        got[receipt.key].append(receipt)
    double, resent, unmatched, keys = 0, 0, 0, []
    for key, each in got.items():
        owners = by_key.get(key, [])
        if len(owners) != 1:
            unmatched += len(each)
            continue
        if len(each) < 2:
            continue
        each.sort(key=lambda r: r.received)
        sent_at = owners[0].sent_at
        overlapping = any(later.received < earlier.answered for earlier, later in itertools.pairwise(each))
        after_sent = sent_at is not None and any(r.received > sent_at for r in each[1:])
        if overlapping or after_sent:
            double += 1
            keys.append(key)
        else:
            resent += len(each) - 1
    return Sends(double=double, resent=resent, unmatched=unmatched, double_keys=tuple(sorted(keys)))


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile `q` (0-100] of `values`; NaN for none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Sample:
    """The cluster seen at one moment: every app ready (directly and through the balancer), and the oldest due
    time of an outbox message not yet sent (None: nothing waiting)."""

    at: float
    ready: bool
    oldest_due: float | None


def recovered_at(start: float, done: float, samples: Sequence[Sample], acked: Iterable[float]) -> float | None:
    """When the cluster was whole again after a chaos event begun at `start` whose action finished at `done`: the
    first sample from `done` on with every app ready and no outbox message due at `start` still unsent, and not
    before the last acknowledgement of the contacts that were waiting for one at `start`; None if never."""
    last_ack = max(acked, default=start)
    for sample in samples:
        if sample.at < done or not sample.ready:
            continue
        if sample.oldest_due is not None and sample.oldest_due <= start:
            continue
        return max(sample.at, last_ack)
    return None


@dataclass(frozen=True)
class Summary:
    tally: Tally
    double_offers: int
    sends: Sends
    chat_delivered: int
    chat_p99_ms: float
    recovery_s: float | None


def lines(summary: Summary) -> list[str]:
    """The soak's result, one figure per line, exactly as documented."""
    t = summary.tally
    p99 = "n/a" if math.isnan(summary.chat_p99_ms) else f"{summary.chat_p99_ms:.0f}"
    recovery = "n/a" if summary.recovery_s is None else f"{summary.recovery_s:.1f}"
    return [
        f"sent: {t.sent}",
        f"recorded: {t.recorded}",
        f"lost: {t.lost}",
        f"duplicated: {t.duplicated}",
        f"double offers: {summary.double_offers}",
        f"double sends: {summary.sends.double}",
        f"cross-process chat: {summary.chat_delivered} delivered, p99 {p99} ms",
        f"recovery: {recovery} s",
    ]


def failed(summary: Summary) -> list[str]:
    """Why the soak fails (empty: it passes): anything lost, duplicated, offered or sent twice, no chat across
    processes, or a chaos event the cluster never recovered from."""
    why = []
    for name, value in (
        ("lost", summary.tally.lost),
        ("duplicated", summary.tally.duplicated),
        ("double offers", summary.double_offers),
        ("double sends", summary.sends.double),
    ):
        if value:
            why.append(f"{name}: {value}")
    if summary.chat_delivered == 0:
        why.append("no chat reply reached a device on another process")
    if summary.recovery_s is None:
        why.append("the cluster did not recover from every chaos event within the bound")
    return why
