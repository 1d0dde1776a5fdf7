"""/api/v1/mail: a scanning bureau or a mail room's own system sends a scanned letter (multipart field `file`).

Answers like POST /api/v1/interactions: 201 with where the letter landed, 200 with `duplicate: true` for the
same file again; staff or an API key, a key of some agencies threading only into their cases. Rate-limited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, Response, UploadFile, status

from townsquare.api.deps import PipelineDep, SettingsDep
from townsquare.db.deps import SessionDep
from townsquare.engagement import post
from townsquare.engagement.schemas import IngestOut
from townsquare.hygiene import safe_filename
from townsquare.ratelimit import RateLimiter
from townsquare.staff.auth import CurrentPrincipal

router = APIRouter(prefix="/api/v1", tags=["mail"])


@router.post(
    "/mail",
    response_model=IngestOut,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": IngestOut, "description": "This file was already received"}},
)
async def scan_in(
    request: Request,
    file: Annotated[UploadFile, File(description="The scan: a PDF, PNG or JPEG")],
    response: Response,
    session: SessionDep,
    pipeline: PipelineDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
) -> IngestOut:
    """Record a scanned letter: read (OCR, QR code), threaded to its case or sender, queued as `mail` work.

    A PDF, PNG or JPEG (else 415); over the size, page or pixel limits, 413; unreadable, or a PDF with scripts,
    actions or embedded files, 422; OCR unable to run here now, 503 (send it again later)."""
    limiter: RateLimiter = request.app.state.limiter
    who = f"{principal.kind}:{principal.id}"
    await post.within_rate(limiter, who, settings.mail_scan_rate_limit_per_minute)
    data = await file.read(settings.max_attachment_bytes + 1)
    name = safe_filename(file.filename or "scan") or "scan"
    scan = post.Scan(data=data, filename=name, door="api")
    result = await post.take(session, pipeline, scan, scope=principal.agency_ids)
    await session.commit()
    if result.duplicate:
        response.status_code = status.HTTP_200_OK
    return IngestOut.model_validate(result, from_attributes=True)
