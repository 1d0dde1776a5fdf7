"""Alembic environment: runs migrations on an async engine, or on a connection handed in by the caller."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from sqlalchemy.engine import Connection

import townsquare.agencies.models
import townsquare.analytics.models
import townsquare.analytics.surveys.models
import townsquare.appointments.models
import townsquare.assistant.models
import townsquare.cases.models
import townsquare.casework.models
import townsquare.citizens.models
import townsquare.counters.models
import townsquare.drafts.models
import townsquare.interactions.models
import townsquare.knowledge.models
import townsquare.matching.models
import townsquare.notify.letters.models
import townsquare.notify.models
import townsquare.notify.push.models
import townsquare.notify.webhooks.models
import townsquare.offices.models
import townsquare.places.models
import townsquare.routing.models
import townsquare.sharing.models
import townsquare.staff.models  # noqa: F401 - registers every table on the metadata
from townsquare.db import Base
from townsquare.db.base import UTCDateTime, for_dialect
from townsquare.db.engine import make_engine
from townsquare.migrations import migrate_on

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Write portable column types into migrations, never imports of application code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and obj.__class__.__name__ == "Enum":
        return f"sa.String(length={obj.length})"
    if type_ == "type" and obj.__class__.__name__ == "JSON" and obj._variant_mapping:
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return "sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        include_object=for_dialect(connection.dialect.name),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "", pool=False)
    try:
        await migrate_on(engine, _run)
    finally:
        await engine.dispose()


given = config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    asyncio.run(_run_async())
