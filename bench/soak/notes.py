"""What the soak says on stderr as it goes and at the end, beside its figures: what was not ready when, what each
chaos event's recovery was made of, contacts tried again, refused, lost or duplicated, requests the stand-in
provider was sent more than once. For reading a run; the figures themselves are `counting.lines`.
"""

from __future__ import annotations

import itertools
import sys

from .chaos import Event, Watch
from .counting import Sends, Tally
from .standin import StandIn
from .traffic import Attempted


def note(message: str) -> None:
    print(f"soak: {message}", file=sys.stderr, flush=True)


def readiness(watch: Watch, events: list[Event]) -> None:
    """Each change in what was not ready, and how long the balancer had no process to send to."""
    if not events or not watch.samples:
        return
    changes, last = [], None
    for sample, missing in zip(watch.samples, watch.missing, strict=True):
        if missing != last:
            changes.append(f"{sample.at - events[0].start:.1f}:{','.join(missing) or 'ok'}")
            last = missing
    note(f"not ready (s after the first event): {' '.join(changes)}")
    spans = zip(itertools.pairwise(watch.samples), watch.missing, strict=False)
    dark = sum(b.at - a.at for (a, b), missing in spans if "balancer" in missing)
    note(f"HAProxy had no ready app process for {dark:.1f} s in all (every app process out of the balancer at once)")


def recoveries(watch: Watch, events: list[Event], took: list[float | None], contacts: list[Attempted]) -> None:
    """Each event's recovery and its parts: processes ready, outbox caught up, waiting contacts acknowledged."""
    for event, recovery in zip(events, took, strict=True):
        after = [x for x in watch.samples if x.at >= event.done]
        ready = next((x.at - event.start for x in after if x.ready), None)
        drained = next((x.at - event.start for x in after if x.oldest_due is None or x.oldest_due > event.start), None)
        acks = [c.acked_at - event.start for c in contacts if c.waiting_at(event.start) and c.acked_at]
        note(
            f"recovery after {event.name}: {'never' if recovery is None else f'{recovery:.1f} s'} (ready after "
            f"{_s(ready)}, outbox caught up after {_s(drained)}, {len(acks)} contacts waiting then acknowledged "
            f"within {max(acks, default=0.0):.1f} s)"
        )


def contacts(sent: list[Attempted], counted: Tally) -> None:
    """Contacts tried more than once or refused, and the story of each lost or duplicated one."""
    refused = [c for c in sent if c.refused]
    retried = sum(1 for c in sent if c.attempts > 1)
    note(f"contacts tried more than once: {retried}; refused: {len(refused)} {[c.refused for c in refused[:3]]}")
    history = {c.key: f"{c.door} {c.history}" for c in sent}
    for key in [*counted.lost_keys[:10], *counted.duplicated_keys[:10]]:
        note(f"{'lost' if key in counted.lost_keys else 'duplicated'} {key}: {history.get(key)}")


def stand_in(standin: StandIn, sends: Sends, events: list[Event]) -> None:
    """Requests the stand-in got more than once for one message, and how the count classed them."""
    start = events[0].start if events else 0.0
    repeated: dict[str, list[float]] = {}
    for request in standin.requests:
        repeated.setdefault(f"{request.provider}:{request.key}", []).append(round(request.received - start, 1))
    again = [(key, times) for key, times in repeated.items() if len(times) > 1]
    note(f"requests repeated (s after the first event): {again[:5]}")
    note(
        f"stand-in: {len(standin.requests)} requests; resent after an unrecorded attempt: {sends.resent}; "
        f"not attributable: {sends.unmatched}; double: {list(sends.double_keys[:5])}"
    )


def _s(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"
