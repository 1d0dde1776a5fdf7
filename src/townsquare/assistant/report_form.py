"""Reading a guided report by text: which report-about-a-place services a message names, where it says the
problem is, and the service's form asked and answered one question at a time (list answers by number).

Services are the catalogue's `open311` ones, named by the words of their names and keywords in every language
(the catalogue's wording, no list of problems here), with the knowledge articles the search is confident of as a
tie-breaker. Reads the catalogue, the address register and the index; writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import forms
from townsquare.agencies import service as agencies
from townsquare.agencies.models import AttributeDatatype, Service, ServiceAttribute
from townsquare.assistant.intents import fold
from townsquare.knowledge.search import KnowledgeIndex
from townsquare.knowledge.wording import INTENT_ARTICLE, INTENT_QUESTION, intents_of
from townsquare.places import service as places
from townsquare.places.models import Place

MAX_CHOICES = 4
# Words of the dialogue itself, never a sign of which problem it is ("report a pothole": the pothole counts).
_DIALOGUE_WORDS = frozenset({"report", "reporting", "signaler", "signalement", "problem", "probleme", "issue"})
# How news of a problem at a place is worded, beyond the problem cues knowledge search reads: its presence ("there's
# a …", « il y a … »), a few more ways a thing goes wrong, and where it is ("in front of", « devant »).
_CUES = {
    "~problem": (
        *INTENT_QUESTION["~problem"],
        *INTENT_ARTICLE["~problem"],
        "there is", "there's", "theres", "there are", "il y a", "y a", "down", "fell", "fallen", "leaning",
        "blocking", "blocked", "dangerous", "dead", "tombe", "tombee", "bloque", "dangereux", "eteint", "casse",
        "cassee", "brisee", "endommagee", "oubliee", "oubliees", "oublies", "pas ramasse", "pas ramassee",
        "in front of", "outside", "near", "next to", "on my street", "at the corner", "devant", "pres de",
        "a cote de", "chez moi", "sur ma rue", "au coin",
    )
}  # fmt: skip
_CIVIC = re.compile(r"\b\d{1,6}[a-z]?\b,?\s+[^,.;!?\n]{2,80}", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")
MAX_TRAILING_WORDS = 6  # "120 King St W my tire burst": words dropped from the end until the register knows it


def service_name(service: Service, language: str) -> str:
    wording = (service.translations or {}).get(language) if language != "en" else None
    name = wording.get("name") if isinstance(wording, dict) else None
    return str(name) if name else service.name


def _vocabulary(service: Service) -> tuple[frozenset[str], frozenset[str]]:
    """The folded words of the service's keywords and synonyms, and of its names, in every language."""
    keywords = [str(k) for k in [*(service.keywords or []), *(service.synonyms or [])]]
    names = [service.name]
    for wording in (service.translations or {}).values():
        if isinstance(wording, dict):
            names.append(str(wording.get("name") or ""))
            keywords += [str(k) for k in wording.get("keywords") or [] if isinstance(k, str)]

    def words(texts: list[str]) -> frozenset[str]:
        return frozenset(w for text in texts for w in re.findall(r"\w+", fold(text)) if w not in _DIALOGUE_WORDS)

    return words(keywords), words(names)


def _named(word: str, vocabulary: tuple[frozenset[str], frozenset[str]]) -> bool:
    """The word is one of the service's keywords, or a longer word of its name ("out" in "Street light out" is no
    sign of a street light), or the plural of either ("potholes", "lights")."""
    keywords, names = vocabulary
    if word in keywords or (word in names and len(word) >= 4):
        return True
    return any(word.startswith(v) and len(v) >= 4 and len(word) - len(v) <= 2 for v in keywords | names)


def _scores(services: list[Service], words: list[str]) -> tuple[dict[str, int], set[str]]:
    """How well the message names each service (2 for a word that names it alone in the catalogue, 1 for a word
    it shares: "street" names potholes, street lights and street parking, so no one problem), and the services
    some word names alone."""
    vocabularies = {s.code: _vocabulary(s) for s in services}
    scores: dict[str, int] = {}
    alone: set[str] = set()
    for word in words:
        if len(word) < 3 or word in _DIALOGUE_WORDS:
            continue
        named = [code for code, vocabulary in vocabularies.items() if _named(word, vocabulary)]
        for code in named:
            scores[code] = scores.get(code, 0) + (2 if len(named) == 1 else 1)
        alone.update(named if len(named) == 1 else ())
    return scores, alone


@dataclass(frozen=True)
class Named:
    """The report services a message names, best first, and what else the message is."""

    services: list[Service]
    answered: bool  # a published article answers it with confidence
    bare: bool  # every word of it names the first service ("pothole", "graffiti"): nothing but the problem


async def candidates(
    session: AsyncSession, index: KnowledgeIndex, *, text: str, language: str, confidence: float
) -> Named | None:
    """The report services a message names: one when it is clear, up to four to choose from; None when no word
    names a report alone, or another service of the catalogue is named better."""
    catalogue = await agencies.list_services(session)
    words = agencies.query_words(text)
    scores, alone = _scores(catalogue, words)
    reports = [s for s in catalogue if s.open311 and s.code in alone]
    other = max((scores.get(s.code, 0) for s in catalogue if not s.open311), default=0)
    if not reports or other > max(scores[s.code] for s in reports):
        return None
    hits = await index.search(session, text, language=language, limit=3)
    for rank, hit in enumerate(hits):
        for code in hit.service_codes if hit.confidence >= confidence else ():
            if code in scores:  # an article confidently about a named service settles a close call
                scores[code] += 2 if rank == 0 else 1
    ranked = sorted(reports, key=lambda s: (-scores[s.code], s.name))
    top = scores[ranked[0].code]
    vocabulary = _vocabulary(ranked[0])
    return Named(
        services=[s for s in ranked if s is ranked[0] or scores[s.code] * 2 > top][:MAX_CHOICES],
        answered=bool(hits) and hits[0].confidence >= confidence,
        bare=all(_named(w, vocabulary) for w in words if w not in _DIALOGUE_WORDS),
    )


def tells_of_a_problem(text: str) -> bool:
    """The wording speaks of something wrong, or of a place: "there's a…", "not picked up", "out", "in front of"."""
    return bool(intents_of(text, _CUES))


def numbered(names: list[str]) -> str:
    """Choices as an SMS can show them: "1 Report a pothole, 2 Street light out"."""
    return ", ".join(f"{n} {name}" for n, name in enumerate(names, start=1))


def numbers_in(text: str) -> list[int]:
    return [int(n) for n in _NUMBER.findall(text)[:10]]


# Where ---------------------------------------------------------------------------------------------------------


async def find_place(session: AsyncSession, text: str) -> Place | None:
    """The register address a message gives: the whole message, else a civic number and the words after it."""
    found = await places.match(session, text=text)
    if found is not None:
        return found
    for match in _CIVIC.finditer(text[:500]):
        words = match.group(0).replace(",", " ").split()
        for end in range(len(words), max(len(words) - MAX_TRAILING_WORDS, 2) - 1, -1):
            found = await places.match(session, text=" ".join(words[:end]))
            if found is not None:
                return found
    return None


# The service's form -------------------------------------------------------------------------------------------


def questions(service: Service, answers: dict[str, Any] | None = None) -> list[ServiceAttribute]:
    """The form's questions a person must answer, in order, given the answers so far (the optional ones, those
    their condition hides and files are not asked by text)."""
    return [
        a
        for a in service.attributes
        if a.variable and a.required and a.datatype is not AttributeDatatype.file and forms.shown(a, answers or {})
    ]


def _wording(attribute: ServiceAttribute, language: str) -> dict[str, Any]:
    found = (attribute.translations or {}).get(language) if language != "en" else None
    return found if isinstance(found, dict) else {}


def value_names(attribute: ServiceAttribute, language: str) -> list[tuple[str, str]]:
    """A list question's choices as (key, name in the language)."""
    names = _wording(attribute, language).get("values")
    names = names if isinstance(names, dict) else {}
    out = []
    for value in attribute.values:
        key = str(value.get("key"))
        out.append((key, str(names.get(key) or value.get("name") or key)))
    return out


def question_text(attribute: ServiceAttribute, language: str) -> str:
    """The question as asked by text, with its numbered choices."""
    asked = str(_wording(attribute, language).get("description") or attribute.description)
    if attribute.datatype in (AttributeDatatype.singlevaluelist, AttributeDatatype.multivaluelist):
        return f"{asked} {numbered([name for _, name in value_names(attribute, language)])}."
    return asked


def read_answer(service: Service, attribute: ServiceAttribute, text: str, language: str) -> Any:
    """The answer in the form's terms (a key, keys, a number, text), or None when it does not fit the question."""
    choices = value_names(attribute, language)
    raw: Any = text.strip()
    if attribute.datatype is AttributeDatatype.multivaluelist:
        picked = [choices[n - 1][0] for n in numbers_in(text) if 1 <= n <= len(choices)]
        raw = list(dict.fromkeys(picked)) or _by_name(choices, text)
    elif attribute.datatype is AttributeDatatype.singlevaluelist:
        picked = [choices[n - 1][0] for n in numbers_in(text) if 1 <= n <= len(choices)]
        raw = picked[0] if len(picked) == 1 else _by_name(choices, text)
    if raw in (None, "", []):
        return None
    value, problem = forms.check_answer(attribute, raw)
    return None if problem else value


def _by_name(choices: list[tuple[str, str]], text: str) -> str | None:
    said = fold(text).strip(" .!")
    for key, name in choices:
        if said in (fold(name), fold(key)):
            return key
    return None


def answer_words(service: Service, answers: dict[str, Any], language: str) -> str:
    """The answers as the summary reads them: " How big is it? Up to a tyre." (empty without answers)."""
    said = []
    for attribute in questions(service, answers):
        value = answers.get(attribute.code)
        if value is None:
            continue
        names = dict(value_names(attribute, language))
        shown = ", ".join(names.get(str(v), str(v)) for v in (value if isinstance(value, list) else [value]))
        asked = str(_wording(attribute, language).get("description") or attribute.description)
        said.append(f"{asked} {shown}.")
    return "".join(f" {s}" for s in said)
