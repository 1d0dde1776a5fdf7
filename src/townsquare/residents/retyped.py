"""Which of an application's answers the person typed although the platform held them: the questions another
agency's value may answer (`wanted`), answered without a prefilled value's provenance, for which a value is held
for the person. Analytics counts each as *asked again* on the submission.

Only whether a value is held is looked at; no value is read out or compared, so the count is no access to the
person's data.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.sharing import access
from townsquare.sharing.holdings import held_values


def wanted(service: Service) -> dict[str, str]:
    """The questions another agency's value may answer ("provider.code" by question), when the service says why."""
    if not service.sharing_purpose:
        return {}
    return {a.code: a.prefill_from for a in service.attributes if a.variable and a.prefill_from}


async def count(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID,
    service: Service,
    answered: Iterable[str],
    prefilled: Iterable[str],
) -> int:
    """How many `answered` questions were typed (not in `prefilled`) although a value is held for them."""
    typed = set(answered) - set(prefilled)
    asked = {code: key for code, key in wanted(service).items() if code in typed}
    if not asked:
        return 0
    named, _ = await access.resolve_keys(session, sorted(set(asked.values())))
    held = await held_values(session, citizen_id=citizen_id, attribute_ids={a.id for _, a in named.values()})
    return sum(1 for key in asked.values() if key in named and named[key][1].id in held)
