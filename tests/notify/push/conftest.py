"""The recording push service, started on loopback for a test; settings with VAPID keys of the test's own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.notify.push.push_service import RecordingPushService


@pytest.fixture
async def push_service() -> AsyncIterator[RecordingPushService]:
    service = RecordingPushService()
    await service.start()
    yield service
    await service.stop()
