"""The lock files: `make run` installs requirements/base.lock, everything else requirements/dev.lock, which must
pin every running package at the same version (so tests run what the demo runs)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)", re.MULTILINE)


def _pins(name: str) -> dict[str, str]:
    return {package.lower(): version for package, version in PIN.findall((ROOT / "requirements" / name).read_text())}


def test_the_development_lock_pins_every_running_package_at_the_same_version() -> None:
    run, dev = _pins("base.lock"), _pins("dev.lock")
    assert "fastapi" in run
    assert "pytest" not in run  # the test toolchain is not installed to run the demo
    assert "playwright" not in run
    assert {package: dev.get(package) for package in run} == run
