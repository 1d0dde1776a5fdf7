"""English and French: every sentence the portal shows has a French translation, and the switch is remembered."""

from __future__ import annotations

from pathlib import Path

import httpx
from babel.messages.extract import extract_from_dir

from townsquare.web import i18n

WEB = Path(i18n.__file__).parent
METHODS = [
    ("templates/portal/**.html", "jinja2.ext:babel_extract"),
    ("templates/messages/**.html", "jinja2.ext:babel_extract"),
    ("portal/**.py", "python"),
    ("i18n.py", "ignore"),
    ("**.py", "ignore"),
]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}, "**.html": {"extensions": "jinja2.ext.i18n"}}


def _portal_messages() -> dict[str | tuple[str, str], str]:
    """Every message the portal's templates and Python mark for translation: a msgid, or (singular, plural)."""
    found: dict[str | tuple[str, str], str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(WEB, METHODS, OPTIONS):
        key = (message[0], message[1]) if isinstance(message, tuple) else message
        if key:
            found.setdefault(key, f"{filename}:{lineno}")
    return found


def _translated(message: str | tuple[str, str]) -> bool:
    if isinstance(message, tuple):
        singular, plural = message
        return i18n.ngettext(singular, plural, 1) != singular and i18n.ngettext(singular, plural, 5) != plural
    return i18n.gettext(message) != message


def test_every_portal_sentence_has_a_french_translation() -> None:
    messages = _portal_messages()
    assert len(messages) > 50  # the extraction found the templates
    with i18n.speaking("fr"):
        missing = {str(message): where for message, where in messages.items() if not _translated(message)}
    assert not missing, f"no French for: {missing}"


def test_accept_language_picks_french_and_falls_back_to_the_default() -> None:
    assert i18n.pick("fr-CA,fr;q=0.9,en;q=0.8", "en") == "fr"
    assert i18n.pick("de-DE,en;q=0.5", "fr") == "en"
    assert i18n.pick("de-DE", "fr") == "fr"
    assert i18n.pick("en;q=0.2, fr;q=0.9", "en") == "fr"
    assert i18n.pick(None, "en") == "en"


async def test_the_language_switch_is_a_form_that_is_remembered_in_the_browser(client: httpx.AsyncClient) -> None:
    english = await client.get("/")
    assert '<html lang="en"' in english.text
    assert 'value="fr" lang="fr">Français</button>' in english.text
    switched = await client.post("/language", data={"lang": "fr", "next": "/"})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/"
    french = await client.get("/")
    assert '<html lang="fr"' in french.text
    assert "Services publics" in french.text
    assert "Se connecter" in french.text


async def test_an_unknown_language_or_an_outside_next_page_is_refused(client: httpx.AsyncClient) -> None:
    refused = await client.post("/language", data={"lang": "xx", "next": "/"})
    assert refused.status_code == 422
    assert "not offered" in refused.text
    outside = await client.post("/language", data={"lang": "fr", "next": "https://evil.example/"})
    assert outside.headers["location"] == "/"


def test_per_language_words_are_made_once_per_language_and_forgotten_on_reload() -> None:
    made: list[tuple[str, object]] = []

    @i18n.per_language
    def state(code: object) -> str:
        made.append((i18n.current(), code))
        return i18n.gettext("Closed") if code == "closed" else str(code)

    with i18n.speaking("fr"):
        assert state("closed") == state("closed") == "Fermé"
    with i18n.speaking("en"):
        assert state("closed") == "Closed"
    assert made == [("fr", "closed"), ("en", "closed")]  # each language's words made once
    assert state(["not", "a", "key"]) == "['not', 'a', 'key']"  # a value that cannot be a key is named afresh
    i18n.reload()
    with i18n.speaking("fr"):
        assert state("closed") == "Fermé"
    assert made[-1] == ("fr", "closed")  # forgotten with the catalogues it was made from
