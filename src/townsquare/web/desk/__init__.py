"""The agent desk's pages: the inbox (presence, offers, my work), the workspace (a work item, the citizen 360
view, replies, notes, case actions), the supervisor wallboard, and the websocket that keeps them live.

Every route here checks the signed-in staff member's agencies; none of them talks to a channel directly.
"""

from __future__ import annotations

from fastapi import APIRouter

from townsquare.web.desk import (
    agents,
    agreements,
    case_list,
    cofill,
    dashboards,
    inbox,
    integrators,
    knowledge,
    letters,
    live,
    merges,
    notification_templates,
    record_reviews,
    records,
    satisfaction,
    shared_data,
    staff,
    wallboard,
    webhooks,
    words,  # noqa: F401 - the desk's words, registered once for every page
    workspace,
)

routers: list[APIRouter] = [
    inbox.router,
    workspace.router,
    cofill.router,
    case_list.router,
    records.router,
    shared_data.router,
    record_reviews.router,
    merges.router,
    agreements.router,
    wallboard.router,
    dashboards.router,
    satisfaction.router,
    agents.router,
    integrators.router,
    webhooks.router,
    staff.router,
    knowledge.router,
    notification_templates.router,
    letters.router,
    live.router,
]
