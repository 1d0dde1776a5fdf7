"""/account/files/{attachment_id}: a resident downloads a file of their own timeline (a photo they sent, a letter
we posted them). Someone else's, or one that does not exist, is the same 404."""

from __future__ import annotations

import logging
import uuid
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from townsquare.db.deps import SessionDep
from townsquare.residents import files
from townsquare.staff.auth import RESIDENT_OWN, enforces
from townsquare.web.portal.common import CurrentCitizen, NotYours

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


@enforces(RESIDENT_OWN)
async def own_file(attachment_id: str, session: SessionDep, citizen: CurrentCitizen) -> files.OwnFile:
    """The file in the path is on the signed-in resident's own timeline."""
    try:
        found = await files.own_file(session, citizen_id=citizen.id, attachment_id=uuid.UUID(attachment_id))
    except ValueError:
        found = None
    if found is None:
        raise NotYours("file")
    return found


@router.get("/account/files/{attachment_id}")
async def download(request: Request, file: files.OwnFile = Depends(own_file)) -> Response:
    """The file itself, always as a download (never shown inline, whatever its type)."""
    try:
        data = request.app.state.pipeline.store.read(file.sha256)
    except FileNotFoundError:  # the record says we keep it, the storage lost it: say so without a traceback
        log.warning("attachment file missing from storage")
        raise NotYours("file") from None
    name = quote(file.filename, safe="")
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    return Response(data, media_type=file.content_type, headers=headers)
