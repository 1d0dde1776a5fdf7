"""One typed Settings object, read from TOWNSQUARE_* environment variables.

Never holds a default secret that production would accept: `Settings.check_safe()` refuses them.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from limits import parse_many
from pydantic import Field, ValidationInfo, field_validator

from townsquare.channel_settings import ChannelSettings
from townsquare.process_settings import ProcessSettings

DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105 - refused outside development, see check_safe()


def contrast_with_white(colour: str) -> float:
    """The WCAG contrast ratio of a `#rrggbb` colour against white."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


class Settings(ChannelSettings, ProcessSettings):
    """Every setting of the platform (the channels' providers in `ChannelSettings`, running several processes in
    `ProcessSettings`); the README lists them with their meaning."""

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///./var/townsquare.db"
    secret_key: str = DEV_SECRET
    public_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    redis_url: str | None = Field(
        default=None,
        description="Redis shared by several processes (redis://host:6379/0): fan-out of live updates and the "
        "event bus between them; unset = one process",
    )
    redis_prefix: str = Field(
        default="townsquare",
        pattern=r"^[A-Za-z0-9_.:-]{1,64}$",
        description="Names this deployment's channel and keys in that Redis (`<prefix>:events`, `<prefix>:limits`)",
    )

    # Identity and threading
    default_region: str = Field(default="CA", description="Region for phone numbers written without +country")
    case_reference_prefix: str = "TS"
    conversation_idle_hours: int = Field(default=72, ge=1)
    default_agency: str | None = Field(default=None, description="Agency slug for contact no address routes")

    # Satisfaction surveys (docs/satisfaction.md)
    csat_enabled: bool = Field(default=True, description="Ask a one-question survey after a case or contact closes")
    csat_throttle_days: int = Field(default=30, ge=0, description="At most one survey per person in this many days")
    csat_expiry_days: int = Field(default=7, ge=1, description="A survey not answered in this many days closes")

    # Limits on what a channel may hand us
    max_body_chars: int = Field(default=20_000, ge=1)
    max_attachment_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    max_attachments: int = Field(default=10, ge=0)
    max_request_bytes: int = Field(default=40 * 1024 * 1024, ge=1024)
    allowed_attachment_types: list[str] = Field(
        default_factory=lambda: [
            "image/jpeg",
            "image/png",
            "image/gif",
            "image/webp",
            "image/heic",
            "application/pdf",
            "text/plain",
            "audio/mpeg",
            "audio/wav",
            "audio/x-wav",  # how Twilio serves a recording's .wav
            "audio/ogg",
            "video/mp4",
        ]
    )
    data_dir: Path = Path("./var")

    # Outbox delivery
    outbox_worker: bool = True
    outbox_max_attempts: int = Field(default=8, ge=1)
    outbox_retry_base_seconds: float = Field(default=5.0, gt=0)
    outbox_lease_seconds: float = Field(default=60.0, gt=0)
    outbox_poll_seconds: float = Field(default=2.0, gt=0)
    notifications_worker: bool = Field(default=True, description="Run the notifications worker (fallbacks) in the app")
    notify_push_ack_seconds: int = Field(
        default=600, ge=10, description="How long a push may go unacknowledged before the next channel is tried"
    )
    notify_poll_seconds: float = Field(default=5.0, gt=0)
    notify_api_rate_limit_per_minute: int = Field(default=300, ge=1, description="POST /api/v1/notifications per key")
    notify_api_daily_cap: int = Field(default=50_000, ge=1, description="Notifications one API key may ask for a day")
    # Appointments at service offices (docs/appointments.md)
    appointments_worker: bool = Field(default=True, description="Send reminders, record no-shows and end holds")
    appointments_poll_seconds: float = Field(default=30.0, gt=0)
    appointment_horizon_days: int = Field(default=60, ge=1, le=366, description="How far ahead a slot may be booked")
    appointment_min_notice_minutes: int = Field(default=60, ge=0, description="How soon a slot may be booked")
    appointment_hold_minutes: int = Field(
        default=15, ge=1, description="How long a slot is kept while a person without an account proves a contact"
    )
    appointment_offer_minutes: int = Field(
        default=120, ge=5, description="How long a freed slot is held for the next person on the waiting list"
    )
    appointment_no_show_grace_minutes: int = Field(
        default=15, ge=0, description="After an appointment's end, how long before it is recorded as missed"
    )
    appointment_reminder_time: str = Field(default="10:00", description="Local time of the reminder, the day before")
    appointment_max_per_person: int = Field(
        default=4, ge=1, description="Upcoming appointments (and waiting-list places) one person may hold"
    )
    ivr_appointments: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9-]{1,64}/[A-Za-z0-9_-]{1,64}$",
        description="office-slug/SERVICE-CODE the phone menu books (press 5); unset: not offered",
    )
    # Outbound webhooks to integrators (docs/channels/webhooks.md): retried from 10 s, doubling, for about a day
    webhook_worker: bool = Field(default=True, description="Post webhook deliveries from inside the app")
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=30, description="How long a receiver may take")
    webhook_retry_base_seconds: float = Field(default=10.0, gt=0, description="The first retry's wait; then doubled")
    webhook_max_backoff_seconds: float = Field(default=6 * 3600.0, gt=0, description="The longest wait between tries")
    webhook_max_attempts: int = Field(default=16, ge=1, description="Attempts before a delivery is marked failed")
    webhook_max_age_hours: float = Field(default=24.0, gt=0, description="No retry later than this after the event")
    webhook_lease_seconds: float = Field(default=60.0, gt=0)
    webhook_poll_seconds: float = Field(default=2.0, gt=0)
    routing_worker: bool = Field(default=True, description="Run the routing worker inside the app")
    routing_poll_seconds: float = Field(default=1.0, gt=0)
    analytics_worker: bool = Field(default=True, description="Fold contacts into journeys and rollups in the app")
    analytics_poll_seconds: float = Field(default=60.0, gt=0, description="How often the dashboards' figures move")
    freeze_startup_heap: bool = Field(
        default=True,
        description="Keep what the app builds at startup out of the garbage collector's full collections (shorter "
        "pauses); off in tests, which start many apps in one process",
    )
    gc_young_threshold: int = Field(
        default=10_000,
        ge=0,
        description="Objects allocated (net) between the garbage collector's young collections; 0 keeps Python's "
        "own 700. Higher: a request's short-lived objects die before a collection moves them towards the full "
        "collections that pause every request in flight",
    )

    # Staff sessions
    session_hours: int = Field(default=12, ge=1)
    staff_idle_minutes: int = Field(
        default=30, ge=1, le=24 * 60, description="A staff session unused this long is ended: sign in again"
    )
    # Staff sign-in with the organisation's OpenID Connect provider (docs/staff-sign-in.md)
    staff_oidc_issuer: str | None = Field(default=None, description="The staff identity provider; unset = passwords")
    staff_oidc_client_id: str | None = None
    staff_oidc_client_secret: str | None = None
    staff_oidc_scopes: str = "openid email profile"
    staff_oidc_display_name: str = Field(default="your organisation", description='"Sign in with <this>"')
    staff_oidc_groups_claim: str = Field(default="groups", description="The ID token claim that lists the groups")
    staff_oidc_group_mapping: str = Field(
        default="{}",
        description='JSON: group -> {"role": ..., "agencies": [slugs]}; several groups: highest role, every agency',
    )
    staff_oidc_create_accounts: bool = Field(
        default=False, description="Create an account for a mapped person the desk does not know yet"
    )
    staff_local_passwords: bool = Field(default=True, description="Off: staff sign in through the provider only")
    staff_mfa_required: bool = Field(
        default=True,
        description="Administrators and agency administrators who sign in with a password must use an authenticator"
        " app (refused off in production while passwords are on)",
    )

    # Residents' sign-in (portal and chat widget)
    citizen_session_hours: int = Field(default=24 * 30, ge=1, description="How long a resident stays signed in")
    sign_in_link_minutes: int = Field(default=15, ge=1, le=24 * 60, description="Life of an emailed sign-in link")
    together_link_minutes: int = Field(
        default=30, ge=1, le=24 * 60, description="Life of a link staff send to fill in a form together, until opened"
    )
    together_session_minutes: int = Field(
        default=120, ge=1, le=24 * 60, description="How long the device that opened such a link may fill the form in"
    )
    prefill_offer_hours: float = Field(
        default=24.0, gt=0, description="How long values another agency holds, prefilled with consent, stay offered"
    )
    oidc_issuer: str | None = Field(default=None, description="OpenID Connect issuer URL; unset = email links only")
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid email profile"

    # The residents' portal: whose it is and how it looks (any jurisdiction can run it as its own)
    brand_name: str = Field(default="Townsquare", max_length=80, description="Shown in the header and titles")
    brand_logo_url: str | None = Field(default=None, description="An image (SVG or PNG) shown beside the name")
    brand_colour: str = Field(
        default="#1d70b8", description="Header and link colour; must reach 4.5:1 contrast against white"
    )
    default_language: Literal["en", "fr"] = Field(default="en", description="For visitors whose browser asks none")
    support_phone: str | None = Field(default=None, description="Shown on the portal's help and error pages")

    # One person, one record: linking records that name the same person
    match_link_threshold: float | None = Field(
        default=None, gt=0.0, le=1.0, description="Link records automatically at or above this match probability"
    )
    match_review_threshold: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Ask staff to review pairs from this probability up to the link one"
    )
    match_review_sla_hours: int = Field(default=72, ge=1, description="How soon staff should decide a review pair")
    match_household_rule: bool = Field(
        default=True,
        description="Never link automatically two records whose given names and birth dates differ"
        " (or lack a birth date): staff review them",
    )
    match_review_agency: str | None = Field(default=None, description="Agency slug whose staff review pairs")

    # The knowledge base and the self-service assistant (chat, SMS, speech on calls)
    assistant_enabled: bool = Field(default=True, description="Answer chat, SMS and spoken questions first")
    assistant_confidence: float = Field(
        default=0.5, ge=0.0, le=1.0, description="Below this match confidence the assistant hands off to a person"
    )
    knowledge_semantic: bool = Field(
        default=False, description="Blend sentence-embedding similarity into search (needs the 'semantic' extra)"
    )

    # Open311 GeoReport v2, rate limits, location and the portal's map
    open311_jurisdiction_id: str | None = Field(
        default=None, description="Checked when a client sends jurisdiction_id; unset = public_url's host"
    )
    open311_contact: str = Field(default="", description="Who integrators contact (Open311 discovery)")
    open311_rate_limit_per_minute: int = Field(default=60, ge=1, description="POSTs per integrator key")
    open311_public_rate_limit_per_minute: int = Field(default=600, ge=1, description="GETs per client address")
    rate_limit_storage: str = Field(
        default="memory://", description="Where rate-limit counters live: memory:// or redis://host:6379 when scaled"
    )

    # Abuse limits on signing in: stacked moving windows in the `limits` notation ("3/minute;6/hour")
    staff_sign_in_account_limits: str = Field(
        default="3/minute;6/hour", description="Failed staff sign-ins per email address before a wait"
    )
    staff_sign_in_client_limits: str = Field(
        default="20/minute;100/hour;300/day", description="Failed staff sign-ins per client address before a wait"
    )
    staff_lock_after_failures: int = Field(
        default=10, ge=1, le=1000, description="Consecutive failed sign-ins that lock a staff account"
    )
    staff_reset_address_limits: str = Field(
        default="3/hour;6/day", description="Password-reset links one address may be sent (known or not)"
    )
    staff_reset_client_limits: str = Field(
        default="10/hour;30/day", description="Password-reset links one client address may ask for"
    )
    resident_send_address_limits: str = Field(
        default="3/15 minutes;10/day", description="Sign-in links, email links and codes sent to one address"
    )
    resident_send_client_limits: str = Field(
        default="20/hour;100/day", description="Sign-in links, email links and codes asked for by one client address"
    )
    resident_guest_client_limits: str = Field(
        default="20/hour;100/day", description="Reports and follows started without an account by one client address"
    )
    resident_wrong_code_limits: str = Field(
        default="10/15 minutes;30/day", description="Wrong codes (texted, authenticator app) a resident may enter"
    )
    # Service counters: the kiosk, the display screen and serving at a counter
    counter_kiosk_client_limits: str = Field(
        default="10/minute;200/hour",
        description="Tickets one client address may take at the kiosk page (an office's tablet takes every walk-in's)",
    )
    counter_recalls_before_no_show: int = Field(
        default=2, ge=0, le=10, description="Times a called ticket is recalled before staff may record a no-show"
    )
    counter_kiosk_return_seconds: int = Field(
        default=30, ge=5, le=600, description="How long the kiosk shows a new ticket before it is ready for the next"
    )
    duplicate_radius_m: float = Field(
        default=50.0, ge=0, description="An open report of the same service this close is linked as a likely duplicate"
    )
    map_tile_url: str = Field(
        default="https://tile.openstreetmap.org/{z}/{x}/{y}.png", description="Map tiles; empty = no map, address only"
    )
    map_tile_attribution: str = "© OpenStreetMap contributors"
    map_centre_lat: float = Field(default=43.6535, ge=-90, le=90)
    map_centre_long: float = Field(default=-79.3841, ge=-180, le=180)
    map_zoom: int = Field(default=15, ge=1, le=19)

    # Open data (docs/open-data.md): anonymised service requests and channel counts, exported daily
    open_data_export_time: str | None = Field(
        default="03:30", description="Daily UTC time (HH:MM) the app writes the open data files; unset = CLI only"
    )
    open_data_licence: str = Field(default="CC-BY-4.0", description="The licence the files are published under")
    open_data_licence_url: str = "https://creativecommons.org/licenses/by/4.0/"
    open_data_rate_limit_per_minute: int = Field(default=30, ge=1, description="Downloads per client address")

    # Live chat and the channel simulator
    chat_max_message_chars: int = Field(default=4000, ge=1)
    verification_code_minutes: int = Field(default=10, ge=1)
    simulator: bool = Field(default=False, description="Serve /simulator (the demo turns it on)")

    @field_validator("brand_colour")
    @classmethod
    def _readable_brand_colour(cls, value: str) -> str:
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise ValueError("must be a colour like #1d70b8")
        ratio = contrast_with_white(value)
        if ratio < 4.5:
            raise ValueError(f"has {ratio:.2f}:1 contrast against white; text needs at least 4.5:1 (WCAG 2.2 AA)")
        return value.lower()

    @field_validator("match_review_threshold")
    @classmethod
    def _review_below_link(cls, value: float | None, info: ValidationInfo) -> float | None:
        link = info.data.get("match_link_threshold")
        if value is not None and link is not None and value >= link:
            raise ValueError(f"must be below TOWNSQUARE_MATCH_LINK_THRESHOLD ({link}); pairs between them go to review")
        return value

    @field_validator("print_batch_time", "open_data_export_time", "appointment_reminder_time")
    @classmethod
    def _clock_time(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError("must be a time of day like 16:30")
        return value

    @field_validator(
        "staff_sign_in_account_limits",
        "staff_sign_in_client_limits",
        "staff_reset_address_limits",
        "staff_reset_client_limits",
        "resident_send_address_limits",
        "resident_send_client_limits",
        "resident_guest_client_limits",
        "resident_wrong_code_limits",
        "counter_kiosk_client_limits",
    )
    @classmethod
    def _readable_limits(cls, value: str) -> str:
        try:
            tiers = parse_many(value)
        except ValueError:
            tiers = []
        if not tiers:
            raise ValueError("must be limits like 3/minute;6/hour (a count, a slash and a period, separated by ;)")
        return value

    @field_validator("staff_oidc_group_mapping")
    @classmethod
    def _group_mapping(cls, value: str) -> str:
        roles = {"agent", "supervisor", "agency_admin", "admin"}
        try:
            mapping = json.loads(value)
        except ValueError:
            raise ValueError("must be a JSON object: group -> {role, agencies}") from None
        if not isinstance(mapping, dict):
            raise ValueError("must be a JSON object: group -> {role, agencies}")
        for group, grant in mapping.items():
            if not isinstance(grant, dict) or grant.get("role") not in roles:
                raise ValueError(f"group {group!r} needs a role: one of {', '.join(sorted(roles))}")
            agencies = grant.get("agencies", [])
            if not isinstance(agencies, list) or not all(isinstance(a, str) for a in agencies):
                raise ValueError(f"group {group!r}: agencies must be a list of agency slugs")
            if set(grant) - {"role", "agencies"}:
                raise ValueError(f"group {group!r}: only role and agencies may be given")
        return value

    @property
    def webhooks_may_use_loopback_http(self) -> bool:
        """Plain http to a loopback receiver is allowed while developing and testing, never in production."""
        return self.env in ("development", "test")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def mail_domain(self) -> str:
        """The domain outbound Message-IDs are minted under."""
        return self.email_domain or (urlsplit(self.public_url).hostname or "localhost")

    @property
    def jurisdiction_id(self) -> str:
        """The Open311 jurisdiction this endpoint serves: the setting, else the public host without www."""
        if self.open311_jurisdiction_id:
            return self.open311_jurisdiction_id
        host = urlsplit(self.public_url).hostname or "localhost"
        return host.removeprefix("www.")

    def check_safe(self) -> None:
        """Refuse to start production with development secrets or an embedded database by accident."""
        if self.env == "production" and self.secret_key == DEV_SECRET:
            raise RuntimeError("TOWNSQUARE_SECRET_KEY must be set to a long random value in production")
        if self.env == "production" and len(self.secret_key) < 32:
            raise RuntimeError("TOWNSQUARE_SECRET_KEY must be at least 32 characters in production")
        if self.env == "production" and self.simulator:
            raise RuntimeError("TOWNSQUARE_SIMULATOR signs fake provider requests; it must be off in production")
        if self.env == "production" and self.voice_softphone == "demo":
            raise RuntimeError("TOWNSQUARE_VOICE_SOFTPHONE=demo plays Twilio in the simulator; not in production")
        if self.env == "production" and (self.mastodon_base_url or "").startswith("http://"):
            raise RuntimeError("TOWNSQUARE_MASTODON_BASE_URL must be https in production: it carries the token")
        if self.env == "production" and self.staff_local_passwords and not self.staff_mfa_required:
            raise RuntimeError("TOWNSQUARE_STAFF_MFA_REQUIRED must stay on in production while passwords are on")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
