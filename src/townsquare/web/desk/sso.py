"""Staff sign-in with the organisation's OpenID Connect provider: authorization code with PKCE, state and nonce,
the ID token checked (signature, issuer, audience, expiry, nonce) by the same relying party residents use, then
`staff.sso` decides who it is on the desk from the groups claim.

A refusal is a page that says why in the person's words (403 when the provider signed them in but the desk will
not), logged without personal data; nothing is created or changed by a refused sign-in.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from townsquare import sealing
from townsquare.db.deps import SessionDep
from townsquare.settings import Settings
from townsquare.staff import sessions, sso
from townsquare.staff.auth import SESSION_COOKIE, public
from townsquare.web import cookies
from townsquare.web.desk.common import safe_next, settings_of
from townsquare.web.i18n import gettext as _
from townsquare.web.portal.oidc import FLOW_SECONDS, Flow, RelyingParty, SignInRefused
from townsquare.web.templating import templates

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False, dependencies=[Depends(public)])

SIGN_IN_PATH = "/desk/sso/sign-in"
CALLBACK_PATH = "/desk/sso/callback"
FLOW_COOKIE = "ts_staff_oidc"
FLOW_COOKIE_PATH = "/desk/sso"
FLOW_PURPOSE = "staff-oidc-flow"


def configured(settings: Settings) -> bool:
    """Whether staff may sign in with the organisation's provider."""
    return bool(settings.staff_oidc_issuer and settings.staff_oidc_client_id and settings.staff_oidc_client_secret)


def relying_party(request: Request) -> RelyingParty:
    """The desk's OpenID Connect client, built once from the settings; a 404 refusal when none is configured."""
    existing: RelyingParty | None = getattr(request.app.state, "staff_oidc_relying_party", None)
    if existing is not None:
        return existing
    settings = settings_of(request)
    if not configured(settings):
        raise SignInRefused("Signing in with an identity provider is not available here.", 404)
    party = RelyingParty(
        issuer=settings.staff_oidc_issuer or "",
        client_id=settings.staff_oidc_client_id or "",
        client_secret=settings.staff_oidc_client_secret or "",
        scopes=settings.staff_oidc_scopes,
        redirect_uri=settings.public_url.rstrip("/") + CALLBACK_PATH,
    )
    request.app.state.staff_oidc_relying_party = party
    return party


def policy(settings: Settings) -> sso.Policy:
    """Who may sign in and as what, from the settings."""
    return sso.Policy(
        issuer=settings.staff_oidc_issuer or "",
        groups_claim=settings.staff_oidc_groups_claim,
        mapping=sso.Policy.parse_mapping(settings.staff_oidc_group_mapping),
        create_accounts=settings.staff_oidc_create_accounts,
    )


def _open_flow(secret: str, value: str | None) -> Flow | None:
    data = sealing.unseal_json(secret, FLOW_PURPOSE, value)
    try:
        flow = Flow(**data) if data is not None else None
    except (ValueError, TypeError):
        return None
    return flow if flow is not None and flow.expires > time.time() else None


def refusal_words(refusal: sso.Refusal) -> str:
    """Why the desk refused someone the provider signed in."""
    return {
        sso.Refusal.no_claim: _(
            "Your organisation's account does not say which groups you belong to, so the desk cannot tell what "
            "you may do. Ask your administrator to give you access to Townsquare."
        ),
        sso.Refusal.unmapped: _(
            "None of your groups gives access to the desk. Ask your administrator to give you access to Townsquare."
        ),
        sso.Refusal.unknown_agency: _(
            "Your groups name an agency this desk does not have. Ask your administrator to check the group mapping."
        ),
        sso.Refusal.unknown_person: _(
            "There is no desk account for you yet. Ask an administrator to create one, then sign in again."
        ),
        sso.Refusal.no_email: _(
            "Your organisation's account has no verified email address, so no desk account can be made for you."
        ),
        sso.Refusal.deactivated: _("Your desk account has been deactivated. Ask an administrator if this is wrong."),
    }[refusal]


def _refused(request: Request, message: str, status: int) -> Response:
    response = templates.TemplateResponse(
        request, "desk/sign_in_refused.html", {"message": message}, status_code=status
    )
    cookies.forget(response, FLOW_COOKIE, settings_of(request), path=FLOW_COOKIE_PATH)
    return response


@router.get(SIGN_IN_PATH)
async def start(request: Request, next: str = "/desk") -> Response:
    """Send the person to the organisation's provider, remembering state, nonce and the PKCE verifier."""
    settings = settings_of(request)
    try:
        party = relying_party(request)
        metadata = await party.load_metadata()
    except SignInRefused as refused:
        return _refused(request, _(refused.message), refused.status)
    flow = Flow(
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24),
        verifier=secrets.token_urlsafe(48),
        next=safe_next(next[:500], "/desk"),
        expires=int(time.time()) + FLOW_SECONDS,
    )
    response = RedirectResponse(party.authorization_url(metadata["authorization_endpoint"], flow), status_code=303)
    sealed = sealing.seal_json(settings.secret_key, FLOW_PURPOSE, flow.__dict__)
    cookies.keep(response, FLOW_COOKIE, sealed, settings, max_age=FLOW_SECONDS, path=FLOW_COOKIE_PATH)
    return response


async def _claims(request: Request, party: RelyingParty, flow: Flow | None, params: dict[str, str]) -> dict[str, Any]:
    if flow is None:
        raise SignInRefused("This sign-in has expired or was started in another browser. Please start again.")
    state = params.get("state", "")
    if not state or not hmac.compare_digest(state.encode(), flow.state.encode()):
        raise SignInRefused("This answer from the identity provider does not match the sign-in you started.")
    if not party.use_state(state):
        raise SignInRefused("This answer from the identity provider was already used. Please start again.")
    if params.get("error"):
        raise SignInRefused("The identity provider did not sign you in.", 401)
    if params.get("iss") and params["iss"] != party.issuer:
        raise SignInRefused("This answer came from a different identity provider.")
    if not params.get("code"):
        raise SignInRefused("The identity provider's answer has no sign-in code.")
    return await party.complete(code=params["code"], flow=flow)


@router.get(CALLBACK_PATH)
async def finish(
    request: Request, session: SessionDep, code: str = "", state: str = "", error: str = "", iss: str = ""
) -> Response:
    """Check the provider's answer and the ID token, map the groups and start the desk session."""
    settings = settings_of(request)
    flow = _open_flow(settings.secret_key, request.cookies.get(FLOW_COOKIE))
    try:
        party = relying_party(request)
        claims = await _claims(request, party, flow, {"code": code, "state": state, "error": error, "iss": iss})
    except SignInRefused as refused:
        log.info("staff OIDC sign-in refused (%s)", refused.status)
        return _refused(request, _(refused.message), refused.status)
    assert flow is not None
    browser = sessions.browser_summary(request.headers.get("user-agent", ""))
    token = await sso.finish(session, policy(settings), claims, hours=settings.session_hours, browser=browser)
    if isinstance(token, sso.Refusal):
        log.info("staff OIDC sign-in refused by the desk (%s)", token.value)
        return _refused(request, refusal_words(token), 403)
    response = RedirectResponse(safe_next(flow.next, "/desk"), status_code=303)
    cookies.keep(response, SESSION_COOKIE, token, settings, max_age=settings.session_hours * 3600)
    cookies.forget(response, FLOW_COOKIE, settings, path=FLOW_COOKIE_PATH)
    return response
