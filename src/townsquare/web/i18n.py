"""The portal's languages: English and French through Babel message catalogues.

Every `.po` file under `web/locale/<language>/` is read at start-up and merged into one catalogue per
language, so each part of the portal keeps its own file. The language of a request lives in a context
variable set by `LanguageMiddleware`; templates (`{{ _("...") }}`, `{% trans %}`) and Python code
(`gettext`) both read it. The choice is, in order: the `ts_lang` cookie the language switch sets, the signed-in
resident's remembered language (see `remember`), the browser's Accept-Language, the configured default.
"""

from __future__ import annotations

import contextvars
import functools
import io
import logging
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français"}  # each language named in itself
LANGUAGE_COOKIE = "ts_lang"
_current: contextvars.ContextVar[str] = contextvars.ContextVar("townsquare_language", default="en")


def _load(language: str) -> NullTranslations:
    merged: Translations | None = None
    for po_file in sorted((LOCALE_DIR / language).glob("*.po")):
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        part = Translations(fp=buffer)
        if merged is None:
            merged = part
        else:
            merged.merge(part)
    return merged if merged is not None else NullTranslations()


_catalogues: dict[str, NullTranslations] = {code: _load(code) for code in LANGUAGES if code != "en"}
_named: list[dict[tuple[str, Hashable], str]] = []  # what each `per_language` function said, forgotten on reload
NAMED_MAX = 4096  # codes a table of words remembers per process before starting again (an unknown code is data)
Code = TypeVar("Code", bound=Hashable)


def reload() -> None:
    """Read the catalogues again (tests that write a catalogue use it)."""
    _catalogues.clear()
    _catalogues.update({code: _load(code) for code in LANGUAGES if code != "en"})
    for said in _named:
        said.clear()


def per_language(name: Callable[[Code], str]) -> Callable[[Code], str]:
    """`name(code)` remembered for each language: for a function whose words depend on its code and the language
    alone (a channel's or a status's name). A desk page names a channel or a state fifty times, and each naming
    built its whole table of translations."""
    said: dict[tuple[str, Hashable], str] = {}
    _named.append(said)

    @functools.wraps(name)
    def named(code: Code) -> str:
        key = (_current.get(), code)
        try:
            found = said.get(key)
        except TypeError:  # a value that cannot be a key (a list in a payload): named afresh
            return name(code)
        if found is None:
            if len(said) >= NAMED_MAX:
                said.clear()
            found = said[key] = name(code)
        return found

    return named


def current() -> str:
    """The language of the page being built: `en` or `fr`."""
    return _current.get()


def use(language: str) -> None:
    """Make `language` the language of the rest of this request (ignored unless it is one we offer)."""
    if language in LANGUAGES:
        _current.set(language)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Run a block in `language` (for messages built outside a request, and tests)."""
    token = _current.set(language if language in LANGUAGES else "en")
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """`message` in the current language (English when there is no translation)."""
    catalogue = _catalogues.get(_current.get())
    return catalogue.gettext(message) if catalogue is not None else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the current language."""
    catalogue = _catalogues.get(_current.get())
    if catalogue is None:
        return singular if n == 1 else plural
    return catalogue.ngettext(singular, plural, n)


_ = gettext


def pick(header: str | None, default: str) -> str:
    """The best of our languages for an Accept-Language header, else `default`."""
    if not header:
        return default
    wanted: list[tuple[float, str]] = []
    for part in header.split(",")[:20]:
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        wanted.append((quality, tag.strip().lower()))
    for _quality, tag in sorted(wanted, key=lambda pair: -pair[0]):
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return default


def language_name(code: str) -> str:
    """A language's own name, e.g. `Français`."""
    return LANGUAGES.get(code) or Locale.parse(code).get_display_name(code) or code


class LanguageMiddleware:
    """Sets the request's language from the cookie or Accept-Language, before any page is built."""

    def __init__(self, app: ASGIApp, *, default: str) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = Headers(scope=scope)
            chosen = _cookie(headers.get("cookie", ""))
            scope.setdefault("state", {})["language_chosen"] = chosen is not None
            token = _current.set(chosen or pick(headers.get("accept-language"), self.default))
            try:
                await self.app(scope, receive, send)
            finally:
                _current.reset(token)
            return
        await self.app(scope, receive, send)


def _cookie(header: str) -> str | None:
    for part in header.split(";"):
        name, _sep, value = part.strip().partition("=")
        if name == LANGUAGE_COOKIE and value in LANGUAGES:
            return value
    return None
