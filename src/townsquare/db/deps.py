"""FastAPI dependencies for storage: one session per request, from the app's Database.

A route (or the pipeline it calls) owns the transaction and commits; nothing here commits on its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.engine import Database


def _database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_database(request: Request) -> Database:
    return _database(request)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with _database(request).session() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
DatabaseDep = Annotated[Database, Depends(get_database)]
