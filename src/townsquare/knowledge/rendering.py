"""One article, every channel's rendering: sanitised HTML for the web, a short answer with a link for chat and SMS,
plain sentences for speech, text for email.

Pure functions of the article's text. Markdown never reaches a page unsanitised: `body_html` is the only way in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from townsquare import gsm
from townsquare.knowledge.models import ArticleVersion
from townsquare.knowledge.service import LiveArticle

CHANNELS = ("web", "chat", "sms", "voice", "email")
READ_MORE = {"en": "Read more:", "fr": "En savoir plus :"}

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "details",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "summary",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "hreflang"}, "abbr": {"title"}, "th": {"scope"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Raw HTML is parsed so that nh3 (an allow-list) decides what stays; markdown-it also refuses javascript: links.
_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

URL_RE = re.compile(r"https?://\S+|www\.\S+")


def article_url(public_url: str, slug: str) -> str:
    """The article's public address on the portal."""
    return f"{public_url.rstrip('/')}/help/{slug}"


def _demote_headings(html: str) -> str:
    # The page already has the article's title as its h1; a body heading starts at h2.
    return re.sub(r"<(/?)h1(\s|>)", r"<\1h2\2", html)


def body_html(markdown: str) -> Markup:
    """The body as safe HTML: Markdown rendered, then cleaned to an allow-list (no scripts, styles, handlers)."""
    rendered = _demote_headings(_markdown.render(markdown or ""))
    cleaned = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return Markup(cleaned)  # noqa: S704 - the output of the allow-list sanitiser above


_SKIP_OPEN = re.compile(r"<(script|style)\b", re.IGNORECASE)
_SKIP_CLOSE = re.compile(r"</(script|style)\s*>", re.IGNORECASE)


def _inline_text(token: Token, *, links: bool) -> str:
    parts: list[str] = []
    href: str | None = None
    label_start = 0
    skipping = False
    for child in token.children or []:
        if child.type == "html_inline":
            if _SKIP_OPEN.match(child.content):
                skipping = True
            elif _SKIP_CLOSE.match(child.content):
                skipping = False
        elif skipping:
            continue
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" " if child.type == "softbreak" else "\n")
        elif child.type == "image":
            parts.append(child.content or str(child.attrGet("alt") or ""))
        elif child.type == "link_open":
            href = str(child.attrGet("href") or "")
            label_start = len(parts)
        elif child.type == "link_close" and href:
            label = "".join(parts[label_start:]).strip()
            if links and href.startswith(("http://", "https://", "mailto:", "tel:")) and href != label:
                parts.append(f" ({href.removeprefix('mailto:').removeprefix('tel:')})")
            href = None
    return re.sub(r"[ \t]+", " ", "".join(parts)).strip()


def plain_text(markdown: str, *, links: bool = True) -> str:
    """The Markdown as plain text: blocks separated by a blank line, list items with "- " or "1.", table rows
    with " | "; raw HTML dropped.

    `links`: keep link addresses in brackets after their text (for email), or drop them (speech, search).
    """
    blocks = _PlainBlocks(links=links)
    for token in _markdown.parse(markdown or ""):
        blocks.take(token)
    out = ""
    previous_tight = False
    for text, tight in blocks.blocks:
        if out:
            out += "\n" if tight and previous_tight else "\n\n"
        out += text
        previous_tight = tight
    return out


class _PlainBlocks:
    """The blocks of plain text a stream of Markdown tokens makes, each with whether it is a list item or table
    row (which joins the previous one tightly)."""

    def __init__(self, *, links: bool) -> None:
        self.links = links
        self.blocks: list[tuple[str, bool]] = []
        self.markers: list[int | None] = []  # per open list: the next number, or None for bullets
        self.pending_marker: str | None = None
        self.row: list[str] | None = None

    def take(self, token: Token) -> None:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            self.markers.append(int(token.attrGet("start") or 1) if kind == "ordered_list_open" else None)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.markers.pop()
        elif kind == "list_item_open":
            self._open_item()
        elif kind == "tr_open":
            self.row = []
        elif kind == "tr_close" and self.row is not None:
            self.blocks.append((" | ".join(self.row), True))
            self.row = None
        elif kind == "inline":
            self._inline(_inline_text(token, links=self.links))
        elif kind in ("fence", "code_block"):
            self.blocks.append((token.content.rstrip(), False))

    def _open_item(self) -> None:
        number = self.markers[-1] if self.markers else None
        self.pending_marker = "-" if number is None else f"{number}."
        if number is not None:
            self.markers[-1] = number + 1

    def _inline(self, text: str) -> None:
        if self.row is not None:
            self.row.append(text)
        elif self.pending_marker is not None:
            self.blocks.append((f"{'  ' * (len(self.markers) - 1)}{self.pending_marker} {text}", True))
            self.pending_marker = None
        elif text:
            self.blocks.append((text, False))


def _speech(text: str) -> str:
    """Plain sentences for a voice: no addresses, no Markdown punctuation, single spaces."""
    text = URL_RE.sub("", plain_text(text, links=False))
    text = re.sub(r"[*_`#>|]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Rendering:
    """What one channel would send or show for an article."""

    channel: str
    text: str
    html: Markup | None = None


def _field(article: LiveArticle | ArticleVersion, name: str) -> str:
    return str(getattr(article, name) or "")


def render(article: LiveArticle | ArticleVersion, channel: str, *, url: str, language: str | None = None) -> Rendering:
    """The article as `channel` gives it; `language` (default: the article's, else English) picks the link wording."""
    lang = language or (article.language if isinstance(article, LiveArticle) else "en")
    read_more = READ_MORE.get(lang, READ_MORE["en"])
    title, summary, body = _field(article, "title"), _field(article, "summary"), _field(article, "body")
    short = _field(article, "short_answer") or summary or title
    if channel == "web":
        text = f"{title}\n\n{summary}".strip()
        return Rendering(channel, text, body_html(body))
    if channel == "chat":
        return Rendering(channel, f"{short}\n{read_more} {url}")
    if channel == "sms":
        return Rendering(channel, f"{plain_text(short, links=False)} {url}")
    if channel == "voice":
        return Rendering(channel, _speech(_field(article, "voice_script") or short))
    if channel == "email":
        parts = [summary, plain_text(body), f"{read_more} {url}"]
        return Rendering(channel, "\n\n".join(p for p in parts if p))
    raise ValueError(f"unknown channel {channel!r}")


def preview(version: ArticleVersion, *, url: str, language: str) -> dict[str, Rendering]:
    """Every channel's rendering of a version, for the editor's preview."""
    return {channel: render(version, channel, url=url, language=language) for channel in CHANNELS}


def sms_segments(text: str) -> int:
    """How many SMS segments `text` costs (160/153 GSM-7 septets, or 70/67 UCS-2 units)."""
    return gsm.sms_encoding(text).segments


def sms_encoding(text: str) -> str:
    """ "GSM-7" or "UCS-2": which alphabet a carrier will use for `text`."""
    return gsm.sms_encoding(text).encoding
