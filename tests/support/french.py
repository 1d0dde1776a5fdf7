"""Finding English left on a French page or in a French message: the text a person reads, and the English in it.

`visible_text` keeps what a reader sees or hears from a page (text, and the alt, title, aria-label, placeholder
and button values), never scripts or styles; `english_in` names the sentences that still read as English. Both
are test helpers only: they never decide what is translated, only report what is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

# English words no French sentence uses: function words, and the portal's own UI words. Words French shares
# with English are left out on purpose ("service", "application", "message", "page", "contact", "case", "menu",
# "agent", "on", "a", "an", "en", "plus", "note", "date", "question", "information", "minutes", "type"), as are
# words a French page may quote ("email" is kept: the portal writes "courriel"), and "me", "status", which
# French sentences use too ("me dire").
_ENGLISH = """
    the your yours you and with to of for is are was were be been being this that these those what when where
    which who whom whose how why will would can could should must shall have has had do does did not don't
    can't won't isn't it it's its we our us they their them he she his her my if then than there here
    from into by at about after before until while some any all every each other only just also very
    yes please thank thanks hello sorry
    sign signed back search help report reports reported submit send sent next previous save saved
    cancel delete remove start started skip home account request requests status open
    closed received update updated phone email address street new more less find show hide choose enter
    check your answers done apply online follow track none nothing something someone anyone
    general reminder reminders appointment renewal acknowledgement
"""
ENGLISH_WORDS = frozenset(_ENGLISH.split())
# Words French sentences use too ("la demande continue", "ce signalement change", "à la main", "content"): English
# only as a whole label, a button or a link on its own ("Continue", "Change").
ENGLISH_ALONE = frozenset({"continue", "change", "main", "content"})
# Multi-word English phrases worth naming even when their words are allowed alone.
ENGLISH_PHRASES = (
    "sign in", "sign out", "log in", "go back", "find out", "read more", "see all", "zoom in", "zoom out",
)  # fmt: skip

CODE_GROUPS = re.compile(r"(?:\b[A-Z0-9]{2,8}\b[\s-]*){3,}")  # three or more capitals-and-digits groups
WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+(?:'[a-z]+)?")
KEPT_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
SKIPPED_ELEMENTS = frozenset({"script", "style", "template", "svg"})
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
BLOCK_ELEMENTS = frozenset(
    {
        "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "dt", "dd", "dl",
        "section", "article", "header", "footer", "nav", "main", "aside", "form", "fieldset", "legend", "label",
        "button", "a", "option", "summary", "details", "title", "table", "caption", "blockquote", "pre", "br",
        "span", "strong", "abbr", "figcaption", "select", "textarea",
    }
)  # fmt: skip


class _Reader(HTMLParser):
    """Collects the page's readable chunks: each element's own text, and each readable attribute on its own."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._current: list[str] = []
        self._skipping: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.chunks.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipping:
            if tag not in VOID_ELEMENTS:
                self._skipping.append(tag)
            return
        values = dict(attrs)
        other_language = tag != "html" and (values.get("lang") or "fr")[:2] != "fr"  # marked as another language
        if tag in SKIPPED_ELEMENTS or other_language:
            self._flush()
            if tag not in VOID_ELEMENTS:
                self._skipping.append(tag)
            return
        if tag in BLOCK_ELEMENTS:
            self._flush()
        for name in KEPT_ATTRIBUTES:
            if values.get(name):
                self.chunks.append(" ".join(str(values[name]).split()))
        if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
            self.chunks.append(str(values["value"]))

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if self._skipping[-1] == tag:
                self._skipping.pop()
            return
        if tag in BLOCK_ELEMENTS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def words_only_in_english(english: Iterable[str], french: Iterable[str]) -> frozenset[str]:
    """The words of `english` texts that none of the `french` ones uses (three letters or more): the English of a
    catalogue's names, which must not show on a French page ("Works" of "City Works", "pothole")."""
    french_words = {word for text in french for word in WORD.findall(text.casefold())}
    return frozenset(
        word for text in english for word in WORD.findall(text.casefold()) if len(word) > 2 and word not in french_words
    )


def visible_text(html: str) -> list[str]:
    """What a reader gets from the page, chunk by chunk (a heading, a paragraph, a button, a label, an alt);
    an element marked as in another language (`lang="en"`) is that language on purpose and is left out."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.chunks


def english_words(text: str, allowed: Iterable[str] = (), also: frozenset[str] = frozenset()) -> list[str]:
    """The English words and phrases in `text`, once `allowed` phrases (names, addresses, codes) are taken out;
    `also` adds English words of the place (the words of the catalogue's English names)."""
    cleaned = text
    for phrase in sorted(allowed, key=len, reverse=True):
        if phrase:
            cleaned = re.sub(re.escape(phrase), " ", cleaned, flags=re.IGNORECASE)
    # Addresses, paths and placeholders ({status}, ((name))) are not words; nor is a code written in groups (an
    # authenticator key, "IXIS I2EB 4KV3 ...", is random and may spell "IS").
    cleaned = re.sub(r"\S+@\S+|https?://\S+|/[\w/.?=&%-]+|\{\w+\}|\(\(\s*\w+\s*\)\)", " ", cleaned)
    cleaned = CODE_GROUPS.sub(" ", cleaned)
    lowered = cleaned.casefold().replace("\u2019", "'")  # a typographic apostrophe reads as a plain one
    found = [phrase for phrase in ENGLISH_PHRASES if re.search(rf"\b{phrase}\b", lowered)]
    found += [word for word in WORD.findall(lowered) if word in ENGLISH_WORDS or word in also]
    if lowered.strip(" .:!?") in ENGLISH_ALONE:
        found.append(lowered.strip(" .:!?"))
    return list(dict.fromkeys(found))


def english_in(chunks: Iterable[str], allowed: Iterable[str] = (), also: frozenset[str] = frozenset()) -> list[str]:
    """The chunks that still read as English, each with the words that give it away."""
    kept = list(allowed)
    findings = []
    for chunk in chunks:
        words = english_words(chunk, kept, also)
        if words:
            findings.append(f"{chunk!r} ({', '.join(words)})")
    return list(dict.fromkeys(findings))
