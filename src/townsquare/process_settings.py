"""The settings of running several processes: where the background loops run, shutting down, metrics and logs.

A part of `townsquare.settings.Settings` (which inherits it), kept apart so each file reads in one sitting; read from
the same TOWNSQUARE_* environment variables, never instantiated on its own.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProcessSettings(BaseSettings):
    """How the app and worker processes share the work, stop, and report on themselves (docs/scaling.md)."""

    model_config = SettingsConfigDict(env_prefix="TOWNSQUARE_", env_file=None, extra="ignore")

    background_in_app: bool = Field(
        default=True,
        description="Run the background loops (outbox, routing, notifications, webhooks, schedules) inside the app "
        "processes; false when `townsquare worker` processes run them apart",
    )
    holder_retry_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How often a process standing by for a one-holder loop (print batch, open data, the mail "
        "folder, the silent-call sweep) tries to take it over, and the holder checks its lock",
    )
    shutdown_drain_seconds: float = Field(
        default=5.0,
        ge=0,
        le=120,
        description="After SIGTERM, how long /readyz answers 503 while requests are still served, so the load "
        "balancer stops sending before the listener closes",
    )
    shutdown_grace_seconds: float = Field(
        default=20.0,
        gt=0,
        le=600,
        description="After the listener closes, how long requests in flight may take to finish",
    )
    metrics_token: str | None = Field(
        default=None,
        min_length=16,
        description="The bearer token Prometheus presents to GET /metrics; unset: loopback callers only",
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object per line (time, level, logger, message, request id)"
    )
    wallboard_max_age_seconds: float = Field(
        default=0.5,
        ge=0,
        le=30,
        description="How old the wallboard's counts may be when a supervisor's page asks: each process counts a "
        "scope's board at most once in this time however many watch it (0: counted for every request)",
    )
    websocket_deflate: bool = Field(
        default=False,
        description="Accept the permessage-deflate compression browsers offer on websockets: each open socket then "
        "holds about 40 KiB more of compression state (half its memory) for frames of a few hundred bytes",
    )
