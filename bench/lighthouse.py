"""Lighthouse scores of the residents' portal, with a bare HTML page measured in the same run as the floor.

Starts the real server (uvicorn, one process) on a free loopback port against a fresh SQLite database seeded
with the demo city, signs a demo resident in and starts an application for them, then runs Lighthouse (npm,
driving Debian's Chromium headless, mobile emulation with Lighthouse's default simulated slow 4G and 4x CPU
slowdown) several times against:

  floor    a minimal static HTML page (one heading, one paragraph) served from loopback: what Chromium,
           Lighthouse and this machine cost before any of our bytes
  home     /                          the start page with the search box and the services
  service  /services/DL-RENEW         a service page
  form     the first page of the driver's licence renewal application (signed in, draft on the server)

and prints, per page, the median performance and accessibility scores, First Contentful Paint, Largest
Contentful Paint, Total Blocking Time, Cumulative Layout Shift and the bytes transferred, with FCP and LCP as
ratios against the floor. The scores are what the budget is about (accessibility 100, performance at least 90);
the ratios are what to compare between machines.

    .venv/bin/python bench/lighthouse.py
    .venv/bin/python bench/lighthouse.py --runs 5 --json bench/results/lighthouse.json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from ingest import HOST, code_version, free_port, load_average, start_server, stop_server, wait_ready

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
    "--disable-sync --no-first-run"
)
FLOOR_HTML = (
    b"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    b"<meta name='viewport' content='width=device-width, initial-scale=1'><title>Floor</title>"
    b"<meta name='description' content='The floor page'></head>"
    b"<body><main><h1>Floor</h1><p>A bare page: what Lighthouse and Chromium cost here.</p></main></body></html>"
)
METRICS = {
    "fcp_ms": "first-contentful-paint",
    "lcp_ms": "largest-contentful-paint",
    "tbt_ms": "total-blocking-time",
    "cls": "cumulative-layout-shift",
    "bytes": "total-byte-weight",
}


@contextlib.contextmanager
def floor_server() -> Iterator[str]:
    """The floor page from a stdlib HTTP server on loopback."""

    class Floor(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(FLOOR_HTML)))
            self.end_headers()
            self.wfile.write(FLOOR_HTML)

        def log_message(self, *args: Any) -> None:
            return

    server = http.server.ThreadingHTTPServer((HOST, 0), Floor)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()


def prepare(database_url: str) -> str:
    """Migrate and seed the demo city; return a signed-in demo resident's session token."""
    from townsquare import migrations

    migrations.upgrade(database_url)
    return asyncio.run(_resident(database_url))


async def _resident(database_url: str) -> str:
    from townsquare.citizens import service as citizens
    from townsquare.citizens import sessions
    from townsquare.citizens.models import IdentityKind
    from townsquare.db import Database
    from townsquare.demo.seed import seed
    from townsquare.events import EventBus

    db = Database(database_url, EventBus())
    try:
        await seed(db, citizens=0)
        async with db.session() as session:
            citizen = await citizens.create(session, display_name="Lighthouse Resident")
            await citizens.add_identity(
                session, citizen_id=citizen.id, kind=IdentityKind.email, value="lighthouse@example.org", region="CA"
            )
            token = await sessions.start(session, citizen_id=citizen.id, method="email_link", hours=2, device="bench")
            await session.commit()
        return token
    finally:
        await db.dispose()


def form_url(base_url: str, cookie: str) -> str:
    """Where "Start now" on the licence renewal lands a signed-in resident: the form's first page."""
    with httpx.Client(base_url=base_url, cookies={"ts_citizen": cookie}, trust_env=False, timeout=30) as client:
        answer = client.get("/services/DL-RENEW/apply")
        if answer.status_code not in (302, 303) or "location" not in answer.headers:
            raise RuntimeError(f"starting the application answered {answer.status_code}")
        target = answer.headers["location"]
        if client.get(target).status_code != 200:
            raise RuntimeError(f"the form page {target} did not answer 200")
        return str(httpx.URL(base_url).join(target))


def lighthouse(url: str, out: Path, *, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """One Lighthouse run (mobile, default throttling); the scores and metrics we report."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--only-categories=performance,accessibility",
        "--output=json",
        f"--output-path={out}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if headers:
        command.append(f"--extra-headers={json.dumps(headers)}")
    env = os.environ | {"CHROME_PATH": CHROMIUM}
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=180)  # noqa: S603
    report = json.loads(out.read_text())
    audits = report["audits"]
    failed = [
        audit_id
        for audit_id in report["categories"]["accessibility"]["auditRefs"]
        if audits[audit_id["id"]].get("score") == 0
    ]
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "failed_accessibility_audits": [a["id"] for a in failed],
        **{name: audits[audit]["numericValue"] for name, audit in METRICS.items()},
        "lighthouse": report["lighthouseVersion"],
        "user_agent": report["environment"]["hostUserAgent"],
    }


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of every numeric field over the runs; the failed audits of any run."""
    merged: dict[str, Any] = {"runs": len(runs)}
    for key in ("performance", "accessibility", *METRICS):
        merged[key] = statistics.median(r[key] for r in runs)
    merged["failed_accessibility_audits"] = sorted({a for r in runs for a in r["failed_accessibility_audits"]})
    merged["lighthouse"] = runs[0]["lighthouse"]
    return merged


def print_report(result: dict[str, Any]) -> None:
    pages = result["pages"]
    floor = pages["floor"]
    print(f"Lighthouse {floor['lighthouse']}, mobile, median of {floor['runs']} runs")
    head = f"{'page':<8} {'perf':>4} {'a11y':>4} {'FCP ms':>7} {'LCP ms':>7} {'TBT ms':>6} {'CLS':>5} {'KB':>6}"
    print(f"{head}  FCP/floor LCP/floor")
    for name, page in pages.items():
        print(
            f"{name:<8} {page['performance']:>4.0f} {page['accessibility']:>4.0f} {page['fcp_ms']:>7.0f} "
            f"{page['lcp_ms']:>7.0f} {page['tbt_ms']:>6.0f} {page['cls']:>5.2f} {page['bytes'] / 1024:>6.1f}  "
            f"{page['fcp_ms'] / floor['fcp_ms']:>9.2f} {page['lcp_ms'] / floor['lcp_ms']:>9.2f}"
        )
        if page["failed_accessibility_audits"]:
            print(f"         failed accessibility audits: {', '.join(page['failed_accessibility_audits'])}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (the median is reported)")
    parser.add_argument("--json", type=Path, help="Also write the results here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not LIGHTHOUSE.exists():
        print("Lighthouse is missing: run `make install` and `npm ci`", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: run `make browser`", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="townsquare-lighthouse-") as tmp:
        data_dir = Path(tmp)
        database_url = f"sqlite+aiosqlite:///{data_dir / 'townsquare.db'}"
        token = prepare(database_url)
        port = free_port()
        base_url = f"http://{HOST}:{port}"
        proc = start_server(database_url, data_dir, port, data_dir / "server.log")
        try:
            asyncio.run(wait_ready(base_url, proc, 60))
            cookie = {"Cookie": f"ts_citizen={token}"}
            with floor_server() as floor:
                targets: dict[str, tuple[str, dict[str, str] | None]] = {
                    "floor": (floor, None),
                    "home": (f"{base_url}/", None),
                    "service": (f"{base_url}/services/DL-RENEW", None),
                    "form": (form_url(base_url, token), cookie),
                }
                pages: dict[str, dict[str, Any]] = {}
                for name, (url, headers) in targets.items():
                    runs = [lighthouse(url, data_dir / f"{name}-{i}.json", headers=headers) for i in range(args.runs)]
                    pages[name] = median_run(runs)
        finally:
            stop_server(proc)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": code_version(),
        "cpu_count": os.cpu_count(),
        "load_average_at_end": load_average(),
        "pages": pages,
    }
    print_report(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    budget_missed = [
        name
        for name, page in pages.items()
        if name != "floor" and (page["accessibility"] < 100 or page["performance"] < 90)
    ]
    if budget_missed:
        print(f"Over budget (accessibility 100, performance 90): {', '.join(budget_missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
