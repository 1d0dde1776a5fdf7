"""The simulator's email panel: a mail client that writes to the city over real SMTP.

`POST /simulator/email/send` composes a MIME message and delivers it with aiosmtplib to the platform's own
SMTP server (TOWNSQUARE_SMTP_HOST:SMTP_PORT), the path a mail server takes, and shows the SMTP answer; the
inbox lists what the platform sent to an address. Demo mode only (the simulator router is not mounted otherwise).
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Annotated, Any

import aiosmtplib
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from townsquare.agencies import service as agencies
from townsquare.citizens import service as citizens
from townsquare.citizens.kinds import IdentityKind
from townsquare.clock import utcnow
from townsquare.db.engine import Database
from townsquare.engagement import mail
from townsquare.errors import FieldError, Problem, conflict, invalid
from townsquare.settings import Settings
from townsquare.web import times

router = APIRouter()
MAX_FILE_BYTES = 20 * 1024 * 1024
_ID = re.compile(r"<?([^<>\s]+@[^<>\s]+|[^<>\s@]+)>?")


def message_ids(value: str | None) -> list[str]:
    """The Message-IDs in a References-style string ("<a@x> <b@y>", or bare ids), without brackets."""
    return [m.group(1) for m in _ID.finditer(value or "")]


def _smtp_target(request: Request) -> tuple[str, int]:
    settings: Settings = request.app.state.settings
    smtp = getattr(request.app.state.runtime, "smtp", None)
    port = smtp.port if smtp is not None and smtp.port else settings.smtp_port
    if not port:
        raise conflict("Set TOWNSQUARE_SMTP_PORT: the simulator delivers its mail to the platform's SMTP server.")
    host = settings.smtp_host if settings.smtp_host not in ("0.0.0.0", "::", "") else "127.0.0.1"  # noqa: S104
    return host, int(port)


def compose(
    *,
    sender: str,
    to: str,
    subject: str,
    body: str,
    in_reply_to: str | None,
    references: str | None,
    file: tuple[str, str, bytes] | None,
    domain: str,
) -> EmailMessage:
    """The message a resident's mail program would send: headers, the text, the attachment if any."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid(domain=f"sim.{domain}")
    refs = message_ids(references)
    parent = message_ids(in_reply_to)
    if parent:
        msg["In-Reply-To"] = f"<{parent[-1]}>"
        refs = [*(r for r in refs if r != parent[-1]), parent[-1]]
    if refs:
        msg["References"] = " ".join(f"<{r}>" for r in refs)
    msg.set_content(body)
    if file is not None:
        filename, content_type, data = file
        maintype, _, subtype = content_type.partition("/")
        if not subtype:
            maintype, subtype = "application", "octet-stream"
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def _address(value: str, field: str) -> str:
    try:
        return citizens.normalise_email(value)
    except Problem:
        raise invalid(f"'{value[:80]}' is not an email address.", FieldError(field, "not an email address")) from None


@router.post("/email/send")
async def send(
    request: Request,
    from_address: Annotated[str, Form(min_length=3, max_length=320)],
    to_address: Annotated[str, Form(min_length=3, max_length=320)],
    subject: Annotated[str, Form(max_length=998)] = "",
    body: Annotated[str, Form(max_length=100_000)] = "",
    in_reply_to: Annotated[str, Form(max_length=1000)] = "",
    references: Annotated[str, Form(max_length=20_000)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Write to the city: compose a MIME message and deliver it over SMTP; answers with the SMTP reply."""
    settings: Settings = request.app.state.settings
    sender = _address(from_address, "from_address")
    recipient = _address(to_address, "to_address")
    attached: tuple[str, str, bytes] | None = None
    if file is not None and file.filename:
        data = await file.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise invalid("The simulator sends files of up to 20 MB.", FieldError("file", "too large"))
        attached = (file.filename, file.content_type or "application/octet-stream", data)
    msg = compose(
        sender=sender,
        to=recipient,
        subject=subject,
        body=body,
        in_reply_to=in_reply_to or None,
        references=references or None,
        file=attached,
        domain=settings.mail_domain,
    )
    host, port = _smtp_target(request)
    result: dict[str, Any] = {"message_id": str(msg["Message-ID"]).strip().strip("<>")}
    try:
        _, answer = await aiosmtplib.send(
            msg, sender=sender, recipients=[recipient], hostname=host, port=port, start_tls=False, timeout=60
        )
        result.update(accepted=True, code=250, reply=answer)
    except aiosmtplib.SMTPRecipientsRefused as exc:
        refused = exc.recipients[0]
        result.update(accepted=False, code=refused.code, reply=refused.message)
    except aiosmtplib.SMTPResponseException as exc:
        result.update(accepted=False, code=exc.code, reply=exc.message)
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise Problem(
            502,
            "SMTP server unreachable",
            f"Nothing answered SMTP at {host}:{port} ({type(exc).__name__}).",
            "bad-gateway",
        ) from None
    return JSONResponse(result)


@router.get("/email/inbox")
async def inbox(request: Request, address: str) -> Response:
    """What the platform sent to `address`, newest first, with what a reply needs to thread."""
    normalised = _address(address[:320], "address")
    db: Database = request.app.state.db
    async with db.session(deferred=True) as session:
        found = await mail.sent_to(session, address=normalised)
    messages = [
        {
            "id": m.id,
            "at": m.at.isoformat(),
            "when": times.when(m.at),  # as every page writes a time: the city's zone, one format
            "from": m.sender,
            "subject": m.subject,
            "text": m.text,
            "status": m.status,
            "message_id": m.message_id,
            "references": " ".join(f"<{r}>" for r in [*m.references, *([m.message_id] if m.message_id else [])]),
            "unsubscribe": m.unsubscribe,
        }
        for m in found
    ]
    return JSONResponse({"address": normalised, "messages": messages})


@router.get("/email/addresses")
async def addresses(request: Request) -> Response:
    """The agencies' mailboxes and a few residents' addresses, to fill in the mail client."""
    db: Database = request.app.state.db
    async with db.session(deferred=True) as session:
        city = await agencies.contact_points(session, channel="email")
        residents = await citizens.sample_contacts(session, kind=IdentityKind.email)
    return JSONResponse(
        {
            "city": [{"address": a, "name": n} for a, n in city],
            "residents": [{"address": a, "name": n} for a, n in residents],
        }
    )
