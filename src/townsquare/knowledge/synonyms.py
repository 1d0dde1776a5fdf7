"""Words people use for the same thing, in English and French, and the words a search ignores.

Each group lists words (accents optional: search folds them) that are interchangeable in a question. Keep groups
tight: a synonym that is only sometimes equivalent makes every search for either word worse.
"""

from __future__ import annotations

SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    # spelling variants
    ("licence", "license", "licences", "licenses", "licensing", "permis"),
    ("colour", "color"),
    ("centre", "center"),
    ("metre", "meter"),
    ("instalment", "installment", "instalments", "installments"),
    ("cheque", "check"),
    # waste
    ("garbage", "trash", "waste", "rubbish", "refuse", "ordures", "dechets", "poubelle", "poubelles"),
    ("recycling", "recycle", "recyclables", "recyclage", "recycler"),
    ("compost", "organics", "organic", "compostage"),
    ("bin", "bins", "cart", "container", "bac", "bacs"),
    (
        "pickup",
        "pick",
        "picks",
        "picking",
        "collection",
        "collect",
        "collected",
        "picked",
        "emptied",
        "empty",
        "collecte",
        "ramassage",
        "ramasse",
        "cueillette",
        "vide",
        "videe",
    ),
    ("leaf", "leaves", "feuille", "feuilles"),
    ("bulky", "furniture", "mattress", "encombrants", "meubles"),
    # roads and streets
    ("pothole", "potholes", "nid-de-poule", "nids-de-poule", "crater", "craters"),
    ("road", "street", "roadway", "rue", "chaussee", "route"),
    ("sidewalk", "pavement", "trottoir"),
    ("streetlight", "streetlights", "lampadaire", "lampadaires"),
    ("snow", "plow", "plowing", "snowplow", "neige", "deneigement", "chasse-neige"),
    ("graffiti", "tag", "tags", "tagged", "vandalism", "vandalisme", "taguer", "tague", "taguee", "tagues"),
    ("ice", "icy", "iced", "glace", "glacee", "glaces", "verglas"),
    # money and taxes
    ("tax", "taxes", "impot", "impots", "taxe"),
    ("property", "propriete", "fonciere", "foncier"),  # not "house": "in front of my house" is not about tax
    ("home", "house", "maison", "domicile"),
    ("pay", "payment", "paying", "payer", "paiement"),
    ("bill", "invoice", "statement", "facture", "avis"),
    ("fee", "fees", "cost", "price", "charge", "frais", "tarif", "cout", "prix"),
    ("refund", "reimbursement", "remboursement"),
    ("fine", "ticket", "tickets", "amende", "contravention", "billet"),  # not "penalty": a late fee is no ticket
    ("penalty", "penalties", "interest", "penalite", "penalites", "interets"),
    # permits and documents
    ("permit", "permits", "permis"),  # not "authorization": "pre-authorised payments" are no permit
    ("renew", "renewal", "renouveler", "renouvellement"),
    ("apply", "application", "demander"),
    ("parking", "stationnement"),
    ("dog", "dogs", "pet", "pets", "chien", "chiens", "animal"),
    ("business", "company", "shop", "store", "entreprise", "commerce", "affaires"),  # "permis d'affaires"
    ("building", "construction", "renovation", "batiment", "construire"),
    ("water", "eau", "tap", "aqueduc"),
    ("noise", "loud", "bruit", "bruyant"),
    ("tree", "trees", "arbre", "arbres"),
    ("hours", "schedule", "horaire", "horaires"),
    ("complaint", "complain", "plainte"),
    ("status", "progress", "suivi", "etat"),
    ("cancel", "annuler", "cancellation", "annulation"),
    ("address", "adresse"),
    ("moving", "move", "demenagement", "demenager"),
    ("appointment", "booking", "rendez-vous"),
    # where newcomers come from: "i moved here from alberta" is about another province
    (
        "province",
        "provinces",
        "ontario",
        "quebec",
        "alberta",
        "manitoba",
        "saskatchewan",
        "bc",
        "columbia",
        "colombie-britannique",
        "brunswick",
        "nouveau-brunswick",
        "scotia",
        "nouvelle-ecosse",
        "newfoundland",
        "terre-neuve",
        "yukon",
        "nunavut",
    ),
    # everyday words for the same thing, within a language and across the two
    (
        "car",
        "cars",
        "vehicle",
        "vehicles",
        "automobile",
        "voiture",
        "voitures",
        "vehicule",
        "vehicules",
        "auto",
        "char",
        "chars",
    ),
    ("parked", "park", "parke", "parkee", "stationne", "stationnee", "garee"),
    ("computer", "computers", "laptop", "laptops", "ordinateur", "ordinateurs"),
    ("television", "televisions", "televiseur", "televiseurs"),
    ("restaurant", "restaurants", "cafe", "bakery", "boulangerie"),
    ("flat", "puncture", "creve", "crevaison"),
    ("wheel", "rim", "roue", "jante"),
    # public holidays: "is garbage picked up on christmas" asks about the holiday schedule
    ("holiday", "holidays", "christmas", "noel", "thanksgiving", "easter", "paques", "ferie", "feries", "stat"),
    ("neighbour", "neighbor", "neighbours", "neighbors", "voisin", "voisins", "voisine"),
    ("senior", "seniors", "elderly", "pensioner", "pensioners", "retiree", "aine", "aines", "retraite"),
    ("disabled", "disability", "disabilities", "handicap", "handicapped", "handicape", "handicapee", "handicapes"),
    ("late", "overdue", "retard"),
    ("broken", "damaged", "cracked", "brise", "endommage", "casse"),
    ("stolen", "theft", "vole", "volee"),
    ("lost", "misplaced", "perdu", "perdue"),
    ("expired", "expire", "expiry", "expiration", "expiree"),
    ("towed", "tow", "impound", "impounded", "remorque", "remorquee", "remorquage", "fourriere"),
    ("dispute", "contest", "appeal", "contester", "contestation"),
    ("sticker", "decal", "autocollant"),
    ("couch", "sofa", "divan", "canape"),
    ("fridge", "refrigerator", "frigo", "refrigerateur"),
    ("battery", "batteries", "pile", "piles"),
    ("paint", "peinture"),
    ("branch", "branches", "limb", "limbs", "branche"),
    ("hole", "holes", "trou", "trous"),
    ("open", "opening", "ouvert", "ouverture"),
    ("closed", "fermé", "fermeture"),
    ("deadline", "due", "echeance", "limite"),
)

# Words that carry no meaning in a question (accent-folded, lower case). Domain words never belong here.
_STOP_WORDS = """
    a about above after again all am an and any are as at be because been before being below between both but by
    can could did do does doing done down during each few for from further get got had has have having he her here
    hers him his how i if in into is it its itself just let me more most my myself need needs no nor not now of off
    on once only or other our ours out over own please same she should so some such than that the their theirs them
    then there these they this those through to too under until up very want wants was we were what when where which
    while who whom why will with would you your yours yourself hi hello thanks thank know tell someone something
    anything way im cant dont don doesn didn isn won ll ve re
    au aux avec ce ces cet cette dans de des du elle elles en est et etre eux il ils je j jai la le les leur leurs
    lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que quel quelle quelles quels qui sa sans
    se ses son sur ta te tes toi ton tu un une vos votre vous c d l m n s t y a comment quand combien pourquoi
    est-ce puis-je peux peut dois doit faire fait bonjour merci svp voudrais veux aimerais besoin sais
    ont sont ai avait etait avons avez quoi faut ca cela ceci savoir
    much many ago also really even still never ever like gonna wanna ok okay yes yeah hey guys sir madam
    hasn haven wasn weren aren couldn shouldn wouldn hadn isnt hasnt havent doesnt arent wasnt werent couldnt
    wouldnt shouldnt didnt wont ive youre theyre whats thats
    pis ben oui allo salut beaucoup tres trop deja encore aussi vraiment juste maintenant toujours suis sais
    parce aujourd hui
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS.split())
