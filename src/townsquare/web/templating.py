"""Jinja2 templates with autoescaping and the filters every page uses."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from townsquare.hygiene import degrade
from townsquare.web import i18n, times

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"


def renderable(value: object) -> object:
    """Every `{{ value }}` as the page shows it: a lone surrogate becomes U+FFFD, so one bad value never fails
    the page it is on (set as Jinja's `finalize`, which runs before escaping)."""
    if isinstance(value, str) and not value.isascii():  # a lone surrogate is never ASCII
        fixed = degrade(value)
        if fixed is not value:
            return Markup(fixed) if isinstance(value, Markup) else fixed  # noqa: S704 - was Markup already
    return value


@pass_eval_context
def translated(eval_ctx: EvalContext, message: str, **variables: object) -> str:
    """`_("…", name=value)` in a template: Jinja's newstyle gettext in one call instead of three (a work page makes
    a few hundred): the message in the page's language, always a format string, its values escaped on HTML pages."""
    text = i18n.gettext(message)
    if eval_ctx.autoescape:
        return Markup(text) % variables  # noqa: S704 - a translation is ours; its values are escaped by Markup
    return text % variables


templates = Jinja2Templates(directory=HERE / "templates")
templates.env.finalize = renderable
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
templates.env.globals["_"] = templates.env.globals["gettext"] = translated
templates.env.globals["current_language"] = i18n.current
templates.env.globals["languages"] = i18n.LANGUAGES


def local_time(value: datetime | None) -> str:
    """A timestamp as every page writes it: the one format, in the city's time zone (`times.when`)."""
    return times.when(value)


def humanise(value: object) -> str:
    """`waiting_on_citizen` → `waiting on citizen`."""
    return str(getattr(value, "value", value)).replace("_", " ")


CHANNEL_NAMES = {
    "web": "the portal",
    "mobile": "the mobile app",
    "voice": "the phone",
    "sms": "SMS",
    "email": "email",
    "chat": "chat",
    "social": "social media",
    "counter": "a counter",
    "mail": "post",
    "api": "the API (Open311 or an integration)",
}


def channel_name(value: object) -> str:
    """How staff call a channel: `sms` → `SMS`, `api` → `the API (Open311 or an integration)`."""
    key = str(getattr(value, "value", value))
    return CHANNEL_NAMES.get(key, key)


templates.env.filters["local_time"] = local_time
templates.env.filters["channel_name"] = channel_name
templates.env.filters["humanise"] = humanise
