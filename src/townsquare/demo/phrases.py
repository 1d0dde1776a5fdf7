"""What demo citizens say and what staff answer, in English and French."""

from __future__ import annotations

import random

OPENERS: dict[str, dict[str, list[str]]] = {
    "POTHOLE": {
        "en": [
            "There's a deep pothole on my street, cars are swerving around it.",
            "Pothole in the bike lane near the corner, someone is going to fall.",
        ],
        "fr": ["Il y a un gros nid-de-poule dans ma rue.", "Nid-de-poule dangereux dans la piste cyclable."],
    },
    "STREETLIGHT": {
        "en": ["The street light outside my house has been out for a week.", "Light pole flickering all night."],
        "fr": ["Le lampadaire devant chez moi est éteint depuis une semaine."],
    },
    "GARBAGE-MISSED": {
        "en": ["My recycling wasn't picked up this morning.", "Garbage day was yesterday and the bins are still full."],
        "fr": ["Mon bac de recyclage n'a pas été ramassé ce matin."],
    },
    "GRAFFITI": {"en": ["Graffiti all over the bridge underpass."], "fr": ["Des graffitis sur le pont."]},
    "TREE": {"en": ["A big branch fell across the path in the park."], "fr": ["Une grosse branche bloque le sentier."]},
    "DL-RENEW": {
        "en": ["I need to renew my driver's licence, it expires next month.", "How do I renew my licence online?"],
        "fr": ["Je dois renouveler mon permis de conduire le mois prochain."],
    },
    "VEH-REG": {
        "en": ["My plate sticker expires soon, can I renew by phone?"],
        "fr": ["Ma vignette expire bientôt, puis-je la renouveler par téléphone?"],
    },
    "PARK-PERMIT": {
        "en": ["I'd like a residential parking permit for my street."],
        "fr": ["Je voudrais un permis de stationnement résidentiel."],
    },
    "PARK-TICKET": {
        "en": ["I got a parking ticket but the sign was covered by snow."],
        "fr": ["J'ai reçu une contravention mais le panneau était caché par la neige."],
    },
    "PROP-TAX": {
        "en": ["When is the next property tax instalment due?", "My tax bill looks wrong this year."],
        "fr": ["Quand est la prochaine échéance de l'impôt foncier?"],
    },
    "TAX-INSTAL": {
        "en": ["I'd like to pay my property tax monthly."],
        "fr": ["Je voudrais payer mon impôt foncier chaque mois."],
    },
    "TAX-REBATE": {
        "en": ["Am I eligible for the seniors' tax rebate?"],
        "fr": ["Suis-je admissible au remboursement pour les aînés?"],
    },
    "BIZ-LICENCE": {
        "en": ["I'm opening a café, which licence do I need?"],
        "fr": ["J'ouvre un café, quel permis me faut-il?"],
    },
}
FOLLOW_UPS = {
    "en": [
        "Any update on {ref}?",
        "Just checking on my request {ref}.",
        "Thanks, that helps.",
        "I sent the photo you asked for.",
        "Is someone coming this week?",
    ],
    "fr": [
        "Du nouveau pour {ref}?",
        "Je fais un suivi de ma demande {ref}.",
        "Merci beaucoup.",
        "J'ai envoyé la photo demandée.",
    ],
}
REPLIES = {
    "en": [
        "Thanks, we've logged this as {ref}. A crew is scheduled.",
        "We need one more detail: can you send a photo?",
        "Your request {ref} is in progress.",
        "This is now resolved. Thank you for letting us know.",
    ],
    "fr": [
        "Merci, votre demande porte le numéro {ref}.",
        "Pouvez-vous nous envoyer une photo?",
        "Votre demande {ref} est en cours de traitement.",
        "C'est réglé. Merci de nous l'avoir signalé.",
    ],
}


def inbound_text(rng: random.Random, service_code: str, lang: str, ref: str, *, first: bool) -> str:
    if first:
        return rng.choice(OPENERS[service_code].get(lang) or OPENERS[service_code]["en"])
    return rng.choice(FOLLOW_UPS[lang]).format(ref=ref)


def reply_text(rng: random.Random, lang: str, ref: str) -> str:
    return rng.choice(REPLIES[lang]).format(ref=ref)
