"""What the app builds at startup is frozen out of the garbage collector, so full collections stay short."""

from __future__ import annotations

import gc
import weakref

from townsquare.app import build_runtime, create_app
from townsquare.settings import Settings


async def test_the_startup_heap_is_frozen_when_the_app_starts(settings: Settings) -> None:
    settings = settings.model_copy(update={"freeze_startup_heap": True})
    app = create_app(settings, build_runtime(settings))
    gc.unfreeze()  # the suite froze what it imported (tests/conftest.py): the app's freeze must find it all again
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.freeze()


async def test_tests_leave_the_heap_alone(settings: Settings) -> None:
    app = create_app(settings, build_runtime(settings))
    before, thresholds = gc.get_freeze_count(), gc.get_threshold()
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() == before
        assert gc.get_threshold() == thresholds


async def test_young_collections_wait_for_the_threshold_set(settings: Settings) -> None:
    settings = settings.model_copy(update={"gc_young_threshold": 12_345})
    app = create_app(settings, build_runtime(settings))
    before = gc.get_threshold()
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_threshold() == (12_345, *before[1:])  # the older generations as Python has them
    finally:
        gc.set_threshold(*before)


async def test_an_app_let_go_is_collected_with_its_runtime(settings: Settings) -> None:
    """FastAPI caches every endpoint and dependency it has seen for the life of the process: one that held its app
    or its runtime would keep every app a test process builds (thousands), and each full collection would walk
    them all."""
    runtime = build_runtime(settings)
    app = create_app(settings, runtime)
    async with app.router.lifespan_context(app):
        pass
    gone_app, gone_runtime = weakref.ref(app), weakref.ref(runtime)
    del app, runtime
    gc.collect()
    assert gone_app() is None, "something still holds the app"
    assert gone_runtime() is None, "something still holds the runtime"
