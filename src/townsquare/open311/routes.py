"""The Open311 GeoReport v2 endpoints under /open311, in XML and JSON, with the mySociety updates extension.

Arguments are read here, never by the framework, so every error (bad format, path, key, value) has the spec's
shape. POST bodies must be form-encoded: XML from clients is never parsed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from townsquare.agencies.models import Service
from townsquare.clock import utcnow
from townsquare.db.deps import SessionDep
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import Problem
from townsquare.open311 import intake
from townsquare.open311 import service as o311
from townsquare.open311.formats import FORMAT_MEDIA, Error, Format, Items, errors, parse_format, render, w3c
from townsquare.open311.params import FORM_MEDIA, Params, form_pairs
from townsquare.ratelimit import RateLimiter
from townsquare.settings import Settings
from townsquare.staff import service as staff
from townsquare.staff.auth import OPEN311_KEY, declared, public
from townsquare.staff.models import ApiKey

router = APIRouter(include_in_schema=False, dependencies=[Depends(public)])
# POSTs need an integrator's key, read from the form with every other problem (the spec's errors).
INTEGRATOR = [Depends(declared(OPEN311_KEY))]
log = logging.getLogger(__name__)
MAX_WINDOW = timedelta(days=90)
PAGE_SIZE = 1000
Handler = Callable[[Format, Params], Awaitable[Response]]


class Refused(Exception):
    """Stops a call with the spec's error response."""

    def __init__(self, *problems: Error, headers: dict[str, str] | None = None) -> None:
        super().__init__(problems[0].description)
        self.problems = list(problems)
        self.headers = headers


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _limit(request: Request, bucket: str, key: str, per_minute: int) -> None:
    limiter: RateLimiter = request.app.state.limiter
    decision = await limiter.hit(bucket, key, per_minute)
    if not decision.allowed:
        headers = {"Retry-After": str(decision.retry_after), "X-RateLimit-Limit": str(decision.limit)}
        raise Refused(Error(429, f"Too many requests: at most {per_minute} a minute; try again later"), headers=headers)


async def _params(request: Request) -> Params:
    try:
        pairs = form_pairs(request.scope.get("query_string", b""))  # as strict as the form (params.py)
    except ValueError:
        raise Refused(Error(400, "The query string is not valid UTF-8 form encoding")) from None
    if request.method == "POST":
        body = await request.body()
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if body and media != FORM_MEDIA:
            raise Refused(Error(400, f"POST bodies must be {FORM_MEDIA}"))
        try:
            pairs += form_pairs(body)
        except ValueError:
            raise Refused(Error(400, "The form body is not valid UTF-8 form encoding")) from None
    params = Params(pairs, path=request.path_params)
    _check(params)  # text that cannot be stored is refused before anything reads it
    return params


async def _answer(request: Request, fmt_name: str, handler: Handler) -> Response:
    """Format, arguments, jurisdiction and the public rate limit, then the handler; every failure in spec form."""
    fmt = parse_format(fmt_name)
    if fmt is None:
        return errors(Format.xml, [Error(404, f"The format '{fmt_name}' is not offered; use xml or json")])
    settings = _settings(request)
    try:
        if request.method == "GET":
            client = request.client.host if request.client else "unknown"
            await _limit(request, "open311-get", client, settings.open311_public_rate_limit_per_minute)
        params = await _params(request)
        jurisdiction = params.get("jurisdiction_id")
        if jurisdiction is not None and jurisdiction != settings.jurisdiction_id:
            raise Refused(Error(404, "jurisdiction_id not found"))
        return await handler(fmt, params)
    except Refused as exc:
        return errors(fmt, exc.problems, headers=exc.headers)
    except Problem as exc:
        problems = [Error(exc.status if exc.status in (403, 404) else 400, exc.detail)]
        problems += [Error(400, f"{e.field}: {e.message}") for e in exc.errors]
        return errors(fmt, problems)


async def _key(session: SessionDep, params: Params) -> ApiKey:
    presented = params.get("api_key")
    if presented is None:
        raise Refused(Error(403, "api_key was not provided"))
    key = await staff.api_key_for(session, key=presented)
    if key is None:
        raise Refused(Error(403, "Invalid api_key received -- can't proceed"))
    return key


async def _reading_key(session: SessionDep, params: Params) -> ApiKey:
    """The key of a GET, its last use recorded as it is checked (as the REST API's keys are): a read commits
    nothing else. A POST's key joins the POST's one transaction instead."""
    key = await _key(session, params)
    if session.dirty:
        await session.commit()
    return key


def _window(params: Params) -> tuple[datetime, datetime]:
    """start_date/end_date: at most 90 days apart; the most recent 90 days by default."""
    start, end = params.datetime("start_date"), params.datetime("end_date")
    if start is None and end is None:
        end = utcnow()
    if start is None and end is not None:
        start = end - MAX_WINDOW
    if end is None and start is not None:
        end = start + MAX_WINDOW
    assert start is not None
    assert end is not None
    if start > end:
        params.add(400, "start_date must be before end_date")
    elif end - start > MAX_WINDOW:
        params.add(400, "start_date and end_date may not span more than 90 days")
    return start, end


def _check(params: Params) -> None:
    if params.problems:
        raise Refused(*params.problems)


@router.get("/open311/discovery.{fmt}")
async def discovery(request: Request, fmt: str, session: SessionDep) -> Response:
    async def handle(out: Format, params: Params) -> Response:
        settings = _settings(request)
        stmt = select(func.max(Service.updated_at)).where(Service.open311.is_(True), Service.active.is_(True))
        changed = (await session.execute(stmt)).scalar_one_or_none()
        changeset = w3c(changed) if changed else "1970-01-01T00:00:00Z"
        base = settings.public_url.rstrip("/")
        body = {
            "changeset": changeset,
            "contact": settings.open311_contact or f"Contact the city through {base}",
            "key_service": "Integrators ask the city for a key; its administrators issue one per integrator on "
            "the staff desk (Integrators).",
            "endpoints": Items(
                "endpoint",
                [
                    {
                        "specification": o311.SPECIFICATION,
                        "url": f"{base}/open311/v2",
                        "changeset": changeset,
                        "type": "production" if settings.env == "production" else "test",
                        "formats": Items("format", list(FORMAT_MEDIA.values())),
                    }
                ],
            ),
        }
        return render(out, "discovery", body)

    return await _answer(request, fmt, handle)


@router.get("/open311/v2/services.{fmt}")
async def services(request: Request, fmt: str, session: SessionDep) -> Response:
    async def handle(out: Format, params: Params) -> Response:
        offered = await o311.offered_services(session)
        return render(out, "services", Items("service", [o311.service_entry(s) for s in offered]))

    return await _answer(request, fmt, handle)


@router.get("/open311/v2/services/{service_code}.{fmt}")
async def service_definition(request: Request, service_code: str, fmt: str, session: SessionDep) -> Response:
    async def handle(out: Format, params: Params) -> Response:
        found = await o311.offered_service(session, code=service_code)
        if found is None:
            raise Refused(Error(404, "service_code not found"))
        return render(out, "service_definition", o311.definition(found))

    return await _answer(request, fmt, handle)


@router.get("/open311/v2/requests.{fmt}")
async def list_requests(request: Request, fmt: str, session: SessionDep) -> Response:
    async def handle(out: Format, params: Params) -> Response:
        page = params.integer("page", low=1, high=1_000_000) or 1
        page_size = params.integer("page_size", low=1, high=PAGE_SIZE) or PAGE_SIZE
        ids = params.values("service_request_id")
        statuses: list[str] = []
        start = end = utcnow()
        if not ids:  # ids override every other argument
            start, end = _window(params)
            statuses = params.values("status")
            for status in statuses:
                if status not in ("open", "closed"):
                    params.add(400, f"status '{status[:40]}' is not open or closed")
        _check(params)
        query = o311.RequestQuery(
            ids=ids,
            codes=params.values("service_code"),
            start=start,
            end=end,
            statuses=sorted(set(statuses)),
            page=page,
            page_size=page_size,
        )
        return render(out, "service_requests", Items("request", await o311.find_requests(session, query), plain=True))

    return await _answer(request, fmt, handle)


@router.get("/open311/v2/requests/{service_request_id}.{fmt}")
async def get_request(request: Request, service_request_id: str, fmt: str, session: SessionDep) -> Response:
    async def handle(out: Format, params: Params) -> Response:
        found = await o311.get_request(session, reference=service_request_id)
        if found is None:
            raise Refused(Error(404, "service_request_id not found"))
        return render(out, "service_requests", Items("request", [found]))

    return await _answer(request, fmt, handle)


@router.get("/open311/v2/tokens/{token}.{fmt}")
async def token(request: Request, token: str, fmt: str, session: SessionDep) -> Response:
    async def handle(out: Format, params: Params) -> Response:
        found = await o311.by_token(session, token=token)
        if found is None:
            raise Refused(Error(404, "token not found"))
        reference, value = found
        return render(out, "service_requests", Items("request", [{"service_request_id": reference, "token": value}]))

    return await _answer(request, fmt, handle)


async def _integrator(request: Request, session: AsyncSession, params: Params) -> ApiKey:
    """The key of a POST, counted against its rate limit (its own, else the setting's)."""
    key = await _key(session, params)
    per_minute = key.rate_limit_per_minute or _settings(request).open311_rate_limit_per_minute
    await _limit(request, "open311-post", str(key.id), per_minute)
    return key


@router.post("/open311/v2/requests.{fmt}", dependencies=INTEGRATOR)
async def create_request(request: Request, fmt: str, session: SessionDep) -> Response:
    async def handle(out: Format, params: Params) -> Response:
        settings = _settings(request)
        key = await _integrator(request, session, params)
        code = params.get("service_code")
        found = None
        if code is None:
            params.add(400, "service_code was not provided")
        else:
            found = await o311.offered_service(session, code=code)
            if found is None:
                params.add(404, "service_code not found")
            elif key.agency_id is not None and key.agency_id != found.agency_id:
                raise Refused(Error(403, "This api_key may not submit requests for that service"))
        retry_key = intake.check_idempotency_key(params, request.headers.get("idempotency-key"))
        checked = await intake.check_request(
            session, params, key=key, service=found, region=settings.default_region, idempotency_key=retry_key
        )
        _check(params)
        assert checked is not None
        pipeline: Pipeline = request.app.state.pipeline
        case, submission = await intake.submit_request(session, pipeline, key=key, request=checked)
        entry: dict[str, object] = {}
        if submission.token is not None:
            entry["token"] = submission.token
        elif checked.service.type.value == "realtime":
            entry["service_request_id"] = case.reference
        entry["service_notice"] = checked.service.notice
        entry["account_id"] = checked.account_id
        await session.commit()
        return render(out, "service_requests", Items("request", [entry]), status_code=200)

    return await _answer(request, fmt, handle)


@router.get("/open311/v2/servicerequestupdates.{fmt}", dependencies=INTEGRATOR)
async def list_updates(request: Request, fmt: str, session: SessionDep) -> Response:
    async def handle(out: Format, params: Params) -> Response:
        await _reading_key(session, params)
        start, end = _window(params)
        _check(params)
        found = await o311.updates(session, start=start, end=end)
        return render(out, "service_request_updates", Items("request_update", found))

    return await _answer(request, fmt, handle)


@router.post("/open311/v2/servicerequestupdates.{fmt}", dependencies=INTEGRATOR)
async def create_update(request: Request, fmt: str, session: SessionDep) -> Response:
    async def handle(out: Format, params: Params) -> Response:
        settings = _settings(request)
        key = await _integrator(request, session, params)
        checked = await intake.check_update(session, params, key=key, region=settings.default_region)
        _check(params)
        assert checked is not None
        pipeline: Pipeline = request.app.state.pipeline
        row = await intake.submit_update(session, pipeline, key=key, update=checked)
        body = Items("request_update", [{"update_id": str(row.id)}])
        await session.commit()
        return render(out, "service_request_updates", body, status_code=200)

    return await _answer(request, fmt, handle)


ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@router.api_route("/open311", methods=ALL_METHODS)
@router.api_route("/open311/{rest:path}", methods=ALL_METHODS)
async def unknown(request: Request) -> Response:
    """Anything else under /open311: the spec's 404, in JSON only when the path asks for it."""
    fmt = Format.json if request.url.path.endswith(".json") else Format.xml
    return errors(fmt, [Error(404, "No such Open311 resource; see /open311/discovery.xml")])
