"""The residents' portal: signing in (emailed link, OpenID Connect) and their account."""

from __future__ import annotations

from fastapi import APIRouter

from townsquare.web.portal import account, oidc

routers: list[APIRouter] = [account.router, oidc.router]
