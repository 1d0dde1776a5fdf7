"""The events an integrator may subscribe to, each with what its `data` holds: ids, references and statuses only.

The one list the API checks subscriptions against and the documentation (docs/channels/webhooks.md) describes.
"""

from __future__ import annotations

from types import MappingProxyType

from townsquare.events import CaseStatusChanged, NotificationChanged

NOTIFICATION_STATUS_CHANGED = NotificationChanged.name  # the platform's own event, told outward
CASE_CREATED = "case.created"
CASE_STATUS_CHANGED = CaseStatusChanged.name  # the same change as the platform's own event, told outward

EVENT_TYPES = MappingProxyType(
    {
        NOTIFICATION_STATUS_CHANGED: "A notification moved: sending on a channel, sent, delivered, or failed on "
        "every channel (the delivery receipt). data: notification_id, reference (yours), case_reference, status, "
        "channel, attempt, at.",
        CASE_CREATED: "A case was opened. data: case_id, reference, status, agency, service_code, channel, at.",
        CASE_STATUS_CHANGED: "A case moved along its workflow. "
        "data: case_id, reference, from_status, status, agency, at.",
    }
)
