"""How search reads text, the same for an article and a question: folded to lower case without accents, split into
words without stop words, stemmed (Snowball, English and French), with each word's synonyms, and the intents a
question or an article speaks of ("when" asks for a schedule, "not picked up" reports a problem).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

import Stemmer  # type: ignore[import-not-found]

from townsquare.knowledge.synonyms import STOP_WORDS, SYNONYM_GROUPS

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# What a question asks about, beyond its topic words: "when is my trash picked up" wants the schedule, "my trash was
# not picked up" a problem reported. Question words and negations are stop words, so they are read here from the
# whole folded text, and an article carries the intent when its title or keywords speak of it. Getting something
# for the first time and renewing it share their topic words ("business licence", "permis de conduire"): "how do
# i get a licence" asks to apply ("~new"), "my licence expired" to renew ("~renew"). "Where is my complaint at"
# asks how something already asked for is going ("~status"), whatever it was about.
INTENT_QUESTION = {
    "~when": ("when", "quand", "what day", "which day", "what days", "what time", "what night", "which night",
              "quel jour", "quels jours", "quelle heure", "what date", "how often", "schedule", "horaire",
              "what evening", "quel soir", "quels soirs", "quelle date", "quelle journee"),
    "~problem": ("not", "didn't", "didnt", "wasn't", "wasnt", "weren't", "isn't", "isnt", "hasn't", "never",
                 "forgot", "forgotten", "skipped", "missed", "still", "n'a pas", "pas ete", "pas passe", "oublie",
                 "jamais", "toujours pas", "broken", "brise", "stolen", "vole", "lost", "perdu", "damaged",
                 "can't", "cannot", "unable", "pas", "impossible", "incapable"),
    "~new": ("get a", "get an", "getting a", "apply", "applying", "application", "new", "obtain", "open a",
             "opening a", "obtenir", "demander", "faire une demande", "nouveau", "nouvelle", "nouvel", "ouvrir"),
    "~renew": ("renew", "renewing", "renewal", "expired", "expires", "expiring", "expiry", "runs out", "run out",
               "renouveler", "renouvelle", "renouvellement", "expire", "expiree", "expiration"),
    "~status": ("where is my", "where's my", "wheres my", "any update", "an update", "update on", "status of",
                "track my", "follow up on", "ou en est", "ou en sont", "des nouvelles", "suivi de", "suivre ma",
                "suivre mon", "etat de ma", "etat de mon", "heard back", "hear back", "heard nothing",
                "heard anything", "check on", "checking on", "no news", "any news", "happening with", "ou c rendu",
                "ou c'est rendu", "ou s'en est", "rendu ou", "pas de nouvelles", "aucune nouvelle", "rien entendu"),
}  # fmt: skip
INTENT_ARTICLE = {
    "~when": ("day", "days", "schedule", "calendar", "date", "dates", "hours", "when", "jour", "jours",
              "horaire", "horaires", "calendrier", "heures", "quand"),
    "~problem": ("not", "missed", "broken", "damaged", "lost", "stolen", "out", "flickering", "unplowed", "pas", "non",
                 "manque", "brise", "endommage", "perdu", "vole", "panne", "oublie"),
    "~new": ("apply", "application", "new", "newcomer", "start", "open a", "demander", "demande", "nouveau",
             "nouvelle", "nouvel", "nouveaux", "ouvrir", "demarrer", "obtenir", "arrivant"),
    "~renew": ("renew", "renewal", "expired", "expiry", "renouveler", "renouvellement", "expire", "expiration"),
    "~status": ("status", "track", "follow up", "suivre", "suivi", "ou en est"),
}  # fmt: skip
# Intents that answer different questions about the same topic: an article about one of them is about something
# else than a question asking the other (and only the other).
INTENT_RIVALS = (frozenset({"~when", "~problem"}), frozenset({"~new", "~renew"}))


def _fold_table() -> dict[int, str]:
    table = {ord("\u2019"): "'", ord("œ"): "oe", ord("æ"): "ae", ord("ß"): "ss"}
    for code in range(0xC0, 0x250):
        stripped = "".join(c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c))
        if stripped and stripped != chr(code):
            table[code] = stripped
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Lower case without accents: "Déchets" and "dechets" are one word."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    folded = lowered.translate(_FOLD)
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# How people text: shorthand that stands for a word search knows (or for a stop word, dropped with it). Only forms
# with one meaning in a city's questions ("bc" is British Columbia, "pu" could be "plus" or "pouvoir": not here).
SHORTHAND = {
    "qd": "quand", "kan": "quand", "koi": "quoi", "pk": "pourquoi", "pq": "pourquoi", "pcq": "parce",
    "mtn": "maintenant", "bcp": "beaucoup", "tjrs": "toujours", "tjs": "toujours", "auj": "aujourd'hui",
    "rdv": "rendez-vous", "dmd": "demande", "ds": "dans", "vs": "vous", "jsp": "sais", "chu": "suis",
    "ordi": "ordinateur", "tele": "television", "tv": "television", "resto": "restaurant", "proprio": "proprietaire",
    "u": "you", "ur": "your", "r": "are", "pls": "please", "plz": "please", "thx": "thanks", "ty": "thanks",
    "hrs": "hours", "hr": "hour", "wk": "week", "wks": "weeks", "appt": "appointment", "govt": "government",
    "tmrw": "tomorrow", "2day": "today", "b4": "before", "cuz": "because", "bcuz": "because", "pic": "photo",
    "pics": "photos", "xmas": "christmas", "bday": "birthday", "lic": "licence",
}  # fmt: skip
_SHORT = re.compile(r"\b(" + "|".join(sorted(SHORTHAND, key=len, reverse=True)) + r")\b")


def unabbreviate(text: str) -> str:
    """Folded text with texting shorthand written out ("c qd la collecte" → "c quand la collecte")."""
    return _SHORT.sub(lambda m: SHORTHAND[m.group(1)], fold(text))


def words(text: str) -> list[str]:
    """The folded words of `text` that carry meaning (stop words and single letters dropped)."""
    found: list[str] = []
    for word in _WORD.findall(fold(text)):
        if word in STOP_WORDS or (len(word) < 2 and not word.isdigit()):
            continue
        if "-" in word:  # "nid-de-poule" is also "nid" and "poule"; "va-t-elle" is "va", "dois-je" nothing
            parts = [p for p in word.split("-") if p not in STOP_WORDS and len(p) > 1]
            found.extend([word, *parts] if len(parts) > 1 else parts)
            continue
        found.append(word)
    return found


@lru_cache(maxsize=4)
def _stemmer(language: str) -> Any:
    return Stemmer.Stemmer("french" if language == "fr" else "english")


# Forms a suffix-stripping stemmer cannot bring back to their word: "a branch fell" is about a fallen tree, "i sold
# my car" about selling one, "leaf pickup" about the leaves. Only forms with one everyday meaning ("left" and
# "found" are not here; "leaves" is here for the leaves, which residents ask about far more than someone leaving).
_IRREGULAR = {
    "en": {
        "fell": "fall", "fallen": "fall", "sold": "sell", "bought": "buy", "paid": "pay", "broke": "break",
        "broken": "break", "stole": "steal", "stolen": "steal", "threw": "throw", "thrown": "throw", "lost": "lose",
        "took": "take", "taken": "take", "gave": "give", "given": "give", "went": "go", "gone": "go", "came": "come",
        "ran": "run", "built": "build", "bit": "bite", "bitten": "bite", "drove": "drive", "driven": "drive",
        "wrote": "write", "written": "write", "froze": "freeze", "frozen": "freeze", "caught": "catch",
        "chose": "choose", "chosen": "choose", "blew": "blow", "blown": "blow", "burnt": "burn", "dug": "dig",
        "flew": "fly", "flown": "fly", "hung": "hang", "kept": "keep", "sent": "send", "spent": "spend",
        "spoke": "speak", "spoken": "speak", "stuck": "stick", "struck": "strike", "tore": "tear", "torn": "tear",
        "wore": "wear", "worn": "wear", "bent": "bend", "shook": "shake", "shaken": "shake", "hid": "hide",
        "hidden": "hide", "brought": "bring", "met": "meet", "grew": "grow", "grown": "grow", "swept": "sweep",
        "slept": "sleep", "lit": "light", "sank": "sink", "sunk": "sink", "rang": "ring", "rung": "ring",
        "rode": "ride", "ridden": "ride", "children": "child", "men": "man", "women": "woman", "feet": "foot",
        "teeth": "tooth", "mice": "mouse", "leaves": "leaf", "shelves": "shelf", "knives": "knife",
        "thieves": "thief", "wolves": "wolf", "halves": "half", "loaves": "loaf", "scarves": "scarf",
    },
    "fr": {
        "pris": "prendre", "prise": "prendre", "mis": "mettre", "mise": "mettre", "vu": "voir", "vue": "voir",
        "su": "savoir", "venu": "venir", "venue": "venir", "tenu": "tenir", "ouvert": "ouvrir",
        "ouverte": "ouvrir", "couvert": "couvrir", "offert": "offrir", "recu": "recevoir", "recue": "recevoir",
        "eu": "avoir", "pu": "pouvoir", "voulu": "vouloir", "vendu": "vendre", "vendue": "vendre",
        "perdu": "perdre", "perdue": "perdre", "rendu": "rendre", "mort": "mourir", "morte": "mourir",
    },
}  # fmt: skip


def stem(word: str, language: str) -> str:
    """The index term of a folded word in `language` ("en" or "fr"): its Snowball stem in that language (of its
    base form when it is irregular), marked with the language, so an English word stemmed the French way ("plates"
    → "plat") finds French text only."""
    return f"{language}:{_stemmer(language).stemWord(_IRREGULAR[language].get(word, word))}"


def stem_all(found: list[str], language: str, cache: dict[str, str]) -> list[str]:
    """The index terms (see `stem`) of folded words in `language`; `cache` (word -> term, one language) spares
    repeats."""
    missing = [w for w in set(found) if w not in cache]
    if missing:
        irregular = _IRREGULAR[language]
        stems = _stemmer(language).stemWords([irregular.get(w, w) for w in missing])
        cache.update((w, f"{language}:{s}") for w, s in zip(missing, stems, strict=True))
    return [cache[w] for w in found]


def _synonym_map() -> dict[str, frozenset[str]]:
    mapping: dict[str, set[str]] = {}
    for group in SYNONYM_GROUPS:
        folded = {fold(w) for w in group}
        for word in folded:
            mapping.setdefault(word, set()).update(folded - {word})
    return {word: frozenset(others) for word, others in mapping.items()}


SYNONYMS = _synonym_map()


def intents_of(text: str, cues: dict[str, tuple[str, ...]]) -> list[str]:
    """The intent tokens whose cues (words or phrases, folded) the text holds."""
    padded = " " + " ".join(re.findall(r"[a-z0-9']+", fold(text))) + " "
    return [intent for intent, phrases in cues.items() if any(f" {p} " in padded for p in phrases)]
