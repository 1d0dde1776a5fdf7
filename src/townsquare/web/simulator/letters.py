"""The simulator's letters tray: what the platform sent by post, each letter's PDF and each print batch's ZIP,
as the print supplier would receive them. Demo mode only (the simulator router is not mounted otherwise).
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from townsquare.db.engine import Database
from townsquare.interactions.storage import AttachmentStore
from townsquare.notify.letters import views
from townsquare.web.templating import templates

router = APIRouter()


def _parts(request: Request) -> tuple[Database, AttachmentStore]:
    db: Database = request.app.state.db
    store: AttachmentStore = request.app.state.pipeline.store
    return db, store


@router.get("/letters", response_class=HTMLResponse)
async def tray(request: Request) -> Response:
    """Every letter, newest first, and every print batch."""
    db, _ = _parts(request)
    async with db.session(deferred=True) as session:
        letters = await views.letters(session, me=None, limit=200)
        batches = await views.batches(session)
    return templates.TemplateResponse(request, "simulator/letters.html", {"letters": letters, "batches": batches})


@router.get("/letters/pdf")
async def letter_pdf(request: Request, id: uuid.UUID) -> Response:
    db, store = _parts(request)
    async with db.session(deferred=True) as session:
        file = await views.letter_pdf(session, letter_id=id, store=store, me=None, purpose="simulator")
    return Response(file.data, media_type=file.content_type)


@router.get("/letters/batch.zip")
async def batch_zip(request: Request, id: uuid.UUID) -> Response:
    db, store = _parts(request)
    async with db.session(deferred=True) as session:
        file = await views.batch_zip(session, batch_id=id, store=store, me=None, purpose="simulator")
    headers = {"Content-Disposition": f'attachment; filename="{file.filename}"'}
    return Response(file.data, media_type=file.content_type, headers=headers)
