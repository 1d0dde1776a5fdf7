"""An integration's API key is read once every few seconds per process, not on every request; revoking it here
stops it at once, and its last use is still written once a minute."""

from __future__ import annotations

from datetime import timedelta

from tests.support.db import fresh, record_statements
from townsquare.app import Runtime
from townsquare.clock import replaying, utcnow
from townsquare.staff import service as staff
from townsquare.staff.models import ApiKey


async def _check(runtime: Runtime, key: str) -> tuple[staff.LiveKey | None, list[str]]:
    """The key as a request sees it (committing what the check wrote, as `optional_principal` does)."""
    async with runtime.db.session() as s:
        with record_statements(runtime.db.engine) as seen:
            found = await staff.live_key(s, key=key)
            if s.dirty:
                await s.commit()
    return found, seen.queries


async def test_a_key_is_read_once_and_its_use_written_once_a_minute(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        key, row = await staff.create_api_key(s, name="Warehouse")
        await s.commit()
    first, statements = await _check(runtime, key)
    assert first is not None
    assert (first.id, first.name) == (row.id, "Warehouse")
    assert [q.split()[0] for q in statements] == ["SELECT", "UPDATE"]  # its first use, written
    again, statements = await _check(runtime, key)
    assert again is not None
    assert [q.split()[0] for q in statements] == ["SELECT"]  # read again once: that write changed the row
    _, statements = await _check(runtime, key)
    assert statements == []
    with replaying(utcnow() + staff.LAST_USED_RESOLUTION + timedelta(seconds=1)):
        later, statements = await _check(runtime, key)
        assert later is not None
        assert [q.split()[0] for q in statements] == ["SELECT", "UPDATE"]
    async with runtime.db.session(deferred=True) as s:
        stored = await (await fresh(s)).get_one(ApiKey, row.id)
        assert stored.last_used_at is not None
        assert stored.last_used_at > utcnow() + staff.LAST_USED_RESOLUTION


async def test_a_key_revoked_here_stops_at_once_and_an_unknown_one_is_never_remembered(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        key, row = await staff.create_api_key(s, name="Warehouse")
        await s.commit()
    await _check(runtime, key)
    async with runtime.db.session() as s:
        await staff.revoke_api_key(s, key_id=row.id)
        await s.commit()
    gone, statements = await _check(runtime, key)
    assert gone is None
    assert statements
    for _ in range(2):
        unknown, statements = await _check(runtime, "ts_nobody")
        assert unknown is None
        assert len(statements) == 1
