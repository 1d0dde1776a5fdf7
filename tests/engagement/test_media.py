"""Files a provider keeps are copied only when the channel adapter says so, never for a URL from anywhere else."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import create_agency
from townsquare.app import Runtime
from townsquare.citizens.kinds import IdentityKind
from townsquare.engagement.messages import InboundAttachment, InboundMessage, Sender
from townsquare.interactions.kinds import Channel
from townsquare.notify.models import OutboxMessage


def _message(n: int, *, from_provider: bool) -> InboundMessage:
    photo = InboundAttachment("photo.jpg", "image/jpeg", url="http://10.0.0.1/internal", from_provider=from_provider)
    return InboundMessage(
        channel=Channel.sms,
        text="A photo of the pothole",
        sender=Sender(IdentityKind.phone, "+16135550142"),
        external_id=f"SM{n}",
        attachments=(photo,),
        metadata={"provider": "twilio"},  # what anyone may write in metadata decides nothing
    )


async def test_only_a_file_the_adapter_marks_as_the_providers_becomes_a_fetch_job(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        await create_agency(s)
        await s.commit()
    async with runtime.db.session() as s:
        linked = await runtime.pipeline.handle(s, _message(1, from_provider=False))
        kept = await runtime.pipeline.handle(s, _message(2, from_provider=True))
        await s.commit()
        jobs = (await s.execute(select(OutboxMessage).where(OutboxMessage.channel == "media"))).scalars().all()
    assert [job.idempotency_key for job in jobs] == [f"media:{kept.interaction_id}"]
    assert all(job.payload["interaction_id"] != linked.interaction_id for job in jobs)
