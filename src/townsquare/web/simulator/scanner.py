"""The simulator's letter scanner: drop a PDF or an image, or write a reply on one of the letters the city sent
(its QR code and all) and scan it, and see what the platform made of it. Demo mode only.

It plays the mail room's scanner: a scan goes through `engagement.post` exactly as a file dropped in the watched
folder does. The paper is made here: the letter's first page rendered, the reply written on it, saved as an
image-only PDF, as a scanner makes one.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from PIL import Image, ImageDraw, ImageFont
from starlette.datastructures import UploadFile

from townsquare.db.engine import Database
from townsquare.engagement import post
from townsquare.engagement.messages import Outcome
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import Problem
from townsquare.hygiene import safe_filename
from townsquare.notify.letters import views
from townsquare.scans import reading
from townsquare.web.templating import templates

router = APIRouter()
REPLY = "Thank you for your letter. The problem is still there: please send someone again.\nMarie"
DPI = 200


def write_on(page: Image.Image, lines: Sequence[str], *, top: float = 0.66) -> Image.Image:
    """The page with `lines` written on it in a clear hand, from `top` (a share of its height) down."""
    paper = page.convert("L").copy()
    draw = ImageDraw.Draw(paper)
    size = max(12, paper.height // 90)
    font = ImageFont.load_default(size=size)
    x, y = paper.width // 10, int(paper.height * top)
    for line in lines:
        draw.text((x, y), line, fill=0, font=font)
        y += int(size * 1.6)
    return paper


def scanned_pdf(pages: Sequence[Image.Image], *, dpi: int = DPI) -> bytes:
    """Pages as a scanner saves them: an image-only PDF."""
    out = io.BytesIO()
    first, *rest = [p.convert("L") for p in pages]
    first.save(out, "PDF", resolution=dpi, save_all=True, append_images=rest)
    return out.getvalue()


def reply_on(letter_pdf: bytes, text: str) -> bytes:
    """A reply written on the letter's first page, scanned."""
    limits = reading.Limits(dpi=DPI)
    page = reading.render_pdf(letter_pdf, limits)[0]
    lines = [line.strip() for line in text.splitlines() if line.strip()] or [REPLY]
    return scanned_pdf([write_on(page, lines)])


def _parts(request: Request) -> tuple[Database, Pipeline]:
    db: Database = request.app.state.db
    pipeline: Pipeline = request.app.state.pipeline
    return db, pipeline


async def _page(request: Request, *, outcome: Outcome | None = None, error: Problem | None = None) -> Response:
    db, _ = _parts(request)
    async with db.session(deferred=True) as session:
        letters = await views.letters(session, me=None, limit=20)
    context = {"letters": letters, "outcome": outcome, "error": error, "reply": REPLY}
    status = error.status if error else 200
    return templates.TemplateResponse(request, "simulator/scanner.html", context, status_code=status)


async def _take(request: Request, data: bytes, filename: str) -> Response:
    db, pipeline = _parts(request)
    async with db.session() as session:
        try:
            outcome = await post.take(session, pipeline, post.Scan(data=data, filename=filename, door="folder"))
        except Problem as exc:
            await session.rollback()
            return await _page(request, error=exc)
        await session.commit()
    return await _page(request, outcome=outcome)


@router.get("/scanner", response_class=HTMLResponse)
async def scanner(request: Request) -> Response:
    """The scanner: a file to drop, and the city's recent letters to reply to."""
    return await _page(request)


@router.post("/scanner", response_class=HTMLResponse)
async def scan_file(request: Request) -> Response:
    """Scan a dropped PDF or image."""
    form = await request.form(max_files=1, max_fields=3)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _page(request, error=Problem(422, "No scan", "Choose a PDF or an image to scan.", "invalid"))
    data = await upload.read(_parts(request)[1].settings.max_attachment_bytes + 1)
    return await _take(request, data, safe_filename(upload.filename))


@router.post("/scanner/reply", response_class=HTMLResponse)
async def scan_reply(request: Request) -> Response:
    """Write a reply on one of the city's letters and scan it."""
    form = await request.form(max_fields=3)
    try:
        letter_id = uuid.UUID(str(form.get("letter", "")))
    except ValueError:
        return await _page(request, error=Problem(422, "No letter", "Choose one of the city's letters.", "invalid"))
    db, pipeline = _parts(request)
    async with db.session(deferred=True) as session:
        file = await views.letter_pdf(session, letter_id=letter_id, store=pipeline.store, me=None, purpose="simulator")
    text = str(form.get("text", ""))[:1000]
    return await _take(request, reply_on(file.data, text), f"reply-{letter_id}.pdf")
