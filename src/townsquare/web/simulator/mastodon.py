"""The simulator's Mastodon panel: a person posts mentioning the city, and sees what the city posted back.

A post goes to the stand-in server (`mastodon_fake`), where the platform's real poller reads it as it would read a
real server, and the city's answers, public or private, are posted back there through the outbox. The panel lists
both, thread by thread. Demo mode only (the simulator router is not mounted otherwise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db.engine import Database
from townsquare.engagement import feeds, mastodon
from townsquare.web.simulator.mastodon_fake import CITY, VISIBILITIES, FakeMastodon, fake_of
from townsquare.web.templating import STATIC_DIR, templates

router = APIRouter(prefix="/mastodon")
ACCOUNT = re.compile(r"^@?[A-Za-z0-9_]{1,30}(?:@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+)?$")
MAX_WORDS = 5000
PHOTO = Path(STATIC_DIR) / "portal" / "icons" / "icon-192.png"  # the demo's one photo
SHOWN = 50  # threads on the panel, newest first
VISIBILITY_WORDS = {
    "public": "Public",
    "unlisted": "Public, unlisted",
    "private": "Followers only",
    "direct": "Private mention",
}


@dataclass
class Post:
    """One status on the panel: who, how visible, the words, and the city's answers to it."""

    id: str
    author: str
    visibility: str
    words: str
    at: str
    answers: list[Post] = field(default_factory=list)


def _post(fake: FakeMastodon, status: dict[str, Any]) -> Post:
    acct = status["account"]["acct"]
    return Post(
        id=status["id"],
        author="@" + (acct if "@" in acct else f"{acct}@{fake.host}"),
        visibility=VISIBILITY_WORDS.get(status["visibility"], status["visibility"]),
        words=fake.words.get(status["id"], ""),
        at=status["created_at"][:19].replace("T", " "),
    )


def threads(fake: FakeMastodon) -> list[Post]:
    """People's posts, newest first, each with the city's answers under it; the city's own first words too."""
    posts: dict[str, Post] = {}
    for status in fake.statuses.values():
        if status["account"]["acct"] != CITY:
            posts[status["id"]] = _post(fake, status)
    firsts: list[Post] = []
    for status in fake.city_statuses():
        answered = posts.get(status["in_reply_to_id"] or "")
        (answered.answers if answered is not None else firsts).append(_post(fake, status))
    shown = sorted([*posts.values(), *firsts], key=lambda p: (len(p.id), p.id), reverse=True)
    return shown[:SHOWN]


async def _panel(
    request: Request, *, errors: dict[str, str] | None = None, sent: dict[str, str] | None = None
) -> Response:
    fake = fake_of(request)
    db: Database = request.app.state.db
    settings = fake.settings
    feed = f"{mastodon.NETWORK}:{settings.mastodon_base_url}"
    async with db.session(deferred=True) as session:
        state = await feeds.state(session, feed=feed)
    context = {
        "threads": threads(fake),
        "city": f"@{CITY}@{fake.host}",
        "connected": settings.mastodon_base_url == fake.base and bool(settings.mastodon_access_token),
        "base": fake.base,
        "state": state,
        "errors": errors or {},
        "sent": sent or {},
        "visibilities": VISIBILITY_WORDS,
        "replyable": [(s["id"], _short(fake.words.get(s["id"], ""))) for s in reversed(fake.city_statuses())][:20],
    }
    return templates.TemplateResponse(request, "simulator/mastodon.html", context, status_code=422 if errors else 200)


def _short(words: str) -> str:
    flat = " ".join(words.split())
    return flat if len(flat) <= 60 else flat[:59] + "…"


@router.get("", response_class=HTMLResponse)
async def panel(request: Request) -> Response:
    """The form to post as a person, and every thread with the city's public and private answers."""
    return await _panel(request)


@router.post("/post", response_class=HTMLResponse)
async def post(
    request: Request,
    account: Annotated[str, Form(max_length=200)] = "",
    text: Annotated[str, Form(max_length=MAX_WORDS * 2)] = "",
    visibility: Annotated[str, Form(max_length=20)] = "public",
    name: Annotated[str, Form(max_length=200)] = "",
    photo: Annotated[str, Form(max_length=10)] = "",
    in_reply_to: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Post as `account`, mentioning the city, and ask the platform's poller to read now."""
    sent = {"account": account, "text": text, "visibility": visibility, "name": name, "in_reply_to": in_reply_to}
    errors: dict[str, str] = {}
    if not ACCOUNT.match(account.strip()):
        errors["account"] = "Enter an account like maria or maria@social.example"
    if len(text) > MAX_WORDS:
        errors["text"] = f"A post here may have at most {MAX_WORDS} characters"
    if visibility not in VISIBILITIES:
        errors["visibility"] = "Choose who can see the post"
    if errors:
        return await _panel(request, errors=errors, sent=sent)
    fake = fake_of(request)
    media = [_photo(fake)] if photo else []
    fake.post(
        account.strip(),
        text.strip(),
        visibility=visibility,
        display_name=name.strip() or None,
        in_reply_to_id=in_reply_to.strip() or None,
        media=media,
    )
    poller = getattr(request.app.state.runtime, "mastodon", None)
    if poller is not None:
        poller.wake()
    return RedirectResponse("/simulator/mastodon", status_code=303)


def _photo(fake: FakeMastodon) -> dict[str, Any]:
    """A media attachment as the MediaAttachment entity, served by the panel like a server's media files."""
    media_id = str(len(fake.statuses) + 1)
    url = f"{fake.base}/media/{media_id}.png"
    return {
        "id": media_id,
        "type": "image",
        "url": url,
        "preview_url": url,
        "remote_url": None,
        "description": "A photo from the simulator",
    }


@router.get("/media/{name}")
async def media_file(name: str) -> Response:
    """A posted photo, public to whoever has its link, as a server's media files are."""
    if not re.fullmatch(r"\d{1,12}\.png", name):
        return Response(status_code=404)
    return Response(PHOTO.read_bytes(), media_type="image/png")
