"""Filling in a form together, a photo: a link staff sent asking for one opens a page to add it to her draft
(a plain multipart form), and a draft opened from a link keeps the report's photo as on her signed-in pages.

Translates only: the photo is made safe by `residents.photos` (checked, turned upright, resized, every hidden
detail removed) through `apply_photo`, kept in the attachment store, and sent with the form as its attachment.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db.deps import SessionDep
from townsquare.drafts.links import LinkPurpose
from townsquare.residents import drafting
from townsquare.residents.types import Draft
from townsquare.web.portal import apply, apply_photo
from townsquare.web.portal.content import service_text
from townsquare.web.portal.together import BASE, Holder, base_of, extra
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)


def _back(held_purpose: LinkPurpose, draft: Draft) -> str:
    """Where a change to the photo returns to: the photo page (a link asking for one), else the form's first page."""
    return f"{base_of(draft.id)}/{'upload' if held_purpose is LinkPurpose.upload else 'pages/1'}"


@router.get(BASE + "/upload", response_class=HTMLResponse)
async def upload_page(request: Request, draft_id: str, session: SessionDep, held: Holder) -> Response:
    """Add a photo to the form (the photo kept so far is shown)."""
    draft, service, _tz = await apply.load(session, held.draft.citizen_id, draft_id)
    base = base_of(draft.id)
    if (done := apply.done_or_none(draft, base)) is not None:
        return done
    return _render(request, draft, service_text(service, "name"), await extra(request, session, held, draft))


def _render(request: Request, draft: Draft, service_name: str, shown: dict[str, object], error: str = "") -> Response:
    base = base_of(draft.id)
    context = {
        "draft": draft,
        "base": base,
        "service_name": service_name,
        "photo": apply_photo.shown(draft, base),
        "error": error,
        "added": request.query_params.get("added") == "1",
        **shown,
    }
    return templates.TemplateResponse(
        request, "portal/together_upload.html", context, status_code=422 if error else 200
    )


@router.post(BASE + "/upload", response_class=HTMLResponse)
async def upload(request: Request, draft_id: str, session: SessionDep, held: Holder) -> Response:
    """Keep the photo sent with the form (without its hidden details), or say why it was refused."""
    draft, service, _tz = await apply.load(session, held.draft.citizen_id, draft_id)
    base = base_of(draft.id)
    if (done := apply.done_or_none(draft, base)) is not None:
        return done
    sent = apply_photo.upload_of(await request.form())
    if sent is None:
        return _render(request, draft, service_text(service, "name"), await extra(request, session, held, draft),
                       error=apply_photo.missing())  # fmt: skip
    draft, error = await apply_photo.take(request, session, draft, sent)
    if error:
        return _render(request, draft, service_text(service, "name"), await extra(request, session, held, draft), error)
    return RedirectResponse(f"{base}/upload?added=1", status_code=303)


@router.get(BASE + "/photo")
async def photo(request: Request, draft_id: str, session: SessionDep, held: Holder) -> Response:
    """The photo kept with the form, as it is."""
    draft, _service, _tz = await apply.load(session, held.draft.citizen_id, draft_id)
    return await apply_photo.photo_response(request, draft)


@router.post(BASE + "/photo/remove")
async def remove_photo(draft_id: str, session: SessionDep, held: Holder) -> Response:
    """Take the photo off the form."""
    draft, _service, _tz = await apply.load(session, held.draft.citizen_id, draft_id)
    if (done := apply.done_or_none(draft, base_of(draft.id))) is not None:
        return done
    await drafting.keep_photo(session, draft=draft, photo=None)
    return RedirectResponse(_back(held.link.purpose, draft), status_code=303)


@router.post(BASE + "/photo/place")
async def use_photo_place(draft_id: str, session: SessionDep, held: Holder) -> Response:
    """Use the place the photo was taken as the report's place."""
    draft, _service, _tz = await apply.load(session, held.draft.citizen_id, draft_id)
    if (done := apply.done_or_none(draft, base_of(draft.id))) is not None:
        return done
    await drafting.use_photo_place(session, draft=draft)
    return RedirectResponse(f"{base_of(draft.id)}/pages/1?placed=1", status_code=303)
