"""The residents' portal: services and search, applications, cases and messages, the account, signing in."""

from __future__ import annotations

from fastapi import APIRouter

from townsquare.web.portal import (
    account,
    apply,
    apply_autosave,
    cases,
    conversations,
    files,
    help,
    identities,
    language,
    map,
    notification_choices,
    oidc,
    push,
    pwa,
    reminders,
    reports,
    security,
    services,
)

routers: list[APIRouter] = [
    account.router,
    oidc.router,
    language.router,
    services.router,
    apply.router,
    apply_autosave.router,
    cases.router,
    conversations.router,
    identities.router,
    security.router,
    help.router,
    map.router,
    reports.router,
    reminders.router,
    notification_choices.router,
    pwa.router,
    push.router,
    files.router,
]
