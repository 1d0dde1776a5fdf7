"""What a resident's visit writes while it reads: the session's last-seen time, a session begun by the identity
provider's answer, the audit entry of a data download, a remembered search, a signed-in visit to a service's or a
help page (a touch for analytics).

Each function commits before the page answers, so no page that only shows something commits itself; nothing here
writes anything else.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Service
from townsquare.analytics import touches
from townsquare.citizens import searches, sessions
from townsquare.citizens.models import Citizen
from townsquare.errors import Problem
from townsquare.knowledge.service import LiveArticle
from townsquare.residents import accounts, data_export, identities


async def signed_in(session: AsyncSession, *, token: str) -> Citizen | None:
    """The citizen a session cookie belongs to, if the session is live; its last-seen time is committed."""
    # Without autoflush the changed last-seen time stays visible as dirty: reading the citizen would otherwise
    # flush it and hide it from the check, and the change would be lost with the request's transaction.
    with session.no_autoflush:
        citizen = await sessions.citizen_for(session, token=token)
    if session.dirty:
        await session.commit()  # last-seen time
    return citizen


async def finish_oidc_sign_in(
    session: AsyncSession, *, issuer: str, claims: dict[str, Any], region: str, hours: int, device: str
) -> str:
    """Link the provider's subject to its citizen and start their session (committed); the session's token."""
    citizen = await accounts.sign_in_with_oidc(session, issuer=issuer, claims=claims, region=region)
    token = await sessions.start(session, citizen_id=citizen.id, method="oidc", hours=hours, device=device)
    await session.commit()
    return token


async def download_data(session: AsyncSession, *, citizen_id: uuid.UUID) -> dict[str, Any]:
    """Everything held about the resident, with the download audited and committed before it leaves."""
    document = await data_export.export(session, citizen_id=citizen_id)
    identities.audit_download(session, citizen_id=citizen_id)
    await session.commit()
    return document


async def remember_search(session: AsyncSession, *, citizen_id: uuid.UUID, query: str) -> None:
    """Keep a signed-in resident's search among their recent ones, on every device (committed)."""
    await searches.record(session, citizen_id=citizen_id, query=query)
    await session.commit()


async def looked_at_service(session: AsyncSession, *, citizen: Citizen, service: Service) -> None:
    """A signed-in resident read a service's page: a web visit about that service, for analytics (committed)."""
    if await touches.web_visit(
        session, citizen_id=citizen.id, service_id=service.id, agency_id=service.agency_id, language=citizen.language
    ):
        await session.commit()


async def looked_at_help(session: AsyncSession, *, citizen: Citizen, article: LiveArticle, helped: bool = True) -> None:
    """A signed-in resident read a help page (`helped` False: said it did not answer their question): a web visit
    about the article's first service, else about the article, for analytics (committed)."""
    service = await _first_service(session, article.service_codes)
    visit = await touches.web_visit(
        session,
        citizen_id=citizen.id,
        service_id=service.id if service is not None else None,
        agency_id=service.agency_id if service is not None else article.agency_id,
        subject=None if service is not None else f"article:{article.group_id}",
        failed=not helped,
        language=citizen.language,
    )
    if visit is not None:
        await session.commit()


async def _first_service(session: AsyncSession, codes: list[str]) -> Service | None:
    for code in codes:
        try:
            return await agencies.get_service(session, code=code)
        except Problem:
            continue
    return None
