"""A person's history of corrections: appended, newest first, never more than asked for."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_citizen
from townsquare.citizens import changes
from townsquare.clock import utcnow


async def test_the_history_is_newest_first_with_the_value_each_change_replaced(session: AsyncSession) -> None:
    ana = await create_citizen(session, name="Ana")
    other = await create_citizen(session, name="Ben")
    first = changes.record(
        session, citizen_id=ana.id, field="display_name", old="Anna", new="Ana", reason="typo", staff_id=None
    )
    first.created_at = utcnow() - timedelta(minutes=5)
    changes.record(session, citizen_id=ana.id, field="language", old="en", new="fr", reason="asked", staff_id=None)
    changes.record(session, citizen_id=other.id, field="language", old="en", new="fr", reason="asked", staff_id=None)
    await session.flush()
    found = await changes.history(session, citizen_id=ana.id)
    assert [(c.field, c.old_value, c.new_value) for c in found] == [
        ("language", "en", "fr"),
        ("display_name", "Anna", "Ana"),
    ]
    assert len(await changes.history(session, citizen_id=ana.id, limit=1)) == 1
