"""Resident sign-in with OpenID Connect: authorization code with PKCE, state and nonce, against the configured provider.

Never signs anyone in on an ID token whose signature, issuer, audience, expiry or nonce is not right, and never
merges two people: a verified email that already belongs to another record is left where it is.
"""

from __future__ import annotations

import base64
import hmac
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri  # type: ignore[import-untyped]
from authlib.oauth2.rfc7636 import create_s256_code_challenge  # type: ignore[import-untyped]
from authlib.oidc.core import CodeIDToken  # type: ignore[import-untyped]
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError, MissingClaimError
from joserfc.jwk import KeySet

from townsquare import sealing
from townsquare.db.deps import SessionDep
from townsquare.residents import visits
from townsquare.settings import Settings
from townsquare.web import cookies
from townsquare.web.portal.common import safe_next, set_citizen_cookie, settings_of
from townsquare.web.templating import templates

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

SIGN_IN_PATH = "/account/oidc/sign-in"
CALLBACK_PATH = "/account/oidc/callback"
FLOW_COOKIE = "ts_oidc"
FLOW_COOKIE_PATH = "/account/oidc"
FLOW_SECONDS = 600
LEEWAY_SECONDS = 60
PROVIDER_TIMEOUT_SECONDS = 10.0
DEFAULT_ALGORITHMS = ["RS256"]


class SignInRefused(Exception):
    """Why an OpenID Connect sign-in was refused, in words a resident can read."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Flow:
    """What the sign-in started with, kept in a short-lived signed cookie until the provider sends the person back."""

    state: str
    nonce: str
    verifier: str
    next: str
    expires: int


@dataclass
class RelyingParty:
    """This deployment as an OpenID Connect client: the provider's metadata and keys, fetched once per process."""

    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    redirect_uri: str
    metadata: dict[str, Any] | None = None
    keys: KeySet | None = None
    used_states: dict[str, float] = field(default_factory=dict)

    def authorization_url(self, endpoint: str, flow: Flow) -> str:
        """Where to send the resident: the code flow with state, nonce and an S256 PKCE challenge."""
        url: str = prepare_grant_uri(
            endpoint,
            self.client_id,
            "code",
            redirect_uri=self.redirect_uri,
            scope=self.scopes,
            state=flow.state,
            nonce=flow.nonce,
            code_challenge=create_s256_code_challenge(flow.verifier),
            code_challenge_method="S256",
        )
        return url

    async def exchange(self, endpoint: str, *, code: str, verifier: str) -> dict[str, Any]:
        """The provider's tokens for a code (client_secret_basic, RFC 6749 section 2.3.1)."""
        credentials = f"{quote(self.client_id, safe='')}:{quote(self.client_secret, safe='')}"
        basic = base64.b64encode(credentials.encode()).decode()
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri}
        form["code_verifier"] = verifier
        try:
            async with httpx.AsyncClient(timeout=PROVIDER_TIMEOUT_SECONDS) as client:
                response = await client.post(
                    endpoint, data=form, headers={"Authorization": f"Basic {basic}", "Accept": "application/json"}
                )
            body = response.json()
        except (httpx.HTTPError, ValueError):
            raise SignInRefused("The identity provider could not be reached. Please try again.", 502) from None
        if response.status_code != 200 or not isinstance(body, dict) or "error" in body:
            raise SignInRefused("The identity provider did not accept this sign-in (it may have been used).")
        return body

    async def load_metadata(self) -> dict[str, Any]:
        """The provider's discovery document; its issuer must be exactly the configured one."""
        if self.metadata is None:
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            metadata = await _get_json(url)
            if metadata.get("issuer") != self.issuer:
                raise SignInRefused("The identity provider describes itself as a different issuer.", 502)
            for needed in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(metadata.get(needed), str):
                    raise SignInRefused("The identity provider's description is incomplete.", 502)
            self.metadata = metadata
        return self.metadata

    async def key_set(self, *, refresh: bool = False) -> KeySet:
        """The provider's signing keys, fetched again when a token names a key we have not seen (rotation)."""
        if self.keys is None or refresh:
            metadata = await self.load_metadata()
            try:
                self.keys = KeySet.import_key_set(await _get_json(metadata["jwks_uri"]))  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError, KeyError):
                raise SignInRefused("The identity provider's signing keys could not be read.", 502) from None
        return self.keys

    def use_state(self, state: str) -> bool:
        """Mark a state as answered; False if it already was (a replayed answer)."""
        now = time.monotonic()
        for old, until in list(self.used_states.items()):
            if until < now:
                del self.used_states[old]
        if state in self.used_states:
            return False
        self.used_states[state] = now + FLOW_SECONDS
        return True

    @property
    def algorithms(self) -> list[str]:
        offered = (self.metadata or {}).get("id_token_signing_alg_values_supported")
        allowed = [a for a in offered if isinstance(a, str) and a != "none"] if isinstance(offered, list) else []
        return allowed or DEFAULT_ALGORITHMS

    def validate(self, id_token: str, *, keys: KeySet, nonce: str, access_token: object) -> dict[str, Any]:
        token_for_hash = access_token if isinstance(access_token, str) else None
        return validate_id_token(
            id_token,
            keys=keys,
            issuer=self.issuer,
            client_id=self.client_id,
            nonce=nonce,
            algorithms=self.algorithms,
            access_token=token_for_hash,
        )

    async def complete(self, *, code: str, flow: Flow) -> dict[str, Any]:
        """Exchange the code for tokens and return the person's checked claims (ID token, then userinfo)."""
        metadata = await self.load_metadata()
        token = await self.exchange(metadata["token_endpoint"], code=code, verifier=flow.verifier)
        id_token = token.get("id_token")
        access_token = token.get("access_token")
        if not isinstance(id_token, str):
            raise SignInRefused("The identity provider did not send an ID token.", 401)
        keys = await self.key_set()
        try:
            claims = self.validate(id_token, keys=keys, nonce=flow.nonce, access_token=access_token)
        except UnknownKey:
            keys = await self.key_set(refresh=True)
            claims = self.validate(id_token, keys=keys, nonce=flow.nonce, access_token=access_token)
        endpoint = metadata.get("userinfo_endpoint")
        if isinstance(endpoint, str) and isinstance(access_token, str):
            userinfo = await _get_json(endpoint, bearer=access_token)
            if userinfo.get("sub") != claims["sub"]:
                raise SignInRefused("The identity provider described a different person than it signed in.", 401)
            claims = {**userinfo, **claims}
        return claims


class UnknownKey(SignInRefused):
    """The ID token names a signing key the provider has not published (or not yet, to us)."""


def validate_id_token(
    id_token: str,
    *,
    keys: KeySet,
    issuer: str,
    client_id: str,
    nonce: str,
    algorithms: list[str],
    access_token: str | None = None,
    now: int | None = None,
) -> dict[str, Any]:
    """The ID token's claims if its signature (the provider's keys), iss, aud, exp, iat and nonce are all right."""
    try:
        decoded = jwt.decode(id_token, keys, algorithms=algorithms)
    except InvalidKeyIdError:
        raise UnknownKey("The sign-in was signed with a key the identity provider does not publish.", 401) from None
    except (JoseError, ValueError):
        raise SignInRefused("The sign-in could not be checked: its signature is not right.", 401) from None
    options = {"iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "value": client_id}}
    params = {"nonce": nonce, "client_id": client_id, "access_token": access_token}
    claims = CodeIDToken(decoded.claims, decoded.header, options, params)
    try:
        claims.validate(now=now if now is not None else int(time.time()), leeway=LEEWAY_SECONDS)
    except ExpiredTokenError:
        raise SignInRefused("The sign-in has expired. Please start again.", 401) from None
    except MissingClaimError:
        raise SignInRefused("The sign-in was refused because it is incomplete.", 401) from None
    except ClaimError as exc:
        raise SignInRefused(_claim_message(exc.claim), 401) from None
    except JoseError:
        raise SignInRefused("The sign-in could not be checked.", 401) from None
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise SignInRefused("The sign-in does not say who you are.", 401)
    return dict(claims)


def _claim_message(claim: str) -> str:
    reasons = {
        "iss": "it came from a different identity provider",
        "aud": "it was meant for a different service",
        "azp": "it was meant for a different service",
        "nonce": "it does not belong to the sign-in you started",
        "iat": "its time is not right",
        "nbf": "it is not valid yet",
        "exp": "it has expired",
        "at_hash": "its parts do not match",
    }
    return f"The sign-in was refused because {reasons.get(claim, 'it is incomplete')}."


async def _get_json(url: str, *, bearer: str | None = None) -> dict[str, Any]:
    headers = {"Accept": "application/json"}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    try:
        async with httpx.AsyncClient(timeout=PROVIDER_TIMEOUT_SECONDS) as client:
            response = await client.get(url, headers=headers)
            response.raise_for_status()
            body = response.json()
    except (httpx.HTTPError, ValueError):
        raise SignInRefused("The identity provider could not be reached. Please try again.", 502) from None
    if not isinstance(body, dict):
        raise SignInRefused("The identity provider sent an answer we could not read.", 502)
    return body


def relying_party(request: Request) -> RelyingParty:
    """This app's OpenID Connect client, built once from the settings; a 404 refusal when none is configured."""
    existing: RelyingParty | None = getattr(request.app.state, "oidc_relying_party", None)
    if existing is not None:
        return existing
    settings = settings_of(request)
    if not (settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret):
        raise SignInRefused("Signing in with an identity provider is not available here.", 404)
    party = RelyingParty(
        issuer=settings.oidc_issuer,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        scopes=settings.oidc_scopes,
        redirect_uri=settings.public_url.rstrip("/") + CALLBACK_PATH,
    )
    request.app.state.oidc_relying_party = party
    return party


def seal_flow(secret: str, flow: Flow) -> str:
    """The flow as a cookie value only this deployment can mint."""
    return sealing.seal_json(secret, "oidc-flow", flow.__dict__)


def open_flow(secret: str, value: str | None) -> Flow | None:
    """The flow inside a cookie this deployment minted and that has not expired; None for anything else."""
    data = sealing.unseal_json(secret, "oidc-flow", value)
    if data is None:
        return None
    try:
        flow = Flow(**data)
    except (ValueError, TypeError):
        return None
    return flow if flow.expires > time.time() else None


def _refused(request: Request, refused: SignInRefused) -> Response:
    response = templates.TemplateResponse(
        request, "portal/oidc_refused.html", {"message": refused.message}, status_code=refused.status
    )
    _forget_flow(response, settings_of(request))
    return response


def _forget_flow(response: Response, settings: Settings) -> None:
    cookies.forget(response, FLOW_COOKIE, settings, path=FLOW_COOKIE_PATH)


@router.get(SIGN_IN_PATH)
async def start_sign_in(request: Request, next: str = "/account") -> Response:
    """Send the resident to the identity provider, remembering state, nonce and the PKCE verifier."""
    settings = settings_of(request)
    try:
        party = relying_party(request)
        metadata = await party.load_metadata()
    except SignInRefused as refused:
        return _refused(request, refused)
    flow = Flow(
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24),
        verifier=secrets.token_urlsafe(48),
        next=safe_next(next[:500]),
        expires=int(time.time()) + FLOW_SECONDS,
    )
    response = RedirectResponse(party.authorization_url(metadata["authorization_endpoint"], flow), status_code=303)
    cookies.keep(
        response,
        FLOW_COOKIE,
        seal_flow(settings.secret_key, flow),
        settings,
        max_age=FLOW_SECONDS,
        path=FLOW_COOKIE_PATH,
    )
    return response


@router.get(CALLBACK_PATH)
async def finish_sign_in(
    request: Request, session: SessionDep, code: str = "", state: str = "", error: str = "", iss: str = ""
) -> Response:
    """Check the provider's answer and the ID token, link the person's record and start their session."""
    settings = settings_of(request)
    try:
        party = relying_party(request)
        flow = open_flow(settings.secret_key, request.cookies.get(FLOW_COOKIE))
        if flow is None:
            raise SignInRefused("This sign-in has expired or was started in another browser. Please start again.")
        if not state or not hmac.compare_digest(state.encode(), flow.state.encode()):
            raise SignInRefused("This answer from the identity provider does not match the sign-in you started.")
        if not party.use_state(state):
            raise SignInRefused("This answer from the identity provider was already used. Please start again.")
        if error:
            raise SignInRefused("The identity provider did not sign you in.", 401)
        if iss and iss != party.issuer:
            raise SignInRefused("This answer came from a different identity provider.")
        if not code:
            raise SignInRefused("The identity provider's answer has no sign-in code.")
        claims = await party.complete(code=code, flow=flow)
    except SignInRefused as refused:
        log.info("OIDC sign-in refused (%s)", refused.status)
        return _refused(request, refused)
    token = await visits.finish_oidc_sign_in(
        session,
        issuer=party.issuer,
        claims=claims,
        region=settings.default_region,
        hours=settings.citizen_session_hours,
        device=request.headers.get("user-agent", "")[:200],
    )
    response = RedirectResponse(safe_next(flow.next), status_code=303)
    set_citizen_cookie(response, token, settings)
    _forget_flow(response, settings)
    return response
