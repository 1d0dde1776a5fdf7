"""The demo city's agencies, contact points, services (with forms) and staff accounts."""

from __future__ import annotations

from typing import Any

DEMO_PASSWORD = "townsquare-demo"  # noqa: S105 - printed at start; demo data only

AGENCIES: list[dict[str, Any]] = [
    {
        "slug": "city-works",
        "name": "City Works",
        "description": "Roads, street lights, waste collection, trees and graffiti.",
        "email": "works@city.example",
        "phone": "+16135550100",
        "contact_points": [("sms", "+16135550100"), ("voice", "+16135550100"), ("email", "works@city.example")],
    },
    {
        "slug": "transport-licensing",
        "name": "Transport & Licensing",
        "description": "Driver's licences, vehicle registration and parking.",
        "email": "licensing@city.example",
        "phone": "+16135550200",
        "contact_points": [("sms", "+16135550200"), ("voice", "+16135550200"), ("email", "licensing@city.example")],
    },
    {
        "slug": "revenue",
        "name": "Revenue & Taxation",
        "description": "Property tax, instalment plans, rebates and business licences.",
        "email": "tax@city.example",
        "phone": "+16135550300",
        "contact_points": [("sms", "+16135550300"), ("voice", "+16135550300"), ("email", "tax@city.example")],
    },
]

YES_NO = [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]
YES_NO_FR = {"yes": "Oui", "no": "Non"}


def _attr(
    code: str,
    datatype: str,
    description: str,
    *,
    required: bool = False,
    values: Any = None,
    hint: str = "",
    page: int = 1,
    fr: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One form question; `fr` holds its French wording (description, datatype_description, values)."""
    return {
        "code": code,
        "datatype": datatype,
        "description": description,
        "datatype_description": hint,
        "required": required,
        "values": values or [],
        "page": page,
        "translations": {"fr": fr} if fr else {},
    }


SERVICES: list[dict[str, Any]] = [
    {
        "code": "POTHOLE",
        "agency": "city-works",
        "group": "Streets",
        "name": "Report a pothole",
        "sla": 72,
        "description": "Tell us about a pothole on a city street or lane.",
        "keywords": ["pothole", "road", "street", "hole", "nid-de-poule"],
        "open311": True,
        "notice": "We inspect reported potholes within 3 business days and fill them within 10. A hole that makes "
        "a road unsafe is made safe the same day.",
        "fr": {
            "name": "Signaler un nid-de-poule",
            "description": "Signalez-nous un nid-de-poule dans une rue ou une ruelle de la ville.",
            "group": "Rues",
            "keywords": ["chaussée", "trou", "route"],
            "notice": "Nous inspectons les nids-de-poule signalés en 3 jours ouvrables et les réparons en 10. Un trou "
            "qui rend une rue dangereuse est sécurisé le jour même.",
        },
        "attributes": [
            _attr(
                "size",
                "singlevaluelist",
                "How big is it?",
                required=True,
                values=[
                    {"key": "small", "name": "Smaller than a dinner plate"},
                    {"key": "medium", "name": "Up to a tyre"},
                    {"key": "large", "name": "Bigger than a tyre"},
                ],
                fr={
                    "description": "Quelle est sa taille?",
                    "values": {
                        "small": "Plus petit qu'une assiette",
                        "medium": "Jusqu'à la taille d'un pneu",
                        "large": "Plus grand qu'un pneu",
                    },
                },
            ),
            _attr(
                "in_bike_lane",
                "singlevaluelist",
                "Is it in a bike lane?",
                values=YES_NO,
                fr={"description": "Est-il dans une piste cyclable?", "values": YES_NO_FR},
            ),
        ],
    },
    {
        "code": "STREETLIGHT",
        "agency": "city-works",
        "group": "Streets",
        "name": "Street light out",
        "sla": 120,
        "description": "Report a street light that is out, flickering or damaged.",
        "keywords": ["light", "lamp", "streetlight", "dark"],
        "open311": True,
        "notice": "Street lights are repaired within 5 business days. If a pole is down or wires are showing, call "
        "us right away.",
        "fr": {
            "name": "Lampadaire éteint",
            "description": "Signalez un lampadaire éteint, qui clignote ou qui est endommagé.",
            "group": "Rues",
            "keywords": ["éclairage", "lumière", "réverbère"],
            "notice": "Les lampadaires sont réparés en 5 jours ouvrables. Si un poteau est tombé ou si des fils sont "
            "exposés, appelez-nous immédiatement.",
        },
        "attributes": [
            _attr(
                "pole_number",
                "string",
                "Number on the pole, if you can see it",
                hint="Usually on a metal plate about 2 metres up",
                fr={
                    "description": "Numéro sur le poteau, si vous le voyez",
                    "datatype_description": "Habituellement sur une plaque de métal, à environ 2 mètres du sol",
                },
            )
        ],
    },
    {
        "code": "GARBAGE-MISSED",
        "agency": "city-works",
        "group": "Waste",
        "name": "Missed collection",
        "sla": 24,
        "description": "Your garbage, recycling or green bin was not collected on your day.",
        "keywords": ["garbage", "trash", "waste", "recycling", "compost", "bin", "ordures"],
        "open311": True,
        "notice": "Leave your bins out: a crew comes back within one business day. Report it by noon the day after "
        "your collection day.",
        "fr": {
            "name": "Collecte oubliée",
            "description": "Vos ordures, votre recyclage ou votre bac vert n'ont pas été ramassés le jour prévu.",
            "group": "Déchets",
            "keywords": ["poubelle", "bac", "recyclage", "collecte"],
            "notice": "Laissez vos bacs en bordure de rue : une équipe repasse en un jour ouvrable. Signalez-le avant "
            "midi le lendemain de votre jour de collecte.",
        },
        "attributes": [
            _attr(
                "streams",
                "multivaluelist",
                "What was missed?",
                required=True,
                values=[
                    {"key": "garbage", "name": "Garbage"},
                    {"key": "recycling", "name": "Recycling"},
                    {"key": "organics", "name": "Green bin"},
                ],
                hint="Select all that apply",
                fr={
                    "description": "Qu'est-ce qui n'a pas été ramassé?",
                    "datatype_description": "Cochez tout ce qui s'applique",
                    "values": {"garbage": "Ordures", "recycling": "Recyclage", "organics": "Bac vert"},
                },
            )
        ],
    },
    {
        "code": "GRAFFITI",
        "agency": "city-works",
        "group": "Streets",
        "name": "Graffiti removal",
        "sla": 168,
        "description": "Graffiti on public property: walls, signs, bridges, benches.",
        "keywords": ["graffiti", "tag", "vandalism"],
        "open311": True,
        "notice": "Offensive graffiti is removed within 24 hours; other graffiti on public property within 7 days.",
        "fr": {
            "name": "Enlèvement de graffitis",
            "description": "Graffitis sur une propriété publique : murs, panneaux, ponts, bancs.",
            "group": "Rues",
            "keywords": ["vandalisme"],
            "notice": "Les graffitis offensants sont enlevés en 24 heures; les autres graffitis sur une propriété "
            "publique, en 7 jours.",
        },
        "attributes": [],
    },
    {
        "code": "TREE",
        "agency": "city-works",
        "group": "Parks",
        "name": "Tree damage or hazard",
        "sla": 48,
        "description": "A fallen or damaged city tree, or branches over a road or path.",
        "keywords": ["tree", "branch", "arbre"],
        "open311": True,
        "notice": "A forester inspects within 2 business days. A tree or branch blocking a road is cleared the "
        "same day.",
        "fr": {
            "name": "Arbre endommagé ou dangereux",
            "description": "Un arbre de la ville tombé ou endommagé, ou des branches au-dessus d'une rue "
            "ou d'un sentier.",
            "group": "Parcs",
            "keywords": ["branche"],
            "notice": "Un forestier inspecte en 2 jours ouvrables. Un arbre ou une branche qui bloque une rue est "
            "dégagé le jour même.",
        },
        "attributes": [
            _attr(
                "blocking",
                "singlevaluelist",
                "Is it blocking a road or path?",
                required=True,
                values=YES_NO,
                fr={"description": "Bloque-t-il une rue ou un sentier?", "values": YES_NO_FR},
            )
        ],
    },
    {
        "code": "DL-RENEW",
        "agency": "transport-licensing",
        "group": "Licences",
        "name": "Renew a driver's licence",
        "sla": 240,
        "description": "Renew your driver's licence before it expires.",
        "keywords": ["licence", "license", "driver", "permis", "renew"],
        "fr": {
            "name": "Renouveler un permis de conduire",
            "description": "Renouvelez votre permis de conduire avant qu'il n'expire.",
            "group": "Permis",
            "keywords": ["conduire", "renouvellement"],
        },
        "attributes": [
            _attr(
                "licence_number",
                "string",
                "Your licence number",
                required=True,
                hint="15 characters, for example A1234-56789-01234",
                fr={
                    "description": "Votre numéro de permis",
                    "datatype_description": "15 caractères, par exemple A1234-56789-01234",
                },
            ),
            _attr(
                "expiry_date",
                "datetime",
                "When does your current licence expire?",
                fr={"description": "Quand votre permis actuel expire-t-il?"},
            ),
            _attr(
                "address_changed",
                "singlevaluelist",
                "Has your address changed?",
                required=True,
                values=YES_NO,
                page=2,
                fr={"description": "Votre adresse a-t-elle changé?", "values": YES_NO_FR},
            ),
        ],
    },
    {
        "code": "VEH-REG",
        "agency": "transport-licensing",
        "group": "Vehicles",
        "name": "Renew a vehicle registration",
        "sla": 120,
        "description": "Renew the registration (plate sticker) of a vehicle.",
        "keywords": ["vehicle", "plate", "sticker", "registration", "car"],
        "fr": {
            "name": "Renouveler l'immatriculation d'un véhicule",
            "description": "Renouvelez l'immatriculation (vignette de plaque) d'un véhicule.",
            "group": "Véhicules",
            "keywords": ["voiture", "plaque", "vignette", "auto"],
        },
        "attributes": [
            _attr(
                "plate",
                "string",
                "Plate number",
                required=True,
                fr={"description": "Numéro de plaque"},
            )
        ],
    },
    {
        "code": "PARK-PERMIT",
        "agency": "transport-licensing",
        "group": "Parking",
        "name": "Residential parking permit",
        "sla": 120,
        "description": "Apply for a permit to park on your street.",
        "keywords": ["parking", "permit", "stationnement"],
        "fr": {
            "name": "Permis de stationnement résidentiel",
            "description": "Demandez un permis pour stationner dans votre rue.",
            "group": "Stationnement",
            "keywords": ["vignette"],
        },
        "attributes": [
            _attr("street", "string", "Your street", required=True, fr={"description": "Votre rue"}),
            _attr(
                "vehicles",
                "number",
                "How many vehicles?",
                required=True,
                fr={"description": "Combien de véhicules?"},
            ),
        ],
    },
    {
        "code": "PARK-TICKET",
        "agency": "transport-licensing",
        "group": "Parking",
        "name": "Dispute a parking ticket",
        "sla": 480,
        "description": "Ask for a review of a parking ticket.",
        "keywords": ["ticket", "fine", "parking", "dispute", "contravention"],
        "fr": {
            "name": "Contester une contravention de stationnement",
            "description": "Demandez la révision d'une contravention de stationnement.",
            "group": "Stationnement",
            "keywords": ["amende", "billet", "révision"],
        },
        "attributes": [
            _attr(
                "ticket_number",
                "string",
                "Ticket number",
                required=True,
                hint="Printed at the top of the ticket",
                fr={
                    "description": "Numéro de la contravention",
                    "datatype_description": "Imprimé en haut de la contravention",
                },
            ),
            _attr(
                "reason",
                "text",
                "Why should it be reviewed?",
                required=True,
                page=2,
                fr={"description": "Pourquoi devrait-elle être révisée?"},
            ),
        ],
    },
    {
        "code": "PROP-TAX",
        "agency": "revenue",
        "group": "Property tax",
        "name": "Property tax enquiry",
        "sla": 72,
        "description": "Questions about your property tax bill, due dates or assessment.",
        "keywords": ["property", "tax", "bill", "due", "impôt", "foncier"],
        "fr": {
            "name": "Question sur l'impôt foncier",
            "description": "Questions sur votre compte d'impôt foncier, les échéances ou l'évaluation.",
            "group": "Impôt foncier",
            "keywords": ["taxe", "compte", "évaluation", "échéance"],
        },
        "attributes": [
            _attr(
                "roll_number",
                "string",
                "Property roll number",
                hint="19 digits, printed on your tax bill",
                fr={
                    "description": "Numéro de rôle de la propriété",
                    "datatype_description": "19 chiffres, imprimés sur votre compte de taxes",
                },
            )
        ],
    },
    {
        "code": "TAX-INSTAL",
        "agency": "revenue",
        "group": "Property tax",
        "name": "Join the instalment plan",
        "sla": 240,
        "description": "Pay your property tax by pre-authorised instalments.",
        "keywords": ["instalment", "installment", "payment", "plan", "pre-authorized"],
        "fr": {
            "name": "Adhérer au régime de versements",
            "description": "Payez votre impôt foncier par versements préautorisés.",
            "group": "Impôt foncier",
            "keywords": ["paiement", "prélèvement", "mensuel", "taxe"],
        },
        "attributes": [
            _attr(
                "roll_number",
                "string",
                "Property roll number",
                required=True,
                hint="19 digits, printed on your tax bill",
                fr={
                    "description": "Numéro de rôle de la propriété",
                    "datatype_description": "19 chiffres, imprimés sur votre compte de taxes",
                },
            ),
            _attr(
                "plan",
                "singlevaluelist",
                "How often?",
                required=True,
                values=[{"key": "monthly", "name": "Monthly"}, {"key": "due-date", "name": "On each due date"}],
                page=2,
                fr={
                    "description": "À quelle fréquence?",
                    "values": {"monthly": "Tous les mois", "due-date": "À chaque échéance"},
                },
            ),
        ],
    },
    {
        "code": "TAX-REBATE",
        "agency": "revenue",
        "group": "Benefits",
        "name": "Low-income tax rebate",
        "sla": 480,
        "description": "Apply for the property tax rebate for low-income seniors and people with disabilities.",
        "keywords": ["rebate", "benefit", "low income", "senior", "credit"],
        "fr": {
            "name": "Remboursement d'impôt pour faible revenu",
            "description": "Demandez le remboursement d'impôt foncier pour les aînés à faible revenu et les "
            "personnes handicapées.",
            "group": "Prestations",
            "keywords": ["aîné", "crédit", "handicap", "aide"],
        },
        "attributes": [
            _attr(
                "household_size",
                "number",
                "People in your household",
                required=True,
                fr={"description": "Nombre de personnes dans votre ménage"},
            ),
            _attr(
                "household_income",
                "number",
                "Household income last year",
                required=True,
                hint="In dollars, before tax",
                fr={
                    "description": "Revenu du ménage l'an dernier",
                    "datatype_description": "En dollars, avant impôt",
                },
            ),
        ],
    },
    {
        "code": "BIZ-LICENCE",
        "agency": "revenue",
        "group": "Business",
        "name": "Business licence",
        "sla": 480,
        "description": "Apply for or renew a business licence.",
        "keywords": ["business", "licence", "license", "shop", "commerce"],
        "fr": {
            "name": "Permis d'entreprise",
            "description": "Demandez ou renouvelez un permis d'entreprise.",
            "group": "Entreprises",
            "keywords": ["magasin", "boutique", "renouvellement"],
        },
        "attributes": [
            _attr(
                "business_name",
                "string",
                "Business name",
                required=True,
                fr={"description": "Nom de l'entreprise"},
            )
        ],
    },
]

STAFF: list[dict[str, Any]] = [
    {"email": "admin@city.example", "name": "Ada Admin", "role": "admin", "agencies": []},
    {
        "email": "supervisor@city.example",
        "name": "Sam Supervisor",
        "role": "supervisor",
        "agencies": ["city-works", "transport-licensing", "revenue"],
    },
    {"email": "works.agent@city.example", "name": "Wren Works", "role": "agent", "agencies": ["city-works"]},
    {
        "email": "licensing.agent@city.example",
        "name": "Lou Licensing",
        "role": "agent",
        "agencies": ["transport-licensing"],
    },
    {"email": "revenue.agent@city.example", "name": "Rae Revenue", "role": "agent", "agencies": ["revenue"]},
]

# How each demo agency runs its contact centre: opening hours, holidays, queues, SLA targets, wrap-up codes.
OFFICE_HOURS: dict[str, list[list[str]]] = {str(day): [["08:30", "16:30"]] for day in range(5)}
HOLIDAYS: list[tuple[str, str]] = [
    ("2026-12-25", "Christmas Day"),
    ("2026-12-28", "Boxing Day (observed)"),
    ("2027-01-01", "New Year's Day"),
    ("2027-02-15", "Family Day"),
    ("2027-03-26", "Good Friday"),
    ("2027-05-24", "Victoria Day"),
    ("2027-07-01", "Canada Day"),
    ("2027-08-02", "Civic Holiday"),
    ("2027-09-06", "Labour Day"),
    ("2027-09-30", "National Day for Truth and Reconciliation"),
    ("2027-10-11", "Thanksgiving"),
    ("2027-11-11", "Remembrance Day"),
]
QUEUES: list[dict[str, Any]] = [
    {"slug": "phone", "name": "Phone", "channels": ["voice"], "priority_boost": 10},
    {"slug": "chat", "name": "Live chat", "channels": ["chat"], "priority_boost": 5},
    {"slug": "written", "name": "Email, SMS and forms", "channels": [], "priority_boost": 0},
]
# Agency-wide first-response targets per channel: seconds, share to meet, business hours only?
SLA_TARGETS: list[tuple[str, int, int, bool]] = [
    ("voice", 60, 80, False),
    ("chat", 120, 80, False),
    ("sms", 4 * 3600, 90, True),
    ("social", 4 * 3600, 90, True),
    ("email", 8 * 3600, 90, True),
    ("web", 16 * 3600, 90, True),
    ("mail", 5 * 8 * 3600, 95, True),
]
WRAP_UP_CODES: list[tuple[str, str]] = [
    ("answered", "Question answered"),
    ("case-opened", "Case opened or updated"),
    ("referred", "Referred to another service"),
    ("callback", "Call-back scheduled"),
    ("no-response", "No response from the person"),
    ("abusive", "Ended: abusive contact"),
]
CANNED_RESPONSES: list[dict[str, str]] = [
    {
        "slug": "received",
        "language": "en",
        "title": "We have your request",
        "body": "Hello {first_name}, thank you for contacting us. Your request {case_reference} is with our team; "
        "we will update you as soon as it moves.",
    },
    {
        "slug": "received",
        "language": "fr",
        "title": "Nous avons votre demande",
        "body": "Bonjour {first_name}, merci de nous avoir écrit. Votre demande {case_reference} est entre les mains "
        "de notre équipe; nous vous tiendrons au courant.",
    },
    {
        "slug": "photo",
        "language": "en",
        "title": "Ask for a photo",
        "body": "Hello {first_name}, could you send us a photo of the problem? Reply to this message with it attached.",
    },
    {
        "slug": "photo",
        "language": "fr",
        "title": "Demander une photo",
        "body": "Bonjour {first_name}, pourriez-vous nous envoyer une photo du problème? Répondez à ce message "
        "avec la photo en pièce jointe.",
    },
    {
        "slug": "closing",
        "language": "en",
        "title": "Anything else?",
        "body": "Is there anything else we can help you with today, {first_name}?",
    },
    {
        "slug": "closing",
        "language": "fr",
        "title": "Autre chose?",
        "body": "Pouvons-nous vous aider avec autre chose aujourd'hui, {first_name}?",
    },
]
