"""The chat widget's verification codes obey the residents' sending limits: a fresh device (a new anonymous record)
does not buy more codes to the same number, and the refusal sends nothing and is audited without the number."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.test_chat import ORIGIN, PHONE, WS, Chat, chat, expect, hello, settings  # noqa: F401
from townsquare.staff.models import AuditEntry


def test_new_devices_do_not_get_more_codes_to_one_number(chat: Chat) -> None:  # noqa: F811
    for _ in range(3):
        with chat.client.websocket_connect(WS, headers=dict(ORIGIN)) as ws:
            hello(ws)  # a new device each time: each is its own anonymous record
            ws.send_json({"type": "verify_start", "kind": "phone", "value": "(613) 555-0142"})
            expect(ws, "verify_sent")
    with chat.client.websocket_connect(WS, headers=dict(ORIGIN)) as ws:
        hello(ws)
        ws.send_json({"type": "verify_start", "kind": "phone", "value": PHONE})
        refused = expect(ws, "error")
        assert refused["code"] == "too_many_codes"
        assert "try again in 15 minutes" in refused["detail"]
        ws.send_json({"type": "ping"})
        expect(ws, "pong")  # the socket stays open
    chat.drain()
    assert sum(1 for e in chat.runtime.recording.sent if e.recipient == PHONE) == 3

    async def throttles(session: AsyncSession) -> list[tuple[str, bool]]:
        rows = await session.execute(select(AuditEntry).where(AuditEntry.action == "citizen.send_throttled"))
        return [(e.detail["purpose"], PHONE in repr(e.detail)) for e in rows.scalars()]

    assert chat.db(throttles) == [("chat_code", False)]
