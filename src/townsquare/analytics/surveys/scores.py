"""What a survey answer is and the platform's own words around it, with no database: parsing a texted or chatted
answer ("4", "5 great service", "3/5 trop lent"), the chat question and its buttons, the thank-you.

A text is an answer only when it starts with a lone digit 1 to 5; anything else is an ordinary contact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SCORES = (1, 2, 3, 4, 5)
SATISFIED = 4  # CSAT counts the answers of 4 and 5
MAX_COMMENT = 2000
BUTTONS = tuple(str(n) for n in SCORES)

# A lone digit 1-5, optionally "/5", "out of 5" or "sur 5", then the comment after any punctuation.
_ANSWER = re.compile(
    r"^\s*([1-5])(?![0-9]|[.,][0-9])(?:\s*(?:/|out\s+of|sur)\s*5(?![0-9]))?[\s,.;:!)\-\u2013\u2014]*(.*)$",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class Answer:
    score: int
    comment: str | None


def parse(text: str) -> Answer | None:
    """The score and comment a texted answer gives, or None when the text is not an answer."""
    found = _ANSWER.match(text)
    if found is None:
        return None
    comment = " ".join(found.group(2).split())[:MAX_COMMENT]
    return Answer(int(found.group(1)), comment or None)


def clean_comment(text: str) -> str | None:
    """A comment as kept: blanks folded, at most MAX_COMMENT characters, None when empty."""
    folded = "\n".join(" ".join(line.split()) for line in text.strip().splitlines()).strip()
    return folded[:MAX_COMMENT] or None


QUESTION = {
    "en": "How satisfied are you with how we handled this? Choose 1 (very dissatisfied) to 5 (very satisfied).",
    "fr": "Êtes-vous satisfait de la façon dont nous avons traité votre demande? Choisissez de 1 (très "
    "insatisfait) à 5 (très satisfait).",
}
ASSISTANT_QUESTION = {
    "en": "One last thing: how satisfied are you with this answer? Choose 1 (very dissatisfied) to 5 (very satisfied).",
    "fr": "Une dernière chose : êtes-vous satisfait de cette réponse? Choisissez de 1 (très insatisfait) à 5 (très "
    "satisfait).",
}
THANKS = {
    "en": "Thank you for your answer. It helps us improve our service.",
    "fr": "Merci de votre réponse. Elle nous aide à améliorer nos services.",
}


def words(table: dict[str, str], language: str) -> str:
    return table.get(language, table["en"])
