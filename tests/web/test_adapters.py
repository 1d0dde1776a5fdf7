"""The doors only translate: no route that answers a GET (pages, the REST API, Open311, the providers' webhooks)
commits, neither in its own body nor in a helper of its module it calls; what a read must write (the access
log, a session's last-seen time, a key's last use) is committed by a use case or an authentication step."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

from fastapi import FastAPI

DOORS = ("townsquare.web", "townsquare.api", "townsquare.open311", "townsquare.channels")
# Authentication steps a GET calls: they record a key's last use as they check it, before anything is read.
CHECKS_CREDENTIALS = {"_reading_key"}


def _committing_helpers(module: ModuleType) -> set[str]:
    return {
        name
        for name, value in vars(module).items()
        if inspect.isfunction(value) and value.__module__ == module.__name__ and ".commit(" in inspect.getsource(value)
    }


def _gets(routes: list[Any]) -> Iterator[tuple[str, Callable[..., Any]]]:
    """(path, endpoint) of every route answering GET, through included routers."""
    for route in routes:
        if hasattr(route, "effective_route_contexts"):
            for ctx in route.effective_route_contexts():
                if ctx.methods and "GET" in ctx.methods:
                    yield ctx.path, ctx.original_route.endpoint
        elif "GET" in (getattr(route, "methods", None) or ()) and hasattr(route, "endpoint"):
            yield route.path, route.endpoint


def test_no_get_route_commits(app: FastAPI) -> None:
    checked = []
    for path, endpoint in _gets(list(app.routes)):
        module = inspect.getmodule(endpoint)
        if module is None or not module.__name__.startswith(DOORS):
            continue
        body = inspect.getsource(endpoint)
        assert ".commit(" not in body, f"GET {path} commits"
        helpers = _committing_helpers(module) - CHECKS_CREDENTIALS
        called = {name for name in helpers if re.search(rf"\b{name}\(", body)}
        assert not called, f"GET {path} calls {sorted(called)}, which commit"
        checked.append(path)
    assert "/desk/work/{item_id}" in checked
    assert "/account/data.json" in checked
    assert "/api/v1/cases/{reference}" in checked
    assert "/open311/v2/servicerequestupdates.{fmt}" in checked
