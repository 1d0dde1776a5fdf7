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


def _attr(code: str, datatype: str, description: str, *, required: bool = False, values: Any = None) -> dict[str, Any]:
    return {
        "code": code,
        "datatype": datatype,
        "description": description,
        "required": required,
        "values": values or [],
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
            ),
            _attr("in_bike_lane", "singlevaluelist", "Is it in a bike lane?", values=YES_NO),
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
        "attributes": [_attr("pole_number", "string", "Number on the pole, if you can see it")],
    },
    {
        "code": "GARBAGE-MISSED",
        "agency": "city-works",
        "group": "Waste",
        "name": "Missed collection",
        "sla": 24,
        "description": "Your garbage, recycling or green bin was not collected on your day.",
        "keywords": ["garbage", "trash", "waste", "recycling", "compost", "bin", "ordures"],
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
        "attributes": [
            _attr("blocking", "singlevaluelist", "Is it blocking a road or path?", required=True, values=YES_NO)
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
        "attributes": [
            _attr("licence_number", "string", "Your licence number", required=True),
            _attr("address_changed", "singlevaluelist", "Has your address changed?", required=True, values=YES_NO),
            _attr("expiry_date", "datetime", "When does your current licence expire?"),
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
        "attributes": [_attr("plate", "string", "Plate number", required=True)],
    },
    {
        "code": "PARK-PERMIT",
        "agency": "transport-licensing",
        "group": "Parking",
        "name": "Residential parking permit",
        "sla": 120,
        "description": "Apply for a permit to park on your street.",
        "keywords": ["parking", "permit", "stationnement"],
        "attributes": [
            _attr("street", "string", "Your street", required=True),
            _attr("vehicles", "number", "How many vehicles?", required=True),
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
        "attributes": [
            _attr("ticket_number", "string", "Ticket number", required=True),
            _attr("reason", "text", "Why should it be reviewed?", required=True),
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
        "attributes": [_attr("roll_number", "string", "Property roll number")],
    },
    {
        "code": "TAX-INSTAL",
        "agency": "revenue",
        "group": "Property tax",
        "name": "Join the instalment plan",
        "sla": 240,
        "description": "Pay your property tax by pre-authorised instalments.",
        "keywords": ["instalment", "installment", "payment", "plan", "pre-authorized"],
        "attributes": [
            _attr("roll_number", "string", "Property roll number", required=True),
            _attr(
                "plan",
                "singlevaluelist",
                "How often?",
                required=True,
                values=[{"key": "monthly", "name": "Monthly"}, {"key": "due-date", "name": "On each due date"}],
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
        "attributes": [
            _attr("household_size", "number", "People in your household", required=True),
            _attr("household_income", "number", "Household income last year", required=True),
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
        "attributes": [_attr("business_name", "string", "Business name", required=True)],
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
