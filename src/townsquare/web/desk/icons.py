"""Channel icons as inline SVG (never emoji, which render as empty boxes on some desks). With a label the icon is
an image named in words; without one it sits beside the same words and is hidden from screen readers.

A Jinja global, not a macro: a timeline or contact list draws one per row, and a macro call costs more than the
row's other words together. Each (channel, label) is drawn once per process.
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from townsquare.web.templating import templates

SHAPES = {
    "voice": '<path d="M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2"/>',
    "sms": '<path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/>'
    '<path d="M8 10h.01M12 10h.01M16 10h.01"/>',
    "email": '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3 7 9 6 9-6"/>',
    "chat": '<path d="M14 9a2 2 0 0 1-2 2H6l-3 3V4a2 2 0 0 1 2-2h7a2 2 0 0 1 2 2z"/>'
    '<path d="M18 9h2a2 2 0 0 1 2 2v11l-3-3h-6a2 2 0 0 1-2-2v-1"/>',
    "web": '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18"/>',
    "mobile": '<rect x="6" y="2" width="12" height="20" rx="2"/><path d="M11 18h2"/>',
    "social": '<path d="M4 9h16M4 15h16M10 3 8 21M16 3l-2 18"/>',
    "counter": '<path d="M3 21h18M5 21V10M19 21V10M9 21v-6h6v6M2 10l10-6 10 6z"/>',
    "mail": '<path d="M4 3h11l5 5v13H4z"/><path d="M14 3v6h6M8 13h8M8 17h6"/>',
    "api": '<path d="m8 7-5 5 5 5M16 7l5 5-5 5M13.5 4l-3 16"/>',
    "push": '<path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0"/>',
}
_OPEN = (
    '<svg class="channel-icon" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor"'
    ' stroke-width="2" stroke-linecap="round" stroke-linejoin="round" focusable="false"'
)


@lru_cache(maxsize=512)
def channel_icon(code: str, label: str = "") -> Markup:
    """A channel's icon: named `label` when given (escaped), else hidden beside words that name it; an unknown
    channel gets the web's globe."""
    shape = SHAPES.get(code, SHAPES["web"])
    if label:
        named = escape(label)
        return Markup(f'{_OPEN} role="img" aria-label="{named}"><title>{named}</title>{shape}</svg>')  # noqa: S704
    return Markup(f'{_OPEN} aria-hidden="true">{shape}</svg>')  # noqa: S704


templates.env.globals["channel_icon"] = channel_icon
