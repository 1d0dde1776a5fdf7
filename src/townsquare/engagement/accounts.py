"""Residents signing in: by an emailed one-time link (the link goes out through the outbox, and using it proves
the person holds that address, so the email identity becomes verified), or through an OpenID Connect provider
(its subject becomes a verified `sso` identity; a verified email joins only if nobody else has it).

Does not commit; the route owns the transaction.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens import service as citizens
from townsquare.citizens import sessions
from townsquare.citizens.models import Citizen, Identity, IdentityKind, VerificationMethod
from townsquare.clock import utcnow
from townsquare.errors import Problem
from townsquare.notify import rendering
from townsquare.notify import service as outbox
from townsquare.settings import Settings

log = logging.getLogger(__name__)


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


async def sign_in_with_oidc(session: AsyncSession, *, issuer: str, claims: dict[str, Any], region: str) -> Citizen:
    """The citizen behind the provider's subject, its identity verified; a verified email joins them if it is free."""
    name = claims.get("name") if isinstance(claims.get("name"), str) else None
    citizen, identity, _ = await citizens.resolve(
        session,
        kind=IdentityKind.sso,
        value=str(claims["sub"])[:320],
        namespace=issuer[:200],
        display_name=name[:200] if name else None,
        seen_at=utcnow(),
    )
    _mark_verified(identity)
    email = claims.get("email")
    if isinstance(email, str) and claims.get("email_verified") is True:
        await _add_verified_email(session, citizen=citizen, email=email, region=region)
    await session.flush()
    return citizen


def _mark_verified(identity: Identity) -> None:
    if not identity.verified:
        identity.verified = True
        identity.verification_method = VerificationMethod.oidc
        identity.verified_at = utcnow()


async def _add_verified_email(session: AsyncSession, *, citizen: Citizen, email: str, region: str) -> None:
    try:
        normalised = citizens.normalise_email(email)
    except Problem:
        return  # the provider's address is not one we could ever write to
    existing = await citizens.find_identity(session, kind=IdentityKind.email, value=normalised)
    if existing is None:
        await citizens.add_identity(
            session,
            citizen_id=citizen.id,
            kind=IdentityKind.email,
            value=normalised,
            region=region,
            verification_method=VerificationMethod.oidc,
        )
    elif existing.citizen_id == citizen.id:
        _mark_verified(existing)
    else:
        log.info("OIDC email belongs to another citizen record; left unlinked for staff to review")
