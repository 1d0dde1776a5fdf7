"""`python -m bench.soak [--short]`: run the soak and print its figures, one per line; exit 1 if anything was lost,
duplicated, offered twice or sent twice, no chat reply crossed processes, or the cluster never recovered; exit 2
if the soak itself could not run (a tool missing, the cluster not starting).

Counting rules are in `counting.py`; **recovery** is, over the four chaos events, the longest time from the event's
start until every app process answered /readyz (directly and through HAProxy) with both workers running, every
contact that was waiting for its acknowledgement at the event had it, and no outbox message that was due at the
event was still unsent (a killed worker's claimed messages come back when their lease runs out).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import replace

from .counting import failed, lines
from .run import FULL, SHORT, soak


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the short form .ci/run runs (about two minutes)")
    parser.add_argument("--contacts", type=int, help="contacts on the doors (default 2400; short 300)")
    parser.add_argument("--rate", type=float, help="contacts a second on the doors (default 15; short 12)")
    parser.add_argument("--devices", type=int, help="chat devices (default 12; short 6)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    plan = SHORT if args.short else FULL
    changes = {k: v for k, v in (("contacts", args.contacts), ("rate", args.rate), ("devices", args.devices)) if v}
    plan = replace(plan, **changes)
    try:
        summary = asyncio.run(soak(plan))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("soak: interrupted; everything it started was stopped", file=sys.stderr)
        return 130
    except Exception as exc:
        print(f"soak: could not run: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    for line in lines(summary):
        print(line, flush=True)
    why = failed(summary)
    if why:
        print(f"soak: FAILED: {'; '.join(why)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
