"""The residents' portal: services and search, applications, cases and messages, appointments, the account, signing
in."""

from __future__ import annotations

from fastapi import APIRouter

from townsquare.web.portal import (
    access_log,
    account,
    apply,
    apply_autosave,
    apply_photo,
    apply_prefill,
    appointment_links,
    appointments,
    cases,
    conversations,
    data_sharing,
    declared,
    files,
    guest_contact,
    help,
    identities,
    language,
    map,
    notification_choices,
    oidc,
    open_data,
    push,
    pwa,
    reminders,
    reports,
    security,
    services,
    survey,
    together,
    together_live,
    together_upload,
)
from townsquare.web.portal.content import agency_text
from townsquare.web.templating import templates

templates.env.globals["agency_text"] = agency_text  # an agency's name in the page's language, on any page

routers: list[APIRouter] = [
    account.router,
    oidc.router,
    language.router,
    services.router,
    apply.router,
    apply_autosave.router,
    apply_photo.router,
    apply_prefill.router,
    guest_contact.router,
    appointment_links.router,  # before appointments: /appointments/manage/… is not an office
    appointments.router,
    cases.router,
    conversations.router,
    identities.router,
    security.router,
    help.router,
    map.router,
    reports.router,
    reminders.router,
    declared.router,
    notification_choices.router,
    survey.router,
    pwa.router,
    push.router,
    files.router,
    data_sharing.router,
    access_log.router,
    open_data.router,
    together.router,
    together_live.router,
    together_upload.router,
]
