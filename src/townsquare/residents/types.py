"""The records and words the portal names: the types its pages annotate and the vocabularies (kinds of contact,
statuses, channels, datatypes) its pages choose from, as the residents' use cases hand them over.

The portal never queries these itself; it receives them from `residents` functions and domain services and reads
them. Nothing here adds behaviour: it is the one door through which the portal names the records, so the ORM
stays behind the use cases.
"""

from townsquare.agencies.models import Agency, AttributeDatatype, Service, ServiceAttribute
from townsquare.cases.models import Case, CaseStatus
from townsquare.citizens.models import Citizen, CitizenTotp, IdentityKind
from townsquare.drafts.models import Draft
from townsquare.interactions.models import Channel, Direction, Interaction, InteractionKind
from townsquare.knowledge.models import LANGUAGES, Article, ArticleVersion
from townsquare.places.models import Place

__all__ = [
    "LANGUAGES",
    "Agency",
    "Article",
    "ArticleVersion",
    "AttributeDatatype",
    "Case",
    "CaseStatus",
    "Channel",
    "Citizen",
    "CitizenTotp",
    "Direction",
    "Draft",
    "IdentityKind",
    "Interaction",
    "InteractionKind",
    "Place",
    "Service",
    "ServiceAttribute",
]
