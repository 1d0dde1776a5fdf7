"""The demo city's content never contradicts itself: an article's English and French versions state the same
figures (fees, days, times, limits), and a service's notice (what Open311 and the portal promise) states nothing
its own article does not. Run over the data files, so an edit that changes a fee in one language only, or a
promise in one place only, fails here before anyone reads two answers.

Figures are compared, not words: "$90" and "90 $", "5,000" and "5 000", "4 p.m." and "16 h", "noon" and "midi"
are the same figure; a figure written out in words on one side and in digits on the other is not.
"""

from __future__ import annotations

import re

import pytest

from townsquare.content.catalogue import load as load_catalogue
from townsquare.content.knowledge import ArticleFile
from townsquare.content.knowledge import load as load_articles
from townsquare.demo.city import CATALOGUE_DIR, KNOWLEDGE_DIR
from townsquare.knowledge.wording import fold

PHONE = re.compile(r"\b\d{3}-\d{3}-\d{4}\b")
GROUPED = re.compile(r"(\d)[,\u202f\u00a0 ](?=\d{3}\b)")  # 5,000 and 5 000
CLOCK_12 = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s?m\b\.?", re.IGNORECASE)
CLOCK_24 = re.compile(r"\b(\d{1,2}) ?h ?(\d{2})?(?![a-z])")
# A figure, with an ordinal's ending ("1er janvier", "January 1st") but not glued to other letters.
FIGURE = re.compile(r"(?<![\w-])(\d+(?:[.,]\d+)?)(?:er|re|e|st|nd|rd|th)?(?![a-zA-Z\u00c0-\u017f])")
WORDS = {"noon": "12", "midi": "12", "midnight": "0", "minuit": "0"}
SIGNIFICANT = re.compile(r"[a-z]{3,}")


def figures(text: str) -> set[str]:
    """The figures a text states, as comparable strings."""
    text = GROUPED.sub(r"\1", PHONE.sub(" ", text))

    def twelve(match: re.Match[str]) -> str:
        hour = int(match.group(1)) % 12 + (12 if match.group(3).lower() == "p" else 0)
        return f" {hour} {match.group(2) or ''} "

    text = CLOCK_24.sub(lambda m: f" {m.group(1)} {m.group(2) or ''} ", CLOCK_12.sub(twelve, text))
    for word, figure in WORDS.items():
        text = re.sub(rf"\b{word}\b", f" {figure} ", text, flags=re.IGNORECASE)
    return {f.replace(",", ".").removesuffix(".00") for f in FIGURE.findall(text)}


def _said(article: ArticleFile) -> str:
    f = article.fields
    return " ".join((f.summary, f.short_answer, f.body))


ARTICLES = load_articles(KNOWLEDGE_DIR)
GROUPS: dict[str, dict[str, ArticleFile]] = {}
for _a in ARTICLES:
    GROUPS.setdefault(_a.meta.group or _a.meta.slug, {})[_a.meta.language] = _a
BOTH = sorted(g for g, versions in GROUPS.items() if {"en", "fr"} <= versions.keys())


def test_the_figures_understand_the_ways_each_language_writes_them() -> None:
    assert (
        figures("$5,000 by 4:30 p.m. or noon") == figures("5 000 $ avant 16 h 30 ou midi") == {"5000", "16", "30", "12"}
    )
    assert figures("call 613-555-0100, 24/7, le 1er mai") == figures("24/7, May 1st") == {"24", "7", "1"}


@pytest.mark.parametrize("group", BOTH)
def test_an_article_states_the_same_figures_in_english_and_french(group: str) -> None:
    english, french = (figures(_said(GROUPS[group][lang])) for lang in ("en", "fr"))
    assert english == french, (
        f"{group}: only in English {sorted(english - french)}, only in French {sorted(french - english)}"
    )


def _services() -> list[tuple[str, str, str, str]]:
    """(code, language, the service's name, its notice) for every service with a notice, per language."""
    found = []
    for agency in load_catalogue(CATALOGUE_DIR):
        for s in agency.content.services:
            if s.notice:
                found.append((s.code, "en", s.name, s.notice))
            for lang, wording in s.translations.items():
                if wording.notice:
                    found.append((s.code, lang, wording.name or s.name, wording.notice))
    return found


def _main_article(code: str, language: str, name: str) -> ArticleFile | None:
    """The article that explains the service: linked to it, with every word of the service's name in its slug or
    title (an article about a claim that only mentions the service is not held to its promises)."""
    wanted = set(SIGNIFICANT.findall(fold(name)))
    for article in ARTICLES:
        if code in article.meta.services and article.meta.language == language:
            seen = set(SIGNIFICANT.findall(fold(f"{article.meta.slug.replace('-', ' ')} {article.meta.title}")))
            if wanted <= seen:
                return article
    return None


@pytest.mark.parametrize(("code", "language", "name", "notice"), _services())
def test_a_service_s_notice_promises_nothing_its_article_does_not_say(
    code: str, language: str, name: str, notice: str
) -> None:
    article = _main_article(code, language, name)
    if article is None:
        pytest.skip(f"{code} has no article of its own in {language}")
    missing = figures(notice) - figures(_said(article) + " " + article.fields.voice_script)
    assert not missing, f"{code} ({language}) notice says {sorted(missing)}; {article.meta.slug} does not"


PAGE_NAMED = re.compile(r"(?:the\s+\"([^\"]+)\"\s+page|page\s+«\s*([^»]+?)\s*»)")


def test_a_page_an_article_sends_people_to_is_named_as_it_is_titled() -> None:
    """ "See the “X” page" must name a real article's title in the same language, or the reader cannot find it."""
    titles: dict[str, set[str]] = {}
    for article in ARTICLES:
        titles.setdefault(article.meta.language, set()).add(article.fields.title)
    named = [
        (article.meta.slug, article.meta.language, match.group(1) or match.group(2))
        for article in ARTICLES
        for match in PAGE_NAMED.finditer(_said(article))
    ]
    assert len(named) >= 2  # the demo does send people to other pages, in both languages
    assert [n for n in named if n[2] not in titles[n[1]]] == []
    assert PAGE_NAMED.search('Holiday changes are on the "Collection on statutory holidays" page.')
    assert PAGE_NAMED.search("sont sur la page « La collecte pendant les jours fériés ».")
