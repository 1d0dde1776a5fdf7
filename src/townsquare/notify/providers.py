"""The interface every outbound provider speaks, and the recording provider used by the demo and tests.

A provider receives an idempotency key with every send; providers that honour it (and the recording one
does) turn a worker's retry after a crash into a no-op rather than a second message.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Envelope:
    """One outbound message as a provider sees it."""

    channel: str
    recipient: str
    payload: dict[str, Any]
    idempotency_key: str


class TemporaryFailure(Exception):
    """The provider could not send now; the outbox will retry later."""


class PermanentFailure(Exception):
    """The provider will never accept this message (bad number, blocked recipient)."""


class Provider(Protocol):
    """Sends one channel's messages. A provider whose acceptance is not yet the sending (letters wait for the next
    print batch) says so with a true `settles_later` attribute: its messages stay queued until it reports."""

    async def send(self, envelope: Envelope) -> str:
        """Send the message; return the provider's id for it."""
        ...


@dataclass
class RecordingProvider:
    """Keeps every message it is given, once per idempotency key; can be told to fail (tests, demo)."""

    name: str = "recording"
    sent: list[Envelope] = field(default_factory=list)
    calls: int = 0
    _ids: dict[str, str] = field(default_factory=dict)
    _failures: list[Exception] = field(default_factory=list)

    def fail_next(self, *errors: Exception) -> None:
        """Raise these, one per call, before sending normally again."""
        self._failures.extend(errors)

    async def send(self, envelope: Envelope) -> str:
        self.calls += 1
        if self._failures:
            raise self._failures.pop(0)
        if envelope.idempotency_key in self._ids:
            return self._ids[envelope.idempotency_key]
        provider_id = f"{self.name}-{uuid.uuid4().hex[:16]}"
        self._ids[envelope.idempotency_key] = provider_id
        self.sent.append(envelope)
        return provider_id


class Providers:
    """Which provider sends each channel; anything unconfigured goes to the fallback."""

    def __init__(self, fallback: Provider, by_channel: dict[str, Provider] | None = None) -> None:
        self.fallback = fallback
        self.by_channel = dict(by_channel or {})

    def for_channel(self, channel: str) -> Provider:
        return self.by_channel.get(channel, self.fallback)
