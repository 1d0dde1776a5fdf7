"""What a person wants from one message, in English or French: deterministic lexicons and patterns, no model.

Text is folded (case, accents, apostrophes) and words close to a known keyword (a typo or two) are corrected
before matching, so "tlak to a persn" and "ou en est mon dosier" are understood. Never looks anything up in the
database: the engine does that with what is found here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum

from rapidfuzz.distance import OSA


class Intent(StrEnum):
    talk_to_person = "talk_to_person"
    case_status = "case_status"
    start_application = "start_application"
    continue_application = "continue_application"
    callback = "callback"
    yes = "yes"
    no = "no"
    greeting = "greeting"
    thanks = "thanks"
    question = "question"
    cancel = "cancel"  # leave a guided report (only while one is under way)
    appointment = "appointment"  # book, move or cancel an appointment at an office
    unknown = "unknown"


@dataclass(frozen=True)
class Detected:
    """One message's intent, what it names (a case reference, the thing to apply for) and its language."""

    intent: Intent
    language: str | None  # "en" or "fr" when the wording says so; None when it could be either
    reference: str | None = None
    subject: str | None = None  # start_application: what to apply for / report / renew ("a pothole")
    asks_status: bool = False  # the wording asks where something stands (not only a quoted reference)
    folded: str = ""


def fold(text: str) -> str:
    """Lower case, no accents, straight apostrophes, single spaces: `Où en est  L'appel` → `ou en est l'appel`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return " ".join(plain.split())


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words the patterns below key on; a message word within one edit (two for long words) is read as the keyword.
_VOCABULARY = _set(
    """
    agent human person someone somebody operator representative staff speak talk status update progress request
    application continue resume finish apply report renew register callback please thanks thank hello
    parler quelqu'un personne humain conseiller operateur employe dossier demande statut rappelez rappeler
    appelez reprendre continuer terminer poursuivre signaler renouveler inscrire bonjour merci
    """
)
_WORD = re.compile(r"[a-z0-9']+")


def _correct(word: str) -> str:
    if word in _VOCABULARY or len(word) < 4 or not word.isalpha():
        return word
    limit = 1 if len(word) < 8 else 2
    best, distance = word, limit + 1
    for known in _VOCABULARY:
        if abs(len(known) - len(word)) > limit:
            continue
        if len(word) == 4 and sorted(known) != sorted(word):
            continue  # short words: only swapped letters ("tlak"), or "tall" would become "talk"
        d = OSA.distance(word, known, score_cutoff=limit)
        if d < distance:
            best, distance = known, d
    return best


def corrected(folded: str) -> str:
    """The folded text with near-miss keywords spelled right (punctuation and spacing kept)."""
    return _WORD.sub(lambda m: _correct(m.group(0)), folded)


# Language: function words and a few give-aways of each.
_FR_WORDS = _set(
    "je j' le la les un une des du de est et pour mon ma mes votre vos vous nous ou quand comment quel quelle "
    "quels pourquoi avec sur dans pas ne qui que qu' c'est bonjour merci oui non suis veux voudrais dossier "
    "demande ordures poubelle permis impot taxe rue rappelez quelqu'un aide bonsoir salut parler"
)
_EN_WORDS = _set(
    "i the a an is are and for my your you we where when how what which why with on in not who that it's "
    "hello thanks thank yes no am want would like request application bin garbage trash tax street please "
    "can do does my"
)


def language_of(text: str) -> str | None:
    """ "fr" or "en" when the words make it plain, else None (a reference number, "ok", "pothole")."""
    folded = fold(text)
    words = re.findall(r"[a-z]+'?|[a-z]+", folded)
    fr = sum(1 for w in words if w in _FR_WORDS)
    en = sum(1 for w in words if w in _EN_WORDS)
    if re.search(r"[àâçéèêëîïôûùüÿœ]", text.casefold()):
        fr += 2
    if fr >= en + 1 and fr >= 1:
        return "fr"
    if en >= fr + 1 and en >= 1:
        return "en"
    return None


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"[+(]?\d[\d\s().-]{6,}\d")

_TALK = [
    r"\b(talk|speak|chat)\w*\s+(to|with)\s+(a |an |the |some |your |real |live )*(person|human|agent|someone|"
    r"somebody|staff|operator|representative|people|man|woman)\b",
    r"\b(real|live|actual)\s+(person|human|agent)\b",
    r"\b(need|want|get)\s+(a |an )?(human|agent|person|operator)\b",
    r"\bparler\s+(a|avec)\s+(quelqu'un|un agent|une personne|un humain|un conseiller|une conseillere|un employe|"
    r"une employee|un operateur|quelqu'un de reel|une vraie personne|personne)\b",
    r"\b(une vraie personne|un etre humain|un humain|un conseiller|une conseillere)\b",
]
_TALK_ALONE = {"agent", "human", "operator", "representative", "person", "humain", "conseiller", "operateur"}
_CALLBACK = [
    r"\b(call|phone|ring)\s+me(\s+back)?\b",
    r"\bcall\s*-?\s*back\b",
    r"\bcallback\b",
    r"\b(can|could)\s+(someone|somebody|you|an agent)\s+(call|phone|ring)\b",
    r"\b(rappelez|rappeler|rappele|rappelle)[- ]?(moi|nous)?\b",
    r"\b(appelez|appeler|telephonez)[- ]moi\b",
    r"\bme\s+(rappeler|telephoner|appeler)\b",
]
_STATUS = [
    r"\bstatus\b",
    r"\b(any|an)\s+update\b",
    r"\b(where|what)('s| is| are)?\s+(is |are )?(with )?my\s+(request|application|case|report|complaint|permit|"
    r"licen[cs]e|file)\b",
    r"\bprogress\s+(of|on)\s+my\b",
    r"\bwhat('s| is)\s+happening\s+with\s+my\b",
    r"\bou\s+en\s+est\b",
    r"\b(suivi|statut|etat|avancement)\s+(de|du)\s+(ma|mon)\s+(demande|dossier|requete|plainte|signalement)\b",
    r"\bstatut\b",
]
_APPOINTMENT = [
    r"\b(book|make|get|schedule|need|want|have|change|move|cancel|reschedule)\s+(an?\s+|my\s+)?appointments?\b",
    r"\bappointments?\s+(for|to|at)\b",
    r"^(an?\s+)?appointments?$",
    r"\b(prendre|avoir|fixer|obtenir|changer|deplacer|annuler|reporter)\s+(un\s+|mon\s+|le\s+)?(rendez-vous|rdv)\b",
    r"\b(un|mon)\s+(rendez-vous|rdv)\b",
    r"^(rendez-vous|rdv)$",
]
_CONTINUE = [
    r"\b(continue|resume|finish|complete)\s+(my|the)\s+(application|form|request|draft)\b",
    r"\bpick\s+up\s+where\s+i\s+left\b",
    r"\bmy\s+draft\b",
    r"\b(reprendre|continuer|terminer|poursuivre|finir|completer)\s+(ma|mon)\s+(demande|formulaire|dossier)\b",
]
_APPLY_VERBS_EN = r"(apply|report|renew|register|request|book|sign up|get|obtain|order|pay)"
_START = [
    re.compile(
        r"\b(i\s+(want|would like|need|'d like|wish|have)|i'd\s+like|how\s+(do|can|could)\s+i|can\s+i|"
        r"where\s+(do|can)\s+i|let\s+me|help\s+me)\s+(to\s+)?" + _APPLY_VERBS_EN + r"\b\s*(for\s+|to\s+)?(?P<what>.*)"
    ),
    re.compile(r"^(please\s+)?(apply|report|renew|register)\s+(for\s+)?(?P<what>.+)"),
    re.compile(
        r"\b(je\s+(veux|voudrais|souhaite|dois|aimerais|desire)|comment|ou\s+puis-je|puis-je)\s+"
        r"(faire\s+une\s+demande\s+(de|d'|pour)|demander|signaler|renouveler|m'inscrire\s+(a|au|pour)|declarer|"
        r"reserver|obtenir|payer|faire\s+renouveler)\s*(?P<what>.*)"
    ),
]
_YES = {
    "yes", "y", "yeah", "yep", "yup", "yes please", "yes thanks", "yes thank you", "it did", "yes it did", "sure",
    "oui", "o", "ouais", "oui merci", "tout a fait", "oui ca m'a aide", "ok", "okay", "correct", "that helped",
    "yes that helped", "perfect", "parfait", "great", "super", "absolutely", "absolument", "yes!", "oui!",
}  # fmt: skip
_NO = {
    "no", "n", "nope", "nah", "not really", "no it didn't", "it didn't", "no thanks", "didn't help", "no it did not",
    "not at all", "non", "non merci", "pas vraiment", "pas du tout", "ca ne m'a pas aide", "no!", "non!",
    "that didn't help", "it did not", "no, it didn't", "wrong",
}  # fmt: skip
_GREETING = {"hi", "hello", "hey", "hiya", "good morning", "good afternoon", "good evening", "bonjour", "salut",
             "bonsoir", "allo", "coucou", "hi there", "hello there"}  # fmt: skip
_THANKS = {"thanks", "thank you", "thank you very much", "thanks a lot", "cheers", "merci", "merci beaucoup",
           "merci bien", "thx", "ty", "great thanks", "ok thanks", "ok merci"}  # fmt: skip


_CANCEL = {
    "cancel", "cancel report", "cancel the report", "cancel my report", "cancel it", "stop reporting",
    "stop report", "stop the report", "stop this report", "never mind", "nevermind", "forget it", "quit report",
    "annuler", "annule", "annulez", "annuler le signalement", "annuler mon signalement", "annuler signalement",
    "arreter le signalement", "laisse tomber", "laissez tomber", "oubliez ca", "oublie ca",
}  # fmt: skip
_QUESTION_STARTS = _set(
    "how what when where why who which whose can could do does did is are will would should may "
    "comment quand quel quelle quels quelles pourquoi ou qui combien est-ce puis-je peut-on pouvez-vous"
)
_QUESTION_PHRASES = re.compile(r"\b(how (long|much|do|can|soon)|when will|combien de temps|est-ce que|quand)\b")


def is_question(text: str) -> bool:
    """Whether a message is worded as a question ("how long until a pothole is filled?"), not as news of a
    problem ("there's a pothole on my street")."""
    folded = fold(text)
    words = _bare(folded).split()
    return "?" in text or (bool(words) and words[0] in _QUESTION_STARTS) or bool(_QUESTION_PHRASES.search(folded))


def _any(patterns: list[str], text: str) -> bool:
    return any(re.search(p, text) for p in patterns)


def _bare(folded: str) -> str:
    return re.sub(r"[^\w' ]+", " ", folded).strip().replace("  ", " ")


def detect(text: str, *, reference_pattern: re.Pattern[str] | None = None, awaiting: str | None = None) -> Detected:
    """The intent of one message; `awaiting` is what the assistant last asked ("feedback", "confirm", ...)."""
    folded = fold(text)
    language = language_of(text)
    bare = " ".join(_bare(folded).split())
    words = corrected(folded)
    if not bare and not folded:
        return Detected(Intent.unknown, language, folded=folded)
    found = _reply_or_handoff(bare, words, awaiting) or _casework(text, words, reference_pattern)
    if isinstance(found, Detected):
        return replace(found, language=language, folded=folded)
    if found is not None:
        return Detected(found, language, folded=folded)
    if bare in _GREETING:
        return Detected(Intent.greeting, language, folded=folded)
    if bare in _THANKS:
        return Detected(Intent.thanks, language, folded=folded)
    if not re.search(r"[a-z0-9]", folded):
        return Detected(Intent.unknown, language, folded=folded)
    return Detected(Intent.question, language, folded=folded)


def _reply_or_handoff(bare: str, words: str, awaiting: str | None) -> Intent | None:
    """A yes or no to what the assistant asked, or a wish to talk to a person or be called back."""
    if awaiting in ("feedback", "confirm", "report"):
        if bare in _YES:
            return Intent.yes
        if bare in _NO:
            return Intent.no
    if awaiting == "report" and bare.strip(" .!") in _CANCEL:
        return Intent.cancel
    if _any(_TALK, words) or bare in _TALK_ALONE or words.strip(" .!?") in _TALK_ALONE:
        return Intent.talk_to_person
    if _any(_CALLBACK, words):
        return Intent.callback
    return None


def _casework(text: str, words: str, reference_pattern: re.Pattern[str] | None) -> Detected | Intent | None:
    """A question about a case (by reference or in words), or a wish to continue or start an application."""
    reference = None
    if reference_pattern is not None and (match := reference_pattern.search(text)):
        reference = match.group(0).upper()
    asks_status = _any(_STATUS, words)
    if reference is not None or asks_status:
        return Detected(Intent.case_status, None, reference=reference, asks_status=asks_status)
    if _any(_APPOINTMENT, words):
        return Intent.appointment
    if _any(_CONTINUE, words):
        return Intent.continue_application
    for pattern in _START:
        found = pattern.search(words)
        if found is not None and found.group("what").strip(" ?.!"):
            return Detected(Intent.start_application, None, subject=found.group("what").strip(" ?.!"))
    return None


def contact_in(text: str) -> tuple[str, str] | None:
    """An email address or phone number written in a message, as ("email", value) or ("phone", value)."""
    email = _EMAIL.search(text)
    if email is not None:
        return "email", email.group(0)
    phone = _PHONE.search(text)
    if phone is not None:
        return "phone", phone.group(0)
    return None
