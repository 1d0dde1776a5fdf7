"""What the phone menu says, in English and French, and how it reads references, statuses and dates aloud.

Pure text: no database and no TwiML here, so the wording can be reviewed (and translated) in one place.
"""

from __future__ import annotations

from datetime import datetime

from townsquare.assistant import phrases

LOCALES = {"en": "en-CA", "fr": "fr-CA"}
# Twilio's "alice" voice speaks both Canadian locales; the default "man" voice refuses fr-CA.
VOICE = "alice"

PROMPTS: dict[str, dict[str, str]] = {
    "en": {
        "hello_name": "Hello {name}. Thank you for calling city services.",
        "hello": "Hello. Thank you for calling city services.",
        "offer_case": (
            "You have an open request, {label}, reference {reference}. To hear its status, press 1. "
            "For another request, by its reference number, press 2."
        ),
        "menu_status": "To hear the status of a request by its reference number, press 1.",
        "menu": "To leave a message, press 3. {callback}To speak to a person, press 0.",
        "menu_callback": "To ask us to call you back, press 4. ",
        "menu_book": "To book an appointment, press 5.",
        "switch": "Pour le français, appuyez sur 9.",
        "ask_anything": "Or just tell me in a few words what you are calling about.",
        "answer_keys": "You can also press 1 for yes, or 2 for no.",
        "anything_else": "Is there anything else? Tell me, or choose from the menu.",
        "sorry_input": "Sorry, I did not get that.",
        "to_person_after_tries": "Let me put you through to a person.",
        "your_request": "your request",
        "status_own": "Your request {label}, reference {reference}, is {status}. It was last updated on {date}.",
        "status_other": "The request with reference {reference} is {status}. It was last updated on {date}.",
        "ask_reference": (
            "Please enter the ten digit reference number, starting with the year, then press the pound key. "
            "You can also say it."
        ),
        "bad_reference": "Sorry, I could not find a request with that reference.",
        "back_to_menu": "Back to the main menu.",
        "voicemail_prompt": "Please leave your message after the tone. Press the pound key when you are done.",
        "voicemail_none": "I did not hear a message.",
        "voicemail_thanks": "Thank you. Your message has been passed to our team. Goodbye.",
        "callback_done": (
            "Thank you. A person will call you back at the number ending in {last4}. You keep your place. Goodbye."
        ),
        "callback_hidden": "Your number is hidden, so we cannot call you back.",
        "hold": "Please hold for the next available person.",
        "transfer": "Connecting you to a person now.",
        "position": "You are number {position} in line.",
        "queue_callback": "Press 1 for a call-back instead. You keep your place.",
        "keep_holding": "Please keep holding.",
        "queue_busy": "Sorry, all our lines are busy.",
        "goodbye": "Thank you for calling. Goodbye.",
        "apology": "Sorry, something went wrong on our side. Please call again later. Goodbye.",
        "one_moment": "One moment, please.",
    },
    "fr": {
        "hello_name": "Bonjour {name}. Merci d'avoir appelé les services municipaux.",
        "hello": "Bonjour. Merci d'avoir appelé les services municipaux.",
        "offer_case": (
            "Vous avez une demande ouverte, {label}, numéro de référence {reference}. "
            "Pour connaître son état, appuyez sur 1. Pour une autre demande, par son numéro de référence, "
            "appuyez sur 2."
        ),
        "menu_status": "Pour connaître l'état d'une demande par son numéro de référence, appuyez sur 1.",
        "menu": "Pour laisser un message, appuyez sur 3. {callback}Pour parler à une personne, appuyez sur 0.",
        "menu_callback": "Pour qu'on vous rappelle, appuyez sur 4. ",
        "menu_book": "Pour prendre rendez-vous, appuyez sur 5.",
        "switch": "For English, press 9.",
        "ask_anything": "Vous pouvez aussi me dire en quelques mots pourquoi vous appelez.",
        "answer_keys": "Vous pouvez aussi appuyer sur 1 pour oui, ou sur 2 pour non.",
        "anything_else": "Puis-je vous aider avec autre chose? Dites-le-moi, ou choisissez dans le menu.",
        "sorry_input": "Désolé, je n'ai pas compris.",
        "to_person_after_tries": "Je vous mets en relation avec une personne.",
        "your_request": "votre demande",
        "status_own": (
            "Votre demande {label}, numéro de référence {reference}, est {status}. Dernière mise à jour le {date}."
        ),
        "status_other": "La demande numéro {reference} est {status}. Dernière mise à jour le {date}.",
        "ask_reference": (
            "Entrez le numéro de référence à dix chiffres, en commençant par l'année, puis le carré. "
            "Vous pouvez aussi le dire."
        ),
        "bad_reference": "Désolé, je ne trouve aucune demande avec cette référence.",
        "back_to_menu": "Retour au menu principal.",
        "voicemail_prompt": "Laissez votre message après le signal sonore. Appuyez sur le carré pour terminer.",
        "voicemail_none": "Je n'ai pas entendu de message.",
        "voicemail_thanks": "Merci. Votre message a été transmis à notre équipe. Au revoir.",
        "callback_done": (
            "Merci. Une personne vous rappellera au numéro se terminant par {last4}. Vous gardez votre place. "
            "Au revoir."
        ),
        "callback_hidden": "Votre numéro est masqué : nous ne pouvons pas vous rappeler.",
        "hold": "Veuillez patienter, une personne va vous répondre.",
        "transfer": "Je vous mets en relation avec une personne.",
        "position": "Vous êtes le numéro {position} dans la file d'attente.",
        "queue_callback": "Appuyez sur 1 pour qu'on vous rappelle. Vous gardez votre place.",
        "keep_holding": "Veuillez patienter.",
        "queue_busy": "Désolé, toutes nos lignes sont occupées.",
        "goodbye": "Merci de votre appel. Au revoir.",
        "apology": "Désolé, nous avons un problème technique. Veuillez rappeler plus tard. Au revoir.",
        "one_moment": "Un instant, s'il vous plaît.",
    },
}


MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}


def language_of(value: str | None) -> str:
    """The menu language for a stored preference or a query parameter: "fr" or "en"."""
    return "fr" if (value or "").lower().startswith("fr") else "en"


def locale(lang: str) -> str:
    """The TwiML language (speech and recognition) for a menu language."""
    return LOCALES[language_of(lang)]


def say(lang: str, key: str, **values: object) -> str:
    """One phrase in the menu language."""
    return PROMPTS[language_of(lang)][key].format(**values)


def status_words(lang: str, status: str) -> str:
    """A case status as a person says it: the assistant's words, so the phone and the texts say the same."""
    return phrases.status_words(language_of(lang), status)


def spoken_reference(reference: str) -> str:
    """TS-2026-000123 read out as "T S, 2 0 2 6, 0 0 0 1 2 3": one character at a time, in groups."""
    return ", ".join(" ".join(part) for part in reference.split("-"))


def spoken_date(lang: str, when: datetime) -> str:
    """A date as a person says it: "March 3, 2026" or "3 mars 2026"."""
    month = MONTHS[language_of(lang)][when.month - 1]
    return f"{when.day} {month} {when.year}" if language_of(lang) == "fr" else f"{month} {when.day}, {when.year}"
