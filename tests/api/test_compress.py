"""Answers are gzip-compressed by ISA-L when the client accepts gzip: standard gzip any client reads, whole or
streamed; small bodies, images and answers the client did not ask to compress are sent as they are."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from townsquare.api.compress import Compress

BIG = {
    "requests": [
        {"service_request_id": f"TS-2026-{n:06d}", "status": "open", "lat": 45.5 + n / 1e4} for n in range(3000)
    ]
}


async def _big(request: Request) -> JSONResponse:
    return JSONResponse(BIG)


async def _small(request: Request) -> Response:
    return Response("ok", media_type="text/plain")


async def _image(request: Request) -> Response:
    return Response(b"\x89PNG" + bytes(5000), media_type="image/png")


async def _stream(request: Request) -> StreamingResponse:
    async def parts() -> AsyncIterator[bytes]:
        for n in range(50):
            yield f"line {n} of a streamed export\n".encode() * 40

    return StreamingResponse(parts(), media_type="text/csv")


APP = Compress(
    Starlette(routes=[Route("/big", _big), Route("/small", _small), Route("/image", _image), Route("/stream", _stream)])
)


async def test_a_large_answer_is_standard_gzip_and_much_smaller() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=APP), base_url="http://test") as client:
        answer = await client.get("/big", headers={"accept-encoding": "gzip, br"})
        assert answer.headers["content-encoding"] == "gzip"
        assert "accept-encoding" in answer.headers["vary"].lower()
        assert json.loads(answer.content) == BIG  # httpx decoded it with Python's own gzip
        raw = await client.send(client.build_request("GET", "/big", headers={"accept-encoding": "gzip"}), stream=True)
        sent = b"".join([part async for part in raw.aiter_raw()])
        await raw.aclose()
    assert int(raw.headers["content-length"]) == len(sent)
    assert len(sent) < len(json.dumps(BIG)) / 5
    assert json.loads(gzip.decompress(sent)) == BIG


async def test_a_streamed_answer_is_compressed_as_it_goes() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=APP), base_url="http://test") as client:
        raw = await client.send(
            client.build_request("GET", "/stream", headers={"accept-encoding": "gzip"}), stream=True
        )
        sent = b"".join([part async for part in raw.aiter_raw()])
        await raw.aclose()
    assert raw.headers["content-encoding"] == "gzip"
    assert "content-length" not in raw.headers
    expected = b"".join(f"line {n} of a streamed export\n".encode() * 40 for n in range(50))
    assert gzip.decompress(sent) == expected
    assert len(sent) < len(expected) / 5


async def test_small_bodies_images_and_clients_without_gzip_get_the_body_as_it_is() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=APP), base_url="http://test") as client:
        small = await client.get("/small", headers={"accept-encoding": "gzip"})
        image = await client.get("/image", headers={"accept-encoding": "gzip"})
        plain = await client.get("/big", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in small.headers
    assert small.text == "ok"
    assert "content-encoding" not in image.headers
    assert image.content.startswith(b"\x89PNG")
    assert "content-encoding" not in plain.headers
    assert json.loads(plain.content) == BIG
