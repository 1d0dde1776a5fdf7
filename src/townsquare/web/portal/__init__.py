"""The residents' portal: signing in (emailed link, OpenID Connect) and their account."""

from __future__ import annotations

from fastapi import APIRouter

from townsquare.web.portal import account, oidc

# OIDC first: /account/sign-in/oidc must not be taken for a sign-in link token by /account/sign-in/{token}.
routers: list[APIRouter] = [oidc.router, account.router]
