"""The portal as an installable app: the web app manifest, the service worker at the portal's root, and the
offline page it keeps (English and French).

Public by nature (a browser fetches them before anyone signs in); none of them holds anything about a person.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from townsquare.staff.auth import public
from townsquare.web import i18n
from townsquare.web.i18n import gettext as _
from townsquare.web.portal.common import settings_of
from townsquare.web.templating import HERE, STATIC_DIR, templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(public)])

ICONS = [
    {"src": "/static/portal/icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
    {"src": "/static/portal/icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
    {"src": "/static/portal/icons/maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
    {"src": "/static/portal/icons/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
]
# What the portal looks like without a network: these files, and the offline page in each language.
SHELL_FILES = (
    "build/portal.css",
    "build/govuk-frontend.min.js",
    "portal/portal.js",
    "portal/pwa.js",
    "portal/icons/icon-192.png",
)
SW_SOURCE = STATIC_DIR / "portal" / "sw.js"
# The offline page changes with its template and its words: both are part of the shell's version.
VERSIONED = (HERE / "templates" / "portal" / "offline.html", i18n.LOCALE_DIR / "fr" / "push.po")


@lru_cache(maxsize=1)
def service_worker() -> str:
    """The service worker with its shell and version filled in; files missing from this build are left out (an
    install that cannot fetch one file of its shell would fail whole)."""
    shell = [f"/static/{name}" for name in SHELL_FILES if (STATIC_DIR / name).is_file()]
    shell += [f"/offline?lang={code}" for code in i18n.LANGUAGES]
    digest = hashlib.sha256(SW_SOURCE.read_bytes())
    for path in [*(STATIC_DIR / name for name in SHELL_FILES), *VERSIONED]:
        if path.is_file():
            digest.update(path.read_bytes())
    source = SW_SOURCE.read_text()
    return source.replace("__VERSION__", digest.hexdigest()[:16]).replace("__SHELL__", json.dumps(shell))


@router.get("/sw.js")
async def sw_js() -> Response:
    """The service worker, from the root so its scope is the whole portal; never cached, so updates are seen."""
    headers = {"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"}
    return Response(service_worker(), media_type="text/javascript", headers=headers)


@router.get("/manifest.webmanifest")
async def manifest(request: Request) -> Response:
    """The web app manifest in the reader's language, with the jurisdiction's name and colour."""
    settings = settings_of(request)
    body = {
        "id": "/",
        "name": settings.brand_name,
        "short_name": settings.brand_name[:12],
        "description": _("Public services from %(name)s: apply, report, ask and follow your cases on any device.")
        % {"name": settings.brand_name},
        "lang": i18n.current(),
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": settings.brand_colour,
        "background_color": "#ffffff",
        "icons": ICONS,
    }
    return JSONResponse(body, media_type="application/manifest+json", headers={"Cache-Control": "no-cache"})


@router.get("/offline", response_class=HTMLResponse)
async def offline(request: Request, lang: str = "") -> Response:
    """The page the service worker shows when a page cannot be fetched; `lang` picks its language."""
    i18n.use(lang[:8])
    return templates.TemplateResponse(request, "portal/offline.html", {})
