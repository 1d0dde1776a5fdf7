"""What the app builds at startup is frozen out of the garbage collector, so full collections stay short."""

from __future__ import annotations

import gc

from townsquare.app import build_runtime, create_app
from townsquare.settings import Settings


async def test_the_startup_heap_is_frozen_when_the_app_starts(settings: Settings) -> None:
    settings = settings.model_copy(update={"freeze_startup_heap": True})
    app = create_app(settings, build_runtime(settings))
    gc.unfreeze()
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


async def test_tests_leave_the_heap_alone(settings: Settings) -> None:
    app = create_app(settings, build_runtime(settings))
    gc.unfreeze()
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() == 0
