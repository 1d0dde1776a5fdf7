"""Jinja2 templates with autoescaping and the filters every page uses."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")


def local_time(value: datetime | None, tz: str = "America/Toronto") -> str:
    """A timestamp in the city's timezone, as people read it."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def humanise(value: object) -> str:
    """`waiting_on_citizen` → `waiting on citizen`."""
    return str(getattr(value, "value", value)).replace("_", " ")


templates.env.filters["local_time"] = local_time
templates.env.filters["humanise"] = humanise
