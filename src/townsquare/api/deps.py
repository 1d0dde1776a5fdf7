"""Dependencies that hand routes the process-wide runtime pieces (settings, pipeline)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from townsquare.engagement.pipeline import Pipeline
from townsquare.settings import Settings


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_pipeline(request: Request) -> Pipeline:
    pipeline: Pipeline = request.app.state.pipeline
    return pipeline


# The largest offset a list accepts: far past any real page, and within every database's 64-bit integers.
MAX_OFFSET = 1_000_000_000

SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
PipelineDep = Annotated[Pipeline, Depends(get_pipeline)]
