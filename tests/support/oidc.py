"""A real OpenID Connect provider for staff sign-in tests: the `oidc-provider` npm package run by node
(tests/web/oidc_provider/provider.mjs) with the accounts and groups a test gives, and the settings that point the
app's desk at it.

    with staff_provider(tmp_path, [StaffPerson("ana", "ana@city.example", groups=["roads-agents"])],
                        public_url="http://testserver") as provider:
        settings = settings.model_copy(update=provider.settings(mapping={"roads-agents": {...}}))
        callback = await provider.login(client, "ana")    # signs in at the provider; the app's callback URL

The provider puts the groups claim in the ID token itself (as Entra ID and Keycloak do).
"""

from __future__ import annotations

import json
import re
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
from joserfc.jwk import RSAKey
from playwright.async_api import Page

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_SCRIPT = ROOT / "tests" / "web" / "oidc_provider" / "provider.mjs"
DESK_CLIENT_ID = "townsquare-desk"
DESK_CLIENT_SECRET = "a-desk-client-secret-for-tests-only-0123456789"
CALLBACK_PATH = "/desk/sso/callback"
SIGN_IN_PATH = "/desk/sso/sign-in"


@dataclass(frozen=True)
class StaffPerson:
    """An account at the provider; `groups` None leaves the groups claim out of its tokens altogether."""

    sub: str
    email: str
    name: str = "Staff Person"
    groups: list[str] | None = None
    email_verified: bool = True

    def claims(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "sub": self.sub,
            "name": self.name,
            "email": self.email,
            "email_verified": self.email_verified,
        }
        if self.groups is not None:
            found["groups"] = self.groups
        return found


@dataclass
class StaffProvider:
    """The running provider: its issuer, and the app settings that point the desk at it."""

    issuer: str
    people: list[StaffPerson] = field(default_factory=list)

    def settings(self, *, mapping: dict[str, Any], create_accounts: bool = False, **more: Any) -> dict[str, Any]:
        """Settings (for `Settings.model_copy(update=...)`) that sign staff in with this provider."""
        return {
            "staff_oidc_issuer": self.issuer,
            "staff_oidc_client_id": DESK_CLIENT_ID,
            "staff_oidc_client_secret": DESK_CLIENT_SECRET,
            "staff_oidc_scopes": "openid email profile groups",
            "staff_oidc_display_name": "City Login",
            "staff_oidc_group_mapping": json.dumps(mapping),
            "staff_oidc_create_accounts": create_accounts,
            **more,
        }

    async def login(self, client: httpx.AsyncClient, sub: str, *, next: str = "/desk") -> str:
        """Start the desk's sign-in with `client`, then be `sub` at the provider (log in, consent); returns the
        callback URL the provider sends the browser back to (for `client.get`)."""
        started = await client.get(SIGN_IN_PATH, params={"next": next})
        assert started.status_code == 303, started.text
        url = started.headers["location"]
        base = str(client.base_url).rstrip("/")
        async with httpx.AsyncClient(timeout=30) as browser:
            for _ in range(12):
                if url.startswith(base + "/"):
                    return url[len(base) :]
                page = await browser.get(url)
                if page.is_redirect:
                    url = urljoin(url, page.headers["location"])
                    continue
                assert page.status_code == 200, page.text
                action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
                assert action is not None, page.text
                is_login = 'name="login"' in page.text
                form = {"prompt": "login", "login": sub, "password": "any"} if is_login else {"prompt": "consent"}
                answer = await browser.post(urljoin(url, action.group(1)), data=form)
                assert answer.is_redirect, answer.text
                url = urljoin(url, answer.headers["location"])
        raise AssertionError("the provider never sent the browser back")


async def sign_in_in_browser(page: Page, desk_url: str, sub: str, *, display_name: str = "City Login") -> None:
    """In a browser: from the desk's sign-in page through the provider (log in as `sub`, consent) back to the desk."""
    await page.goto(f"{desk_url}/desk/sign-in")
    await page.click(f"text=Sign in with {display_name}")
    await page.fill("input[name=login]", sub)
    await page.fill("input[name=password]", "any")
    await page.click("button[type=submit]")
    await page.click("button[type=submit]")  # the provider's consent
    await page.wait_for_url(f"{desk_url}/desk")


@contextmanager
def staff_provider(folder: Path, people: list[StaffPerson], *, public_url: str) -> Iterator[StaffProvider]:
    """The provider under node on a free loopback port, with the desk as a client whose callback is on
    `public_url`; stopped on leaving."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("node and the oidc-provider npm package are needed: run `npm ci`")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    key = RSAKey.generate_key(2048, parameters={"kid": "staff-test-key", "alg": "RS256", "use": "sig"}, private=True)
    desk = {
        "client_id": DESK_CLIENT_ID,
        "client_secret": DESK_CLIENT_SECRET,
        "redirect_uri": public_url.rstrip("/") + CALLBACK_PATH,
    }
    config = {
        "issuer": issuer,
        "port": port,
        "signing_key": key.as_dict(private=True),
        "client": desk,
        "accounts": [p.claims() for p in people],
        "id_token_claims": True,
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config))
    log_path = folder / "provider.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own script under node
            [node, str(PROVIDER_SCRIPT), str(folder / "config.json")],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        try:
            _wait_ready(process, log_path)
            yield StaffProvider(issuer, list(people))
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(process: subprocess.Popen[str], log_path: Path) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + 60  # a generous bound on a loaded machine, not a timing assertion
    line = ""
    while not line.startswith("ready") and process.poll() is None and time.monotonic() < deadline:
        readable, _, _ = select.select([process.stdout], [], [], 0.5)
        if readable:
            line = process.stdout.readline()
    if not line.startswith("ready"):
        raise RuntimeError(f"the OIDC provider did not start: {log_path.read_text()[-2000:]}")
