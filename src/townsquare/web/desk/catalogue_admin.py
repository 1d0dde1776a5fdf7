"""/desk/admin/catalogue: the catalogue as data on the desk — download the export as a ZIP, upload changed files,
read the diff (or every problem with its file, line and field), then apply it in one transaction, audited.

Administrators see every agency and the staff file; agency administrators their own agencies' files only.
Works without JavaScript: the reviewed ZIP is posted again with the apply button, with a digest of the diff
shown, so what is applied is what was reviewed. Translates only: `content.catalogue_upload` does the work.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from townsquare.content import catalogue_upload
from townsquare.content.catalogue_plan import Plan
from townsquare.content.files import ContentInvalid
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.staff.auth import Principal
from townsquare.web.desk.common import administrators_only
from townsquare.web.desk.labels import said
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Administrator = Annotated[Principal, Depends(administrators_only("The catalogue's files"))]
PAGE = "/desk/admin/catalogue"


def _problems(error: ContentInvalid) -> list[dict[str, Any]]:
    return [{"file": e.file, "line": e.line, "field": e.field, "message": said(e.message)} for e in error.errors]


@router.get(PAGE, response_class=HTMLResponse)
async def catalogue_page(request: Request, me: Administrator) -> Response:
    """Download the catalogue's files, or upload changed ones to review."""
    notice = _("The changes were applied.") if request.query_params.get("done") == "applied" else None
    context = {"me": me, "notice": notice, "staff_file": me.agency_ids is None}
    return templates.TemplateResponse(request, "desk/catalogue.html", context)


@router.get(f"{PAGE}/export.zip")
async def catalogue_download(session: SessionDep, me: Administrator) -> Response:
    """The export as a ZIP of TOML files."""
    data = await catalogue_upload.export_zip(session, me=me)
    headers = {"Content-Disposition": 'attachment; filename="catalogue.zip"'}
    return Response(data, media_type="application/zip", headers=headers)


def _review_page(
    request: Request, me: Principal, *, planned: Plan | None = None, data: bytes = b"", errors: list[Any] | None = None
) -> Response:
    context: dict[str, Any] = {
        "me": me,
        "lines": [] if planned is None else planned.diff.lines,
        "nothing": planned is not None and planned.diff.empty,
        "errors": errors or [],
        "upload": base64.b64encode(data).decode("ascii") if planned is not None else "",
        "reviewed": catalogue_upload.digest(planned) if planned is not None else "",
    }
    status = 422 if errors else 200
    return templates.TemplateResponse(request, "desk/catalogue_review.html", context, status_code=status)


async def _uploaded(request: Request) -> tuple[bytes, str]:
    """The ZIP (a file chosen, or the reviewed one posted again) and the digest of the diff reviewed."""
    form = await request.form(max_files=1, max_part_size=4 * catalogue_upload.MAX_ZIP_BYTES)
    try:
        reviewed = str(form.get("reviewed", ""))
        upload = form.get("files")
        if isinstance(upload, UploadFile):
            return await upload.read(catalogue_upload.MAX_ZIP_BYTES + 1), reviewed
        try:
            return base64.b64decode(str(form.get("upload", "")), validate=True), reviewed
        except (binascii.Error, ValueError):
            return b"", reviewed
    finally:
        await form.close()


@router.post(f"{PAGE}/review", response_class=HTMLResponse)
async def catalogue_review(request: Request, session: SessionDep, me: Administrator) -> Response:
    """The uploaded ZIP compared with the catalogue: the diff to apply, or every problem; nothing written."""
    data, _reviewed = await _uploaded(request)
    try:
        planned = await catalogue_upload.review(session, data, me=me)
    except ContentInvalid as invalid:
        return _review_page(request, me, errors=_problems(invalid))
    finally:
        await session.rollback()
    return _review_page(request, me, planned=planned, data=data)


@router.post(f"{PAGE}/apply", response_class=HTMLResponse)
async def catalogue_apply(request: Request, session: SessionDep, me: Administrator) -> Response:
    """Apply the reviewed ZIP in one transaction, audited with the diff; all or nothing."""
    data, reviewed = await _uploaded(request)
    try:
        await catalogue_upload.apply_upload(session, data, me=me, reviewed=reviewed)
        await session.commit()
    except ContentInvalid as invalid:
        await session.rollback()
        return _review_page(request, me, errors=_problems(invalid))
    except Problem as problem:
        await session.rollback()
        return _review_page(
            request, me, errors=[{"file": "", "line": None, "field": "", "message": said(problem.detail)}]
        )
    return RedirectResponse(f"{PAGE}?done=applied", status_code=303)
