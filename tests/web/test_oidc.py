"""Resident sign-in with OpenID Connect against a real provider (the `oidc-provider` npm package) run by node.

The provider signs with a key the test made, so the test can also mint ID tokens that are right in every way
but one and check that each is refused.
"""

from __future__ import annotations

import base64
import json
import re
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select as sql_select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, create_citizen
from tests.support.servers import free_port
from townsquare.citizens import sessions
from townsquare.citizens.models import CitizenSession, Identity, IdentityKind, VerificationMethod
from townsquare.settings import Settings
from townsquare.web.portal import oidc

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_SCRIPT = Path(__file__).resolve().parent / "oidc_provider" / "provider.mjs"
CLIENT_ID = "townsquare-portal"
CLIENT_SECRET = "a-client-secret-for-tests-only-0123456789"


class Account(TypedDict):
    """The claims the test provider holds for its one account."""

    sub: str
    name: str
    email: str
    email_verified: bool


ACCOUNT: Account = {
    "sub": "resident-7f3a",
    "name": "Ada Resident",
    "email": "ada.resident@example.org",
    "email_verified": True,
}
KID = "provider-test-key"


@dataclass
class Provider:
    issuer: str
    key: RSAKey  # the provider's own signing key


@pytest.fixture(scope="module")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """The provider running under node on a free loopback port, stopped after the module's tests."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("node and the oidc-provider npm package are needed: run `npm ci` (package.json devDependencies)")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    key = RSAKey.generate_key(2048, parameters={"kid": KID, "alg": "RS256", "use": "sig"}, private=True)
    folder = tmp_path_factory.mktemp("oidc")
    config = {
        "issuer": issuer,
        "port": port,
        "signing_key": key.as_dict(private=True),
        "client": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uri": "http://testserver" + oidc.CALLBACK_PATH,
        },
        "account": ACCOUNT,
    }
    (folder / "config.json").write_text(json.dumps(config))
    log = (folder / "provider.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own script under node
        [node, str(PROVIDER_SCRIPT), str(folder / "config.json")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60  # a generous bound on a loaded machine, not a timing assertion
        line = ""
        while not line.startswith("ready") and process.poll() is None and time.monotonic() < deadline:
            readable, _, _ = select.select([process.stdout], [], [], 0.5)
            if readable:
                line = process.stdout.readline()
        if not line.startswith("ready"):
            pytest.fail(f"the OIDC provider did not start: {(folder / 'provider.log').read_text()[-2000:]}")
        yield Provider(issuer=issuer, key=key)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def settings(settings: Settings, oidc_provider: Provider) -> Settings:
    return settings.model_copy(
        update={"oidc_issuer": oidc_provider.issuer, "oidc_client_id": CLIENT_ID, "oidc_client_secret": CLIENT_SECRET}
    )


async def provider_login(client: httpx.AsyncClient, *, next: str = "/account") -> str:
    """Start signing in, then be the resident at the provider (log in, consent); returns the callback URL."""
    started = await client.get(oidc.SIGN_IN_PATH, params={"next": next})
    assert started.status_code == 303, started.text
    url = started.headers["location"]
    async with httpx.AsyncClient(timeout=30) as browser:
        for _ in range(12):
            if url.startswith("http://testserver/"):
                return url
            page = await browser.get(url)
            if page.is_redirect:
                url = urljoin(url, page.headers["location"])
                continue
            assert page.status_code == 200, page.text
            action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
            assert action is not None, page.text
            is_login = 'name="login"' in page.text
            form = (
                {"prompt": "login", "login": ACCOUNT["sub"], "password": "any"} if is_login else {"prompt": "consent"}
            )
            answer = await browser.post(urljoin(url, action.group(1)), data=form)
            assert answer.is_redirect, answer.text
            url = urljoin(url, answer.headers["location"])
    raise AssertionError("the provider never sent the resident back")


def replace_flow_cookie(client: httpx.AsyncClient, value: str, domain: str) -> None:
    """Put a flow cookie in the client's jar as the browser would hold it (the jar's own domain for the app)."""
    client.cookies.delete(oidc.FLOW_COOKIE)
    client.cookies.set(oidc.FLOW_COOKIE, value, domain=domain, path=oidc.FLOW_COOKIE_PATH)


def flow_cookie_domain(client: httpx.AsyncClient) -> str:
    return next(c.domain for c in client.cookies.jar if c.name == oidc.FLOW_COOKIE)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def sso_identities(session: AsyncSession, issuer: str) -> list[Identity]:
    session.expire_all()
    stmt = sql_select(Identity).where(Identity.kind == IdentityKind.sso, Identity.namespace == issuer)
    return list((await session.execute(stmt)).scalars())


async def test_round_trip_signs_the_resident_in_and_links_a_verified_identity(
    client: httpx.AsyncClient, session: AsyncSession, oidc_provider: Provider
) -> None:
    callback = await provider_login(client, next="/account/cases?x=1")
    assert parse_qs(urlsplit(callback).query)["state"]

    done = await client.get(path_of(callback))

    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/account/cases?x=1"
    token = done.cookies.get(sessions.CITIZEN_COOKIE)
    assert token
    citizen = await sessions.citizen_for(session, token=token)
    assert citizen is not None
    assert citizen.display_name == ACCOUNT["name"]
    citizen_id = citizen.id
    [identity] = await sso_identities(session, oidc_provider.issuer)
    assert identity.citizen_id == citizen_id
    assert identity.value == ACCOUNT["sub"]
    assert identity.verified
    assert identity.verification_method is VerificationMethod.oidc
    email = (await session.execute(sql_select(Identity).where(Identity.kind == IdentityKind.email))).scalar_one()
    assert (email.citizen_id, email.value, email.verified) == (citizen_id, ACCOUNT["email"], True)
    assert email.verification_method is VerificationMethod.oidc
    method = (await session.execute(sql_select(CitizenSession.method))).scalar_one()
    assert method == "oidc"
    assert 'ts_oidc=""' in done.headers.get("set-cookie", "")  # the one-time flow cookie is cleared


async def test_a_second_sign_in_finds_the_same_citizen(
    client: httpx.AsyncClient, session: AsyncSession, oidc_provider: Provider
) -> None:
    first = await client.get(path_of(await provider_login(client)))
    client.cookies.clear()
    second = await client.get(path_of(await provider_login(client)))

    assert first.status_code == second.status_code == 303
    one = await sessions.citizen_for(session, token=first.cookies[sessions.CITIZEN_COOKIE])
    two = await sessions.citizen_for(session, token=second.cookies[sessions.CITIZEN_COOKIE])
    assert one is not None
    assert two is not None
    assert one.id == two.id
    assert len(await sso_identities(session, oidc_provider.issuer)) == 1
    assert await count(session, Identity, Identity.kind == IdentityKind.email) == 1


async def test_a_verified_email_that_belongs_to_someone_else_is_not_merged(
    client: httpx.AsyncClient, session: AsyncSession, oidc_provider: Provider
) -> None:
    other = await create_citizen(session, name="Someone Else", email=ACCOUNT["email"])
    await session.commit()

    done = await client.get(path_of(await provider_login(client)))

    assert done.status_code == 303
    citizen = await sessions.citizen_for(session, token=done.cookies[sessions.CITIZEN_COOKIE])
    assert citizen is not None
    assert citizen.id != other.id
    email = (await session.execute(sql_select(Identity).where(Identity.kind == IdentityKind.email))).scalar_one()
    assert email.citizen_id == other.id
    assert not email.verified


async def test_next_must_be_one_of_our_own_pages(client: httpx.AsyncClient) -> None:
    done = await client.get(path_of(await provider_login(client, next="//elsewhere.example/steal")))

    assert done.status_code == 303
    assert done.headers["location"] == "/account"


async def test_a_replayed_answer_is_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    callback = await provider_login(client)
    started_flow, domain = client.cookies[oidc.FLOW_COOKIE], flow_cookie_domain(client)
    first = await client.get(path_of(callback))
    assert first.status_code == 303
    client.cookies.clear()
    replace_flow_cookie(client, started_flow, domain)

    replay = await client.get(path_of(callback))

    assert replay.status_code == 400
    assert "already used" in replay.text, re.findall(r"<p>(.*?)</p>", replay.text)
    assert sessions.CITIZEN_COOKIE not in replay.cookies
    assert await count(session, CitizenSession) == 1


async def test_an_answer_without_the_flow_cookie_or_with_another_state_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    callback = await provider_login(client)
    query = parse_qs(urlsplit(callback).query)
    other_state = oidc.CALLBACK_PATH + "?" + urlencode({"code": query["code"][0], "state": "not-the-state"})

    wrong_state = await client.get(other_state)
    client.cookies.clear()
    no_cookie = await client.get(path_of(callback))

    assert wrong_state.status_code == 400
    assert "does not match" in wrong_state.text
    assert no_cookie.status_code == 400
    assert "expired or was started in another browser" in no_cookie.text
    assert await count(session, CitizenSession) == 0


async def test_an_id_token_with_another_nonce_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    callback = await provider_login(client)
    flow = oidc.open_flow(settings.secret_key, client.cookies[oidc.FLOW_COOKIE])
    assert flow is not None
    # Same state and verifier, so only the nonce differs from what the provider put in the ID token.
    swapped = oidc.Flow(flow.state, "another-nonce", flow.verifier, flow.next, flow.expires)
    replace_flow_cookie(client, oidc.seal_flow(settings.secret_key, swapped), flow_cookie_domain(client))

    refused = await client.get(path_of(callback))

    assert refused.status_code == 401
    assert "does not belong to the sign-in you started" in refused.text
    assert '<h1 class="govuk-heading-l">We could not sign you in</h1>' in refused.text
    assert "<title>Error: We could not sign you in" in refused.text
    assert await count(session, CitizenSession) == 0


async def test_a_flow_cookie_signed_with_another_secret_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    callback = await provider_login(client)
    flow = oidc.open_flow(settings.secret_key, client.cookies[oidc.FLOW_COOKIE])
    assert flow is not None
    forged = oidc.seal_flow("some-other-deployment-secret", flow)
    replace_flow_cookie(client, forged, flow_cookie_domain(client))

    refused = await client.get(path_of(callback))

    assert refused.status_code == 400
    assert await count(session, CitizenSession) == 0


async def test_sign_in_is_a_readable_404_when_no_provider_is_configured(
    client: httpx.AsyncClient, app: Any, settings: Settings
) -> None:
    app.state.settings = settings.model_copy(update={"oidc_issuer": None})

    page = await client.get(oidc.SIGN_IN_PATH)

    assert page.status_code == 404
    assert "not available here" in page.text


# The ID token checks themselves, with tokens minted by the test: each is right in every way but one.


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "http://provider.test",
        "sub": ACCOUNT["sub"],
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 300,
        "nonce": "the-nonce",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _validate(token: str, keys: KeySet) -> dict[str, Any]:
    return oidc.validate_id_token(
        token, keys=keys, issuer="http://provider.test", client_id=CLIENT_ID, nonce="the-nonce", algorithms=["RS256"]
    )


@pytest.fixture(scope="module")
def provider_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": KID, "alg": "RS256", "use": "sig"}, private=True)


@pytest.fixture(scope="module")
def published(provider_key: RSAKey) -> KeySet:
    """What the provider's JWKS endpoint publishes: only the public half."""
    return KeySet.import_key_set({"keys": [provider_key.as_dict(private=False)]})


def test_a_token_right_in_every_way_is_accepted(provider_key: RSAKey, published: KeySet) -> None:
    token = jwt.encode({"alg": "RS256", "kid": KID}, _claims(), provider_key)

    assert _validate(token, published)["sub"] == ACCOUNT["sub"]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"aud": "some-other-service"}, "meant for a different service"),
        ({"aud": ["some-other-service"], "azp": CLIENT_ID}, "meant for a different service"),
        ({"iss": "http://impostor.test"}, "different identity provider"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "has expired"),
        ({"nonce": "a-replayed-nonce"}, "does not belong to the sign-in you started"),
        ({"nonce": None}, "it is incomplete"),
        ({"exp": None}, "it is incomplete"),
    ],
)
def test_a_token_wrong_in_one_claim_is_refused(
    provider_key: RSAKey, published: KeySet, changes: dict[str, Any], reason: str
) -> None:
    token = jwt.encode({"alg": "RS256", "kid": KID}, _claims(**changes), provider_key)

    with pytest.raises(oidc.SignInRefused, match=reason) as refused:
        _validate(token, published)
    assert refused.value.status == 401


def test_a_token_signed_with_another_key_is_refused(published: KeySet) -> None:
    impostor = RSAKey.generate_key(2048, parameters={"kid": KID, "alg": "RS256"}, private=True)
    token = jwt.encode({"alg": "RS256", "kid": KID}, _claims(), impostor)

    with pytest.raises(oidc.SignInRefused, match="signature is not right"):
        _validate(token, published)


def test_a_token_whose_claims_were_altered_after_signing_is_refused(provider_key: RSAKey, published: KeySet) -> None:
    header, _, signature = jwt.encode({"alg": "RS256", "kid": KID}, _claims(), provider_key).split(".")
    forged_claims = jwt.encode({"alg": "RS256", "kid": KID}, _claims(sub="someone-else"), provider_key).split(".")[1]

    with pytest.raises(oidc.SignInRefused, match="signature is not right"):
        _validate(f"{header}.{forged_claims}.{signature}", published)


def test_an_unsigned_token_is_refused(published: KeySet) -> None:
    def b64(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    token = f"{b64({'alg': 'none', 'kid': KID})}.{b64(_claims())}."

    with pytest.raises(oidc.SignInRefused):
        _validate(token, published)


def test_a_token_naming_an_unpublished_key_asks_for_the_keys_again(provider_key: RSAKey, published: KeySet) -> None:
    token = jwt.encode({"alg": "RS256", "kid": "rotated-key"}, _claims(), provider_key)

    with pytest.raises(oidc.UnknownKey):
        _validate(token, published)
