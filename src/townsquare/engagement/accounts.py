"""Residents signing in by an emailed one-time link: the link goes out through the outbox, and using it proves
the person holds that address (the email identity becomes verified) and starts a session.

Does not commit; the route owns the transaction.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens import service as citizens
from townsquare.citizens import sessions
from townsquare.citizens.models import Citizen, IdentityKind, VerificationMethod
from townsquare.notify import rendering
from townsquare.notify import service as outbox
from townsquare.settings import Settings


async def send_sign_in_link(session: AsyncSession, *, email: str, settings: Settings) -> None:
    """Email a one-time sign-in link to `email` (checked and normalised; a bad address is a 422 problem).

    Sent whether or not a record exists for the address, so the answer never tells who has an account.
    """
    address = citizens.normalise_email(email)
    token = await sessions.create_link(session, email=address, minutes=settings.sign_in_link_minutes)
    link = f"{settings.public_url.rstrip('/')}/account/sign-in/{token}"
    content = rendering.Content(
        text=(
            "Use this link to sign in to your account. It works once, for "
            f"{settings.sign_in_link_minutes} minutes.\n\nIf you did not ask to sign in, you can ignore this email."
        ),
        subject="Your sign-in link",
        link=link,
    )
    payload = rendering.render(content, "email")
    if settings.email_from_address:
        payload["from"] = settings.email_from_address
    await outbox.enqueue(
        session, channel="email", recipient=address, payload=payload, idempotency_key=f"sign-in:{token[:16]}"
    )


async def sign_in_with_link(session: AsyncSession, *, token: str, region: str) -> Citizen | None:
    """The citizen a valid, unused link signs in (their email now verified), or None for a used/expired/bad link."""
    address = await sessions.use_link(session, token=token)
    if address is None:
        return None
    citizen, _, _ = await citizens.resolve(session, kind=IdentityKind.email, value=address)
    await citizens.add_identity(
        session,
        citizen_id=citizen.id,
        kind=IdentityKind.email,
        value=address,
        region=region,
        verification_method=VerificationMethod.email_link,
    )
    return citizen
