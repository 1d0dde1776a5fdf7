"""A form's file questions on the portal: each upload is checked against the attachment limits (size, type),
kept in the attachment store and made the question's answer by the server. Translates only.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData, UploadFile

from townsquare.db import Session
from townsquare.residents import applications as apps
from townsquare.residents import drafting
from townsquare.residents.types import AttributeDatatype, Draft
from townsquare.web.i18n import gettext as _
from townsquare.web.portal.common import settings_of

MAX_NAME = 200


async def take(
    request: Request, session: Session, draft: Draft, page: apps.FormPage, form: FormData
) -> tuple[Draft, dict[str, str]]:
    """Keep each file the page's form brought; the draft now, and a message by question for those refused."""
    settings = settings_of(request)
    refused: dict[str, str] = {}
    for attr in page.attributes:
        upload = form.get(f"f.{attr.code}")
        if attr.datatype is not AttributeDatatype.file or not isinstance(upload, UploadFile) or not upload.filename:
            continue
        raw = await upload.read(settings.max_attachment_bytes + 1)
        kind = (upload.content_type or "").split(";")[0].strip().lower()
        if len(raw) > settings.max_attachment_bytes:
            mb = settings.max_attachment_bytes // (1024 * 1024)
            refused[attr.code] = _("The file must be smaller than %(size)d MB") % {"size": mb}
            continue
        if kind not in settings.allowed_attachment_types or not raw:
            refused[attr.code] = _("This kind of file cannot be sent: choose a PDF, a photo or a document")
            continue
        sha256 = await asyncio.to_thread(request.app.state.pipeline.store.save, raw)
        kept: dict[str, Any] = {
            "sha256": sha256,
            "filename": upload.filename.replace("/", "_").replace("\\", "_")[-MAX_NAME:],
            "content_type": kind,
            "size_bytes": len(raw),
        }
        draft = await drafting.keep_file(session, draft=draft, code=attr.code, kept=kept)
    return draft, refused
