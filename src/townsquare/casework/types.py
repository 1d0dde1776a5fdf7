"""The records and words the desk names: the types its pages annotate and the vocabularies (roles, statuses,
presences) its forms choose from, as the use cases hand them over.

The desk never queries these itself; it receives them from `casework` functions and reads them. Nothing here
adds behaviour: it is the one door through which the desk names the records, so the ORM stays behind the use
cases.
"""

from townsquare.agencies.models import Agency, Service
from townsquare.cases.models import Case, CaseStatus
from townsquare.citizens.models import Citizen, IdentityKind
from townsquare.knowledge.models import LANGUAGES, SHORT_ANSWER_MAX, Article, ArticleVersion, VersionStatus
from townsquare.routing.models import CapacityClass, Presence, WorkItem, WorkItemStatus
from townsquare.staff.models import ApiKey, ApiKeyScope, StaffAccount, StaffRole

__all__ = [
    "LANGUAGES",
    "SHORT_ANSWER_MAX",
    "Agency",
    "ApiKey",
    "ApiKeyScope",
    "Article",
    "ArticleVersion",
    "CapacityClass",
    "Case",
    "CaseStatus",
    "Citizen",
    "IdentityKind",
    "Presence",
    "Service",
    "StaffAccount",
    "StaffRole",
    "VersionStatus",
    "WorkItem",
    "WorkItemStatus",
]
