"""A report's photo on the "Where is it?" page: taken from the page's form (multipart), made safe by
`residents.photos` (resized, metadata stripped), kept in the attachment store, and shown back to its owner only.
Where the photo's file said it was taken is offered as the report's place. Translates only.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from townsquare.db.deps import SessionDep
from townsquare.drafts import service as drafts
from townsquare.errors import Problem, not_found
from townsquare.residents import applications as apps
from townsquare.residents import drafting, photos
from townsquare.residents.types import Draft
from townsquare.web.i18n import gettext as _
from townsquare.web.portal.common import CurrentCitizen, own_draft, settings_of

router = APIRouter(include_in_schema=False)
FIELD = "photo"


def missing() -> str:
    """The error when no photo was chosen where one is asked for."""
    return _("Choose a photo to add")


def upload_of(form: FormData) -> UploadFile | None:
    """The file sent in the photo field, if one was chosen."""
    upload = form.get(FIELD)
    return upload if isinstance(upload, UploadFile) and upload.filename else None


async def take(request: Request, session: SessionDep, draft: Draft, upload: UploadFile) -> tuple[Draft, str | None]:
    """Keep the uploaded photo on the draft; the draft now, and a message for the reader if it was refused."""
    limit = settings_of(request).max_attachment_bytes
    raw = await upload.read(limit + 1)
    if len(raw) > limit:
        return draft, _("The photo must be smaller than %(size)d MB") % {"size": limit // (1024 * 1024)}
    try:
        photo = await asyncio.to_thread(photos.prepare, raw)
    except Problem:
        return draft, _("The selected file must be a photo (JPG, PNG, WebP or GIF)")
    sha256 = await asyncio.to_thread(request.app.state.pipeline.store.save, photo.data)
    return await drafting.keep_photo(session, draft=draft, photo=photo, sha256=sha256), None


def shown(draft: Draft, base: str | None = None) -> dict[str, Any] | None:
    """What the page shows of the photo kept with the draft: its preview address (under `base`, the draft's
    pages) and size."""
    photo = apps.photo_of(apps.public_answers(draft))
    if photo is None:
        return None
    return {"src": f"{base or f'/applications/{draft.id}'}/photo?v={str(photo['sha256'])[:12]}", **photo}


async def photo_response(request: Request, draft: Draft) -> Response:
    """The photo kept with a draft, as it is (already stripped of its metadata)."""
    photo = apps.photo_of(apps.public_answers(draft))
    if photo is None:
        raise not_found("Photo", "This report has no photo.")
    data = await asyncio.to_thread(request.app.state.pipeline.store.read, str(photo["sha256"]))
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})


@router.get("/applications/{draft_id}/photo", dependencies=[Depends(own_draft)])
async def preview(request: Request, draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """The photo kept with the person's own report (already stripped of its metadata)."""
    draft = await drafts.get(session, draft_id=uuid.UUID(draft_id), citizen_id=citizen.id)  # own_draft checked it
    return await photo_response(request, draft)


async def _own(session: SessionDep, citizen_id: uuid.UUID, draft_id: str) -> Draft:
    draft = await drafts.get(session, draft_id=uuid.UUID(draft_id), citizen_id=citizen_id)  # own_draft checked it
    if draft.submitted_at is not None:
        raise not_found("Draft", "This report has been sent already.")
    return draft


@router.post("/applications/{draft_id}/photo/remove", dependencies=[Depends(own_draft)])
async def remove(draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Take the photo off the report, and go back to the page it was added on."""
    draft = await _own(session, citizen.id, draft_id)
    await drafting.keep_photo(session, draft=draft, photo=None)
    return RedirectResponse(f"/applications/{draft.id}/pages/1", status_code=303)


@router.post("/applications/{draft_id}/photo/place", dependencies=[Depends(own_draft)])
async def use_place(draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Use the place the photo was taken as the report's place; the page then shows the address found for it."""
    draft = await _own(session, citizen.id, draft_id)
    await drafting.use_photo_place(session, draft=draft)
    return RedirectResponse(f"/applications/{draft.id}/pages/1?placed=1", status_code=303)
