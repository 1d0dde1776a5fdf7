"""Words for the audit log's codes: what was done (an action) and what it was done to (a subject's kind), and who
did it, in English and French; a code with no words yet is shown as a sentence without its dots and underscores.

Registered once as Jinja filters (`audit_action`, `audit_subject`, `audit_actor`) when the desk is imported.
"""

from __future__ import annotations

from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates


def _unknown(code: str) -> str:
    return code.replace("_", " ").replace(".", " ").strip().capitalize()


def actions() -> dict[str, str]:
    """The actions the log holds, as staff say them."""
    return {
        "citizen.read": _("Read a person's record"),
        "case.read": _("Read a case"),
        "case.open": _("Opened a case"),
        "case.status": _("Changed a case's status"),
        "case.assign": _("Assigned a case"),
        "case.assign_team": _("Gave a case to a team"),
        "case.not_duplicate": _("Marked cases as not duplicates"),
        "conversation.reply": _("Replied to a conversation"),
        "interaction.note": _("Added a note"),
        "letter.read": _("Read a letter"),
        "letter.returned": _("Recorded a returned letter"),
        "linked_records.read": _("Read linked records"),
        "notification.send": _("Sent a message"),
        "notification_template.save": _("Saved a notification template"),
        "consent.recorded": _("Recorded a consent"),
        "reminder.cancelled": _("Cancelled a reminder"),
        "appointment.booked": _("Booked an appointment"),
        "appointment.moved": _("Moved an appointment"),
        "appointment.cancelled": _("Cancelled an appointment"),
        "appointment.arrived": _("Checked someone in for an appointment"),
        "appointment.list": _("Saw an appointment in an office's day"),
        "appointment.read": _("Read an appointment"),
        "appointment.waitlist_joined": _("Joined a waiting list for appointments"),
        "record_review.read": _("Read a record review"),
        "record_review.reject": _("Rejected a record match"),
        "agency_record.import": _("Imported agency records"),
        "agency_record.put": _("Saved an agency record"),
        "agent.presence": _("Changed an agent's status"),
        "agent.update": _("Changed an agent's profile"),
        "analytics.settings_changed": _("Changed the analytics settings"),
        "api_key.create": _("Issued an API key"),
        "api_key.revoke": _("Revoked an API key"),
        "webhook.create": _("Added a webhook"),
        "webhook.remove": _("Removed a webhook"),
        "webhook.replay": _("Sent a webhook again"),
        "work_item.create": _("Created work"),
        "work_item.link_case": _("Linked work to a case"),
        "knowledge.translation_checked": _("Checked a translation"),
        "survey.comment.read": _("Read a survey comment"),
        "staff.sign_in": _("Signed in"),
        "queue.create": _("Added a queue"),
        "queue.update": _("Changed a queue"),
        "sla_target.create": _("Added an SLA target"),
        "sla_target.update": _("Changed an SLA target"),
        "calendar.create": _("Added office hours"),
        "calendar.update": _("Changed office hours"),
        "holiday.add": _("Added a holiday"),
        "holiday.remove": _("Removed a holiday"),
        "team.create": _("Added a team"),
        "team.update": _("Changed a team"),
        "wrap_up_code.create": _("Added a wrap-up code"),
        "wrap_up_code.update": _("Changed a wrap-up code"),
        "skill.create": _("Added a skill"),
        "skill.update": _("Changed a skill"),
        "audit_log.read": _("Read the audit log"),
        "audit_log.export": _("Exported the audit log"),
    }


def subjects() -> dict[str, str]:
    """The kinds of record a row is about."""
    return {
        "citizen": _("Person"),
        "case": _("Case"),
        "conversation": _("Conversation"),
        "interaction": _("Contact"),
        "letter": _("Letter"),
        "notification": _("Message"),
        "notification_template": _("Notification template"),
        "consent": _("Consent"),
        "reminder": _("Reminder"),
        "match_decision": _("Record review"),
        "citizen_merge": _("Merge of records"),
        "agency": _("Agency"),
        "agency_record": _("Agency record"),
        "agent": _("Agent"),
        "staff": _("Member of staff"),
        "sign_in": _("Sign-in"),
        "api_key": _("API key"),
        "webhook_endpoint": _("Webhook"),
        "webhook_delivery": _("Webhook delivery"),
        "work_item": _("Work"),
        "article": _("Knowledge article"),
        "knowledge_article": _("Knowledge article"),
        "satisfaction_survey": _("Satisfaction survey"),
        "analytics_settings": _("Analytics settings"),
        "draft": _("Application in progress"),
        "push_subscription": _("Push subscription"),
        "totp": _("Authenticator"),
        "queue": _("Queue"),
        "sla_target": _("SLA target"),
        "calendar": _("Office hours"),
        "team": _("Team"),
        "wrap_up_code": _("Wrap-up code"),
        "skill": _("Skill"),
        "audit_log": _("Audit log"),
    }


def action(code: object) -> str:
    text = str(code or "")
    return actions().get(text) or _unknown(text)


def subject(code: object) -> str:
    text = str(code or "")
    return subjects().get(text) or _unknown(text)


def actor(kind: object, name: str = "") -> str:
    """Who acted: a member of staff by name, else what kind of actor."""
    if name:
        return name
    words = {
        "staff": _("A member of staff"),
        "api_key": _("An integration"),
        "citizen": _("The person themselves"),
        "system": _("The system"),
    }
    text = str(kind or "")
    return words.get(text) or _unknown(text)


for _name, _filter in {"audit_action": action, "audit_subject": subject}.items():
    templates.env.filters[_name] = _filter
templates.env.globals["audit_actor"] = actor
