"""The city's own words on Mastodon, in English and French: the first public answer, the private acknowledgement,
and the answers to a private mention that verifies a phone or an email.

Plain data and pure functions; none of these words ever carries anything about the person beyond their handle
(public) or a masked contact (private).
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "thanks_public": "Thank you, we have your message.",
        "offer": "Please keep personal details out of public posts: to continue privately, send us a private mention "
        "(visibility: specific people) or write to us at {link}",
        "thanks_private": "Thank you, we have your message. We will answer you here, privately.",
        "code_sent": "We sent a code to {where}. Send it to us here, in a private mention, within {minutes} minutes.",
        "verified": "Thank you: this account is now joined to your record with us.",
        "code_wrong": "That code is not right. You can try {left} more time(s).",
        "code_expired": "That code has expired or was used up. Send us your phone number or email again for a new one.",
        "no_code": "We did not send you a code. Send us 'verify' and your phone number or email first.",
        "cannot_send": "We could not send a code there: check the number or address, or wait an hour if codes were "
        "asked for it already.",
    },
    "fr": {
        "thanks_public": "Merci, nous avons bien reçu votre message.",
        "offer": "Merci de ne pas publier d'informations personnelles : pour continuer en privé, envoyez-nous une "
        "mention privée (visibilité : personnes spécifiques) ou écrivez-nous sur {link}",
        "thanks_private": "Merci, nous avons bien reçu votre message. Nous vous répondrons ici, en privé.",
        "code_sent": "Nous avons envoyé un code à {where}. Envoyez-le-nous ici, en mention privée, d'ici {minutes} "
        "minutes.",
        "verified": "Merci : ce compte est maintenant joint à votre dossier chez nous.",
        "code_wrong": "Ce code n'est pas le bon. Il vous reste {left} essai(s).",
        "code_expired": "Ce code a expiré ou n'est plus valable. Renvoyez-nous votre numéro ou votre courriel pour en "
        "recevoir un nouveau.",
        "no_code": "Nous ne vous avons pas envoyé de code. Envoyez-nous d'abord « vérifier » et votre numéro ou votre "
        "courriel.",
        "cannot_send": "Nous n'avons pas pu y envoyer de code : vérifiez le numéro ou l'adresse, ou attendez une "
        "heure si des codes ont déjà été demandés.",
    },
}


def language_of(status_language: object) -> str:
    """The language the city answers a status in: French for a post in French, English otherwise."""
    return "fr" if isinstance(status_language, str) and status_language.lower().startswith("fr") else "en"


def say(language: str, key: str, **values: object) -> str:
    """One of the city's sentences, in `language` (English when there is no such language)."""
    words = WORDS.get(language, WORDS["en"])
    return words[key].format(**values)
