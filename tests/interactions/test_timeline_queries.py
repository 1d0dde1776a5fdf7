"""The timeline reads with a fixed number of queries, however long it is."""

from __future__ import annotations

from tests.factories import create_agency, create_citizen
from tests.support.db import record_statements
from townsquare.app import Runtime
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Attachment, Channel, Direction, InteractionKind


async def _timeline_queries(runtime: Runtime, touchpoints: int) -> int:
    async with runtime.db.session() as s:
        await create_agency(s, slug=f"a{touchpoints}")
        citizen = await create_citizen(s, name=f"c{touchpoints}")
        conversation = await interactions.start_conversation(s, citizen_id=citizen.id, channel=Channel.sms)
        for i in range(touchpoints):
            files = [Attachment(filename="p.jpg", content_type="image/jpeg", size_bytes=10)] if i % 3 == 0 else []
            await interactions.record(
                s,
                conversation=conversation,
                channel=list(Channel)[i % 10],
                direction=Direction.inbound,
                kind=InteractionKind.message,
                body=str(i),
                attachments=files,
            )
        await s.commit()
    async with runtime.db.session() as s:
        with record_statements(runtime.db.engine) as statements:
            items = await interactions.timeline(s, citizen_id=citizen.id, limit=500)
            assert len(items) == touchpoints
            assert sum(len(i.attachments) for i in items) == (touchpoints + 2) // 3
        return len(statements.selects)


async def test_timeline_query_count_does_not_grow_with_length(runtime: Runtime) -> None:
    assert await _timeline_queries(runtime, 3) == await _timeline_queries(runtime, 300) == 2
