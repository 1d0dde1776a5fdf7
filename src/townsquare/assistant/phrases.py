"""Every sentence the assistant says, in English and French, for text (chat, SMS) and for speech.

Only wording lives here: which sentence to say is the engine's business. Speech never carries a URL or asks the
person to type.
"""

from __future__ import annotations

from datetime import datetime

from townsquare.assistant import report_phrases

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "ask_feedback": "Did that answer your question? Reply YES or NO.",
        "older_translation": (
            "Note: this page was updated in {language} more recently, so this version may be out of date."
        ),
        "thanks_feedback": "Thanks, glad that helped.",
        "handoff": "A member of staff will answer here.",
        "handoff_not_helpful": "Sorry about that. A member of staff will answer here.",
        "handoff_low_confidence": "I don't have a good answer to that. A member of staff will answer here.",
        "handoff_callback": "Thanks. A member of staff will call you back at {number}.",
        "ask_callback_number": "What phone number should we call you back on?",
        "bad_callback_number": "Sorry, that is not a phone number I can use. Please send it with the area code.",
        "ask_verify": "What email address or phone number did you give us for this request?",
        "verify_wrong": "That does not match what we have for this request. Please try again ({left} left).",
        "verify_failed": "I could not confirm that the request is yours. A member of staff will answer here.",
        "ask_reference": "What is the reference of your request? It looks like {example}.",
        "no_case": "I could not find a request with the reference {reference}. Please check it and send it again.",
        "no_open_case": "You have no open request with us. To check a request, send its reference, like {example}.",
        "status": "Your request {reference}{label} is {status}. It was last updated on {date}.",
        "status_other_cases": "You also have {count} other open request(s): send a reference to check one.",
        "start": "{service}: you can start online here: {url}",
        "continue": "You can pick up your application where you left off: {url}",
        "continue_named": "You can pick up your application ({service}) where you left off: {url}",
        "no_draft": "I could not find an application in progress. Sign in to see yours: {url}",
        "appointment": (
            "You can book an appointment at one of our offices here: {url} "
            "To move or cancel one, use the link in its confirmation."
        ),
        "greeting": "Hello! Ask me a question, or send a request reference to check its status.",
        "thanks": "You're welcome.",
        "unknown": "Sorry, I did not understand. Ask me a question, or write 'agent' to reach a member of staff.",
    },
    "fr": {
        "ask_feedback": "Cela a-t-il répondu à votre question? Répondez OUI ou NON.",
        "older_translation": (
            "Attention : cette page a été mise à jour plus récemment en {language}; "
            "cette version n'est peut-être pas à jour."
        ),
        "thanks_feedback": "Merci, heureux d'avoir pu aider.",
        "handoff": "Un membre du personnel vous répondra ici.",
        "handoff_not_helpful": "Désolé. Un membre du personnel vous répondra ici.",
        "handoff_low_confidence": "Je n'ai pas de bonne réponse à cela. Un membre du personnel vous répondra ici.",
        "handoff_callback": "Merci. Un membre du personnel vous rappellera au {number}.",
        "ask_callback_number": "À quel numéro de téléphone pouvons-nous vous rappeler?",
        "bad_callback_number": "Désolé, ce numéro n'est pas utilisable. Envoyez-le avec l'indicatif régional.",
        "ask_verify": "Quelle adresse courriel ou quel numéro de téléphone nous avez-vous donné pour cette demande?",
        "verify_wrong": "Cela ne correspond pas à ce que nous avons pour cette demande. Réessayez ({left} restant(s)).",
        "verify_failed": (
            "Je n'ai pas pu confirmer que cette demande est la vôtre. Un membre du personnel vous répondra ici."
        ),
        "ask_reference": "Quel est le numéro de référence de votre demande? Il ressemble à {example}.",
        "no_case": "Je ne trouve aucune demande avec la référence {reference}. Vérifiez-la et renvoyez-la.",
        "no_open_case": (
            "Vous n'avez aucune demande en cours. Pour en suivre une, envoyez sa référence, par exemple {example}."
        ),
        "status": "Votre demande {reference}{label} est {status}. Dernière mise à jour le {date}.",
        "status_other_cases": "Vous avez aussi {count} autre(s) demande(s) en cours : envoyez une référence.",
        "start": "{service} : vous pouvez commencer en ligne ici : {url}",
        "continue": "Vous pouvez reprendre votre demande là où vous l'avez laissée : {url}",
        "continue_named": "Vous pouvez reprendre votre demande ({service}) là où vous l'avez laissée : {url}",
        "no_draft": "Je ne trouve aucune demande en cours. Connectez-vous pour voir les vôtres : {url}",
        "appointment": (
            "Vous pouvez prendre rendez-vous dans un de nos bureaux ici : {url} "
            "Pour le déplacer ou l'annuler, utilisez le lien de sa confirmation."
        ),
        "greeting": "Bonjour! Posez-moi une question, ou envoyez une référence de demande pour en suivre l'état.",
        "thanks": "Je vous en prie.",
        "unknown": (
            "Désolé, je n'ai pas compris. Posez une question, ou écrivez « agent » pour joindre un membre du personnel."
        ),
    },
}

TEXT = {lang: {**said, **report_phrases.TEXT[lang]} for lang, said in _TEXT.items()}

# What speech says differently: no links, nothing to type.
SPOKEN: dict[str, dict[str, str]] = {
    "en": {
        "ask_feedback": "Did that answer your question? Say yes or no.",
        "handoff": "Please hold: a member of staff will be with you.",
        "handoff_not_helpful": "Sorry about that. Please hold: a member of staff will be with you.",
        "handoff_low_confidence": (
            "I don't have a good answer to that. Please hold: a member of staff will be with you."
        ),
        "verify_failed": "I could not confirm that the request is yours. Please hold: a member of staff will help.",
        "start": "{service}: you can start on our website.",
        "continue": "You can pick up your application on our website, under Your account.",
        "continue_named": "You can pick up your application for {service} on our website, under Your account.",
        "no_draft": "I could not find an application in progress.",
        "appointment": "You can book an appointment on our website, or say agent and a member of staff will book it.",
        "unknown": "Sorry, I did not understand. Ask a question, or say agent to speak to a member of staff.",
        "ask_callback_number": "What phone number should we call you back on?",
    },
    "fr": {
        "ask_feedback": "Cela a-t-il répondu à votre question? Dites oui ou non.",
        "handoff": "Restez en ligne : un membre du personnel va vous répondre.",
        "handoff_not_helpful": "Désolé. Restez en ligne : un membre du personnel va vous répondre.",
        "handoff_low_confidence": (
            "Je n'ai pas de bonne réponse à cela. Restez en ligne : un membre du personnel va vous répondre."
        ),
        "verify_failed": "Je n'ai pas pu confirmer que cette demande est la vôtre. Restez en ligne.",
        "start": "{service} : vous pouvez commencer sur notre site Web.",
        "continue": "Vous pouvez reprendre votre demande sur notre site Web, sous Votre compte.",
        "continue_named": "Vous pouvez reprendre votre demande, {service}, sur notre site Web, sous Votre compte.",
        "no_draft": "Je ne trouve aucune demande en cours.",
        "appointment": (
            "Vous pouvez prendre rendez-vous sur notre site Web, ou dites agent et un membre du personnel le fera."
        ),
        "unknown": "Désolé, je n'ai pas compris. Posez une question, ou dites agent pour parler à quelqu'un.",
        "ask_callback_number": "À quel numéro pouvons-nous vous rappeler?",
    },
}

QUICK_REPLIES = {"en": ("Yes", "No"), "fr": ("Oui", "Non")}

STATUS_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "new": "received and waiting to be reviewed",
        "open": "open",
        "in_progress": "in progress",
        "waiting_on_citizen": "waiting for more information from you",
        "resolved": "resolved",
        "closed": "closed",
        "cancelled": "cancelled",
    },
    "fr": {
        "new": "reçue et en attente d'examen",
        "open": "ouverte",
        "in_progress": "en cours de traitement",
        "waiting_on_citizen": "en attente de renseignements de votre part",
        "resolved": "résolue",
        "closed": "fermée",
        "cancelled": "annulée",
    },
}
_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
}


def language(code: str | None) -> str:
    """A language the assistant speaks: French for "fr…", English otherwise."""
    return "fr" if (code or "").lower().startswith("fr") else "en"


LANGUAGE_NAMES = {"en": {"en": "English", "fr": "French"}, "fr": {"en": "anglais", "fr": "français"}}


def language_name(lang: str, of: str) -> str:
    """The name of language `of`, in language `lang`."""
    return LANGUAGE_NAMES[language(lang)].get(of, of)


def say(lang: str, key: str, *, spoken: bool = False, **values: object) -> str:
    """The sentence `key` in `lang`, for speech when `spoken` (falling back to the text wording)."""
    lang = language(lang)
    template = (SPOKEN[lang].get(key) if spoken else None) or TEXT[lang][key]
    return template.format(**values)


def status_words(lang: str, status: str) -> str:
    return STATUS_WORDS[language(lang)].get(status, status.replace("_", " "))


def date_words(lang: str, when: datetime) -> str:
    """A date as a person writes it: "3 March 2026" / "3 mars 2026"."""
    return f"{when.day} {_MONTHS[language(lang)].split()[when.month - 1]} {when.year}"
