"""The matching model in force: the newest active one stored, else the model shipped with Townsquare.

A process keeps the model it last read per version, so scoring a record costs no parsing; which version is in
force is remembered for a few seconds (`db.remembered`), so a new version is picked up at once when trained in this
process, within seconds when trained in another. Never commits.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db import remembered
from townsquare.matching.model import MatchModel
from townsquare.matching.models import StoredModel

SHIPPED_VERSION = 0  # the model that comes with Townsquare, trained on synthetic people


@cache
def shipped() -> MatchModel:
    """The model shipped with Townsquare (until a jurisdiction trains its own on its records)."""
    text = resources.files("townsquare.matching").joinpath("default_model.json").read_text(encoding="utf-8")
    return MatchModel.from_json(json.loads(text))


_parsed: dict[int, MatchModel] = {}
remembered.watch(StoredModel)  # a model trained here is in force at once; one trained elsewhere within seconds


async def in_force(session: AsyncSession) -> tuple[int, MatchModel]:
    """(version, model) of the model in force (which version it is, remembered per process for a few seconds)."""

    async def newest() -> int | None:
        query = select(func.max(StoredModel.version)).where(StoredModel.active.is_(True))
        return (await session.execute(query)).scalar_one_or_none()

    version = await remembered.recall(session, ("match_model_version",), newest)
    if version is None:
        return SHIPPED_VERSION, shipped()
    if version not in _parsed:
        stored = (await session.execute(select(StoredModel.model).where(StoredModel.version == version))).scalar_one()
        _parsed[version] = MatchModel.from_json(stored)
    return version, _parsed[version]


async def put(session: AsyncSession, model: MatchModel, *, trained_on: int) -> int:
    """Store a newly trained model as the one in force; returns its version."""
    latest = (await session.execute(select(func.max(StoredModel.version)))).scalar_one_or_none() or 0
    row = StoredModel(version=latest + 1, model=model.to_json(), trained_on=trained_on, active=True)
    session.add(row)
    await session.flush()
    return row.version
