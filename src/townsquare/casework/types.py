"""The records and words the desk names: the types its pages annotate and the vocabularies (roles, statuses,
presences, channels, kinds) its forms choose from, as the use cases hand them over.

The desk never queries these itself; it receives them from `casework` functions and reads them. Nothing here
adds behaviour: it is the one door through which the desk names the records, so the ORM stays behind the use
cases.
"""

from townsquare.agencies.models import Agency, CannedResponse, Service
from townsquare.cases.models import Case, CaseStatus, Priority
from townsquare.citizens.models import Citizen, CitizenStatus, Identity, IdentityKind, VerificationMethod
from townsquare.drafts.service import OpenDraft
from townsquare.interactions.kinds import Channel, DeliveryStatus, Direction, InteractionKind
from townsquare.knowledge.models import LANGUAGES, SHORT_ANSWER_MAX, Article, ArticleVersion, VersionStatus
from townsquare.routing.models import CapacityClass, OfferOutcome, Presence, WorkItem, WorkItemStatus
from townsquare.staff.models import ADMINISTERING, SUPERVISING, ApiKey, ApiKeyScope, StaffAccount, StaffRole

__all__ = [
    "ADMINISTERING",
    "LANGUAGES",
    "SHORT_ANSWER_MAX",
    "SUPERVISING",
    "Agency",
    "ApiKey",
    "ApiKeyScope",
    "Article",
    "ArticleVersion",
    "CannedResponse",
    "CapacityClass",
    "Case",
    "CaseStatus",
    "Channel",
    "Citizen",
    "CitizenStatus",
    "DeliveryStatus",
    "Direction",
    "Identity",
    "IdentityKind",
    "InteractionKind",
    "OfferOutcome",
    "OpenDraft",
    "Presence",
    "Priority",
    "Service",
    "StaffAccount",
    "StaffRole",
    "VerificationMethod",
    "VersionStatus",
    "WorkItem",
    "WorkItemStatus",
]
