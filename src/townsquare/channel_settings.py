"""The settings of the channels' providers: Twilio, email, Meta, Mastodon, web push, letters and scanned post.

A part of `townsquare.settings.Settings` (which inherits it), kept apart so each file reads in one sitting; read from
the same TOWNSQUARE_* environment variables, never instantiated on its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ChannelSettings(BaseSettings):
    """How the platform reaches each channel's provider, and the limits of the doors they bring contacts through."""

    model_config = SettingsConfigDict(env_prefix="TOWNSQUARE_", env_file=None, extra="ignore")

    # SMS and voice (Twilio-compatible). Without an auth token the webhooks refuse every request.
    twilio_auth_token: str | None = Field(default=None, description="Checks X-Twilio-Signature; also the REST secret")
    twilio_account_sid: str | None = None
    twilio_api_base_url: str = "https://api.twilio.com"
    twilio_from_number: str | None = Field(default=None, description="Default sender when no agency number applies")
    twilio_messaging_service_sid: str | None = None
    sms_max_segments: int = Field(default=3, ge=1, description="Longer answers are shortened with a link")
    voice_transfer_number: str | None = Field(default=None, description="Dial this number instead of Enqueue")
    voice_queue_prefix: str = "townsquare"
    voice_silence_seconds: int = Field(
        default=180,
        ge=30,
        description="A queued call not heard of this long (no status callback came) leaves the queue",
    )
    # Connecting an accepted call to its agent (a conference named for the work item; docs/channels/voice.md)
    twilio_api_key_sid: str | None = Field(default=None, description="SK… API key that signs softphone tokens")
    twilio_api_key_secret: str | None = None
    twilio_twiml_app_sid: str | None = Field(default=None, description="AP… TwiML App the softphone calls through")
    voice_softphone: Literal["twilio", "demo"] = Field(
        default="twilio", description="twilio: Twilio's Voice SDK in the browser; demo: the simulator's softphone"
    )
    voice_record_calls: bool = Field(default=False, description="Record connected calls, after telling the caller")
    voice_hold_music_url: str = Field(
        default="https://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3",
        description="Played to a caller on hold or waiting for the agent",
    )

    # Email: the inbound SMTP server, the HTTP inbound endpoint and the outbound relay
    smtp_port: int | None = Field(default=None, description="Inbound SMTP server port; unset = no SMTP server")
    smtp_host: str = "127.0.0.1"
    smtp_max_message_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)
    email_inbound_token: str | None = Field(default=None, description="Bearer token for POST /channels/email/inbound")
    email_from_address: str | None = Field(default=None, description="Sender when no agency address applies")
    email_domain: str | None = Field(default=None, description="Domain of outbound Message-IDs; public_url's host")
    smtp_relay_host: str | None = Field(default=None, description="Outbound relay; unset = recording provider")
    smtp_relay_port: int = 587
    smtp_relay_username: str | None = None
    smtp_relay_password: str | None = None
    smtp_relay_starttls: bool = True

    # Social messaging through Meta: Messenger, Instagram and the WhatsApp Cloud API (docs/channels/social.md).
    # Without an app secret the webhook refuses every request; without a token replies go to the recording provider.
    meta_app_secret: str | None = Field(default=None, description="Checks X-Hub-Signature-256 on the Meta webhook")
    meta_verify_token: str | None = Field(default=None, description="The token Meta's webhook verification presents")
    meta_access_token: str | None = Field(default=None, description="Graph API token: WhatsApp replies and media")
    meta_page_access_token: str | None = Field(
        default=None, description="Page token for Messenger and Instagram replies; unset = the access token"
    )
    meta_phone_number_id: str | None = Field(
        default=None, description="WhatsApp number replies leave from when the person's own is not on record"
    )
    meta_page_id: str | None = Field(default=None, description="Page Messenger/Instagram replies leave; unset = me")
    meta_graph_base_url: str = Field(default="https://graph.facebook.com", description="Where Graph API calls go")
    meta_graph_version: str = Field(default="v25.0", pattern=r"^v\d{1,3}\.\d{1,2}$")
    meta_whatsapp_template: str | None = Field(
        default=None,
        max_length=512,
        description="Approved WhatsApp template (one body parameter) for replies after 24 hours; unset = refused",
    )
    meta_human_agent_tag: bool = Field(
        default=False, description="The app may use the HUMAN_AGENT tag: Messenger and Instagram replies up to 7 days"
    )

    # Public mentions on Mastodon (docs/channels/social.md): the city's account, read with an application token
    mastodon_base_url: str | None = Field(
        default=None, description="The city's Mastodon server, e.g. https://social.example; unset = no poller"
    )
    mastodon_access_token: str | None = Field(
        default=None, description="The account's application token (scopes read:notifications write:statuses)"
    )
    mastodon_poll_seconds: float = Field(default=30.0, ge=1, description="How often new mentions are read")
    mastodon_acknowledge: bool = Field(
        default=True, description="Answer a new mention at once, offering to continue privately (else staff's first)"
    )
    mastodon_max_characters: int = Field(
        default=500, ge=200, le=100_000, description="The longest status the server accepts (its configuration)"
    )

    # Web push (the portal as an installable app): VAPID keys sign every push for the browsers' push services
    vapid_private_key: str | None = Field(
        default=None, description="VAPID private key (PEM, or base64url DER); unset = generated under DATA_DIR in dev"
    )
    vapid_public_key: str | None = Field(default=None, description="Its public key (base64url); checked to match")
    vapid_subject: str | None = Field(default=None, description="mailto: or https: contact the push services see")
    push_ttl_seconds: int = Field(default=3600, ge=0, le=28 * 24 * 3600, description="How long a push may wait")
    push_timeout_seconds: float = Field(default=10.0, gt=0, description="Longest wait for a push service's answer")
    push_ack_rate_limit_per_minute: int = Field(default=120, ge=1, description="Acknowledgements per client address")
    # Letters by post (the last channel of the fallback) and the daily print batch
    letter_paper: Literal["A4", "letter"] = Field(default="A4", description="A4 (DL/C5 window) or US Letter (#10)")
    letter_sender_name: str | None = Field(default=None, description="Sender when the agency gives none; brand_name")
    letter_sender_address: list[str] = Field(
        default_factory=list, description="Return address lines (JSON list) when the agency gives none"
    )
    letter_font: Path | None = Field(
        default=None, description="A TrueType font for letters (e.g. DejaVuSans.ttf); unset = Helvetica (Latin-1, œ)"
    )
    print_batch_time: str | None = Field(
        default=None, description="Daily UTC time (HH:MM) the app builds the print batch; unset = CLI only"
    )
    # The post in (docs/channels/mail.md): scanned letters from a watched folder, the desk and POST /api/v1/mail
    mail_scan_dir: Path | None = Field(
        default=None,
        description="The watched folder scans are dropped in (done/ and rejected/ beside them); unset = off",
    )
    mail_scan_poll_seconds: float = Field(default=10.0, gt=0, description="How often the watched folder is looked at")
    mail_scan_settle_seconds: float = Field(
        default=5.0, ge=0, description="A file is taken once unchanged this long (a scanner may still be writing it)"
    )
    mail_scan_max_pages: int = Field(default=20, ge=1, le=500, description="Pages a scanned PDF may have")
    mail_scan_max_pixels: int = Field(
        default=40_000_000, ge=1_000_000, description="Pixels a page may have, as decoded or rendered"
    )
    mail_scan_dpi: int = Field(default=300, ge=100, le=600, description="Resolution PDF pages are rendered at for OCR")
    mail_scan_languages: str = Field(
        default="eng+fra", pattern=r"^[a-z_]{3,8}(\+[a-z_]{3,8})*$", description="Tesseract's languages, joined by +"
    )
    mail_scan_rate_limit_per_minute: int = Field(
        default=30, ge=1, description="Scans one API key or member of staff may send a minute (OCR is costly)"
    )
    mail_scan_timeout_seconds: float = Field(default=60.0, gt=0, description="Longest OCR of one page")

    @field_validator("vapid_subject")
    @classmethod
    def _contact_subject(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("mailto:", "https://")):
            raise ValueError("must be a mailto: address or an https: URL the push services can reach you at")
        return value

    @field_validator("mastodon_base_url")
    @classmethod
    def _server_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("must be the server's address, like https://social.example")
        return value.strip().rstrip("/")

    @field_validator("letter_font")
    @classmethod
    def _font_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"{value} is not a file; give a TrueType font such as DejaVuSans.ttf, or leave it unset")
        return value
