"""A fresh held-out set, written blind on 2026-12-05: from the demo articles' slugs, languages and titles alone
(no summary, keyword or body read), without seeing bench/search_questions.py or the questions of
bench/search_questions_heldout.py, and each expected answer decided from the title before anything was run.
Never to be tuned on or changed after a run: only its totals are printed, never its misses.

60 questions, 30 English and 30 French, worded the way residents type or text them (typos, no accents, SMS style,
rambling or short, naming the situation rather than the topic); at most two per answer. Same shape as HELD_OUT, but
the third field is the expected article's slug (in the question's language); the bench maps it to its answer key.
"""

from __future__ import annotations

FRESH: list[tuple[str, str, str]] = [
    ("en", "my mom is deaf, can she talk to someone at the city thru an interpreter", "accessible-city-services"),
    ("en", "old couch n box spring, will u take them", "bulky-item-pickup"),
    ("en", "just moved in on maple st, no idea what day to put the cans on the curb", "garbage-collection-day"),
    (
        "en",
        "some kids spray painted tags all over my garage door overnight, who cleans that up? its the second time "
        "this year and im tired of painting over it",
        "graffiti-removal",
    ),
    ("en", "can grass clippings go in the compost bin", "green-bin-and-yard-waste"),
    ("en", "where do i get rid of old car batteries and a dead laptop", "household-hazardous-waste"),
    ("en", "is garbage still coming on christmas day", "holiday-collection-schedule"),
    ("en", "recycling truck skipped our street again", "missed-garbage-collection"),
    ("en", "neighbours party blasting music at 2am every weekend", "noise-complaints"),
    ("en", "what time does city hall close today", "city-hall-opening-hours"),
    ("en", "hit a huge hole on the road and bent my rim, can the city pay for it", "pothole-vehicle-damage-claim"),
    ("en", "do pizza boxes go in recycling", "what-goes-in-the-blue-bin"),
    ("en", "somebody took our garbage can off the curb and never brought it back", "replace-damaged-or-stolen-bin"),
    ("en", "big hole in the road on elm ave near the school", "report-a-pothole"),
    (
        "en",
        "i reported something 2 weeks ago and heard nothing back, how do i see whats going on with it",
        "check-the-status-of-a-request",
    ),
    ("en", "when will the plow come down my street, still buried", "snow-clearing-and-plowing"),
    ("en", "lamp post outside my house keeps blinking on and off all night", "street-light-out"),
    ("en", "big branch came down from the boulevard tree onto the sidewalk after the storm", "city-trees"),
    (
        "en",
        "my house value on the assessment notice is way too high, how do i fight it",
        "property-assessment-and-appeals",
    ),
    ("en", "my shop license expires end of month what do i do", "renew-a-business-licence"),
    ("en", "want to open a small bakery downtown, what permits do i need to start", "apply-for-a-business-licence"),
    ("en", "can i do hair cuts out of my basement", "running-a-business-from-home"),
    (
        "en",
        "can i pay my property taxes monthly from my bank account instead of big lump sums",
        "property-tax-instalment-plan",
    ),
    ("en", "forgot to pay my tax bill, is there a fine", "late-property-tax-payment-penalties"),
    (
        "en",
        "we just closed on our first house, do we need to set up anything for taxes",
        "property-tax-for-new-homeowners",
    ),
    ("en", "can i pay property tax with credit card", "ways-to-pay-property-tax"),
    ("en", "when is the property tax due", "property-tax-due-dates"),
    (
        "en",
        "im 72 on a pension, is there any help with my property tax",
        "property-tax-rebate-for-seniors-and-low-income",
    ),
    ("en", "handicap parking tag for my dad", "accessible-parking-permit"),
    ("en", "moving accross town next month who do i tell", "change-your-address"),
    (
        "fr",
        "jai eu une crevaison a cause dun trou dans la rue, qui paie",
        "reclamation-dommages-nid-de-poule",
    ),
    ("fr", "est-ce que les pots de yogourt se recyclent", "quoi-mettre-dans-le-bac-bleu"),
    ("fr", "mon bac est fendu le couvercle est casse", "remplacer-un-bac-brise-ou-vole"),
    ("fr", "gros trou dans la chaussee devant chez nous", "signaler-un-nid-de-poule"),
    ("fr", "jai fait une demande la semaine passee, ou en est-elle?", "suivre-une-demande"),
    ("fr", "le trottoir devant chez moi est pas deneige depuis 3 jours", "deneigement-des-rues-et-trottoirs"),
    ("fr", "la lumiere de rue est brulee au coin de ma rue", "lampadaire-eteint"),
    ("fr", "un arbre de la ville devant chez moi est mort, pouvez vous le couper", "arbres-de-la-ville"),
    (
        "fr",
        "je trouve que la valeur de ma maison est trop haute sur le role devaluation",
        "evaluation-fonciere-et-contestation",
    ),
    ("fr", "mon permis pour mon commerce expire bientot", "renouveler-un-permis-d-entreprise"),
    ("fr", "je veux ouvrir un restaurant, quest ce quil me faut comme permis", "demander-un-permis-d-entreprise"),
    (
        "fr",
        "puis-je faire de la couture chez moi et vendre mes affaires, jai besoin dun permis?",
        "entreprise-a-domicile",
    ),
    ("fr", "payer mes taxes en plusieurs fois", "regime-de-versements-de-l-impot-foncier"),
    (
        "fr",
        "jai paye mes taxes municipales en retard, combien d'interets",
        "retard-de-paiement-de-l-impot-foncier",
    ),
    (
        "fr",
        "on vient d'acheter un condo, le compte de taxes est encore au nom de l'ancien proprio",
        "impot-foncier-pour-les-nouveaux-proprietaires",
    ),
    ("fr", "comment payer mes taxes foncieres par internet", "modes-de-paiement-de-l-impot-foncier"),
    ("fr", "c quand la date limite pour les taxes", "echeances-de-l-impot-foncier"),
    (
        "fr",
        "ma mere est agee et a un petit revenu, y a t il un rabais sur ses taxes",
        "remboursement-d-impot-foncier-pour-aines-et-faible-revenu",
    ),
    ("fr", "vignette handicape pour stationner", "permis-de-stationnement-accessible"),
    ("fr", "je demenage le mois prochain, comment mettre a jour mon adresse", "changer-votre-adresse"),
    (
        "fr",
        "jai eu un ticket de parking mais le panneau etait cache par une branche, je veux pas payer",
        "contester-une-contravention-de-stationnement",
    ),
    ("fr", "jai perdu mon portefeuille avec mon permis de conduire dedans", "permis-de-conduire-perdu-ou-vole"),
    (
        "fr",
        "je viens de l'ontario, est ce que je dois changer mon permis",
        "echanger-un-permis-d-une-autre-province",
    ),
    ("fr", "mon permis de conduire expire le mois prochain", "renouveler-votre-permis-de-conduire"),
    (
        "fr",
        "mes invites ont pas de place pour se stationner dans ma rue, ca prend une passe?",
        "permis-de-stationnement-residentiel",
    ),
    ("fr", "payer une amende de stationnement en ligne", "payer-une-contravention-de-stationnement"),
    (
        "fr",
        "mon auto a disparu de la rue ce matin, je pense quelle a ete remorquee",
        "mon-vehicule-a-ete-remorque",
    ),
    ("fr", "renouveler ma plaque", "renouveler-l-immatriculation"),
    (
        "fr",
        "jachete un char usage dun particulier, quels papiers faut-il",
        "acheter-ou-vendre-un-vehicule-d-occasion",
    ),
    ("fr", "peut on se stationner dans la rue la nuit en hiver", "interdiction-de-stationner-la-nuit-en-hiver"),
]
