"""The agent desk's pages: the inbox (presence, offers, my work), the workspace (a work item, the citizen 360
view, replies, notes, case actions), the supervisor wallboard, and the websocket that keeps them live.

Every route here checks the signed-in staff member's agencies; none of them talks to a channel directly.
"""

from __future__ import annotations

from fastapi import APIRouter

from townsquare.web.desk import (
    admin_forms,
    agents,
    agreements,
    calls,
    case_list,
    cofill,
    dashboards,
    inbox,
    integrators,
    knowledge,
    labels,  # noqa: F401 - the words of the running pages, registered once
    letters,
    live,
    merges,
    notification_templates,
    open_drafts,
    outbound,
    queue_admin,
    record_edit,
    record_reviews,
    records,
    satisfaction,
    shared_data,
    staff,
    wallboard,
    webhooks,
    words,  # noqa: F401 - the desk's words, registered once for every page
    workspace,
    workspace_actions,
)

routers: list[APIRouter] = [
    admin_forms.router,
    inbox.router,
    workspace.router,
    calls.router,
    workspace_actions.router,
    cofill.router,
    case_list.router,
    records.router,
    shared_data.router,
    record_reviews.router,
    merges.router,
    record_edit.router,
    outbound.router,
    open_drafts.router,
    agreements.router,
    wallboard.router,
    queue_admin.router,
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
