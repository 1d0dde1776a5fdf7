"""What the assistant says while it guides a report about a place, in English and French (text channels only).

Merged into `phrases.TEXT`, so the engine and the dialogue say them with `phrases.say`. In SMS a bare CANCEL is
the carrier's opt-out keyword (it stops every text), so the way out of a report is worded CANCEL REPORT.
"""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "report_start": "I can take your report here: {service}.",
        "report_choose": "Which problem is it? {choices}. Reply with the number, or CANCEL REPORT to stop.",
        "report_choose_again": "Please reply with a number from 1 to {count}, or CANCEL REPORT to stop.",
        "report_where": "Where is it? Send the street number and name. Reply CANCEL REPORT to stop.",
        "report_where_again": "Please send where it is: a street address, or a cross street or landmark.",
        "report_found": "Found: {address}.",
        "report_unplaced": (
            "I could not find that address in the city's address register, so staff will read your description "
            'as you wrote it: "{place}".'
        ),
        "report_photo": "Send a photo of it, or reply SKIP.",
        "report_photo_again": "Please send a photo, or reply SKIP to go on without one.",
        "report_photo_kept": "Thanks for the photo.",
        "report_pick_one": "Reply with the number.",
        "report_pick_many": "Reply with one or more numbers, like 1 3.",
        "report_not_understood": "Sorry, I could not use that answer.",
        "report_summary": "Your report: {service}, at {place}{photo}.{answers} Send it? Reply YES or NO.",
        "report_with_photo": ", with a photo",
        "report_confirm_again": "Please reply YES to send your report, or NO to leave it.",
        "report_opened": "Sent. Your report is {reference}. Follow it here: {url}",
        "report_dropped": "OK, I have not sent it. Write again whenever you want to report something.",
        "report_cancelled": "OK, I have stopped this report. Nothing was sent.",
        "report_handoff": "A member of staff will answer here, with what you have told me so far.",
    },
    "fr": {
        "report_start": "Je peux prendre votre signalement ici : {service}.",
        "report_choose": "De quel problème s'agit-il? {choices}. Répondez par le numéro, ou ANNULER pour arrêter.",
        "report_choose_again": "Répondez par un numéro de 1 à {count}, ou ANNULER pour arrêter.",
        "report_where": "Où est-ce? Envoyez le numéro et le nom de la rue. Répondez ANNULER pour arrêter.",
        "report_where_again": "Envoyez l'endroit : une adresse, ou une intersection ou un repère.",
        "report_found": "Adresse trouvée : {address}.",
        "report_unplaced": (
            "Je ne trouve pas cette adresse dans le registre des adresses de la Ville; le personnel lira votre "
            "description telle que vous l'avez écrite : « {place} »."
        ),
        "report_photo": "Envoyez une photo, ou répondez PASSER.",
        "report_photo_again": "Envoyez une photo, ou répondez PASSER pour continuer sans photo.",
        "report_photo_kept": "Merci pour la photo.",
        "report_pick_one": "Répondez par le numéro.",
        "report_pick_many": "Répondez par un ou plusieurs numéros, par exemple 1 3.",
        "report_not_understood": "Désolé, je ne peux pas utiliser cette réponse.",
        "report_summary": "Votre signalement : {service}, à {place}{photo}.{answers} L'envoyer? Répondez OUI ou NON.",
        "report_with_photo": ", avec une photo",
        "report_confirm_again": "Répondez OUI pour envoyer votre signalement, ou NON pour l'abandonner.",
        "report_opened": "Envoyé. Votre signalement porte le numéro {reference}. Suivez-le ici : {url}",
        "report_dropped": "D'accord, je ne l'ai pas envoyé. Écrivez-nous quand vous voulez signaler quelque chose.",
        "report_cancelled": "D'accord, j'ai arrêté ce signalement. Rien n'a été envoyé.",
        "report_handoff": "Un membre du personnel vous répondra ici, avec ce que vous m'avez déjà dit.",
    },
}

SKIP_WORDS = frozenset({"skip", "no photo", "none", "no", "passer", "passe", "sauter", "pas de photo", "aucune", "non"})
QUICK_SKIP = {"en": ("Skip",), "fr": ("Passer",)}
