"""The VAPID key pair that signs every push (RFC 8292): from settings, or made once under DATA_DIR in development.

Production never makes a key of its own: without configured keys push is off (see `docs/channels/push.md`).
The private key is never logged or shown; only the public key leaves, as the browsers' applicationServerKey.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from townsquare.settings import Settings

KEY_FILE = "vapid_private.pem"


def b64url(raw: bytes) -> str:
    """Unpadded base64url, the form Web Push uses for keys."""
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    """The bytes of unpadded (or padded) base64url text; ValueError when it is not base64url."""
    if not text or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=" for c in text):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError("not base64url") from exc


@dataclass(frozen=True)
class VapidKeys:
    """The signing key, its public half as browsers want it, and the contact the push services see."""

    private_key: ec.EllipticCurvePrivateKey
    public_key: str  # base64url uncompressed P-256 point: the applicationServerKey
    subject: str

    def signer(self) -> Vapid02:
        """py-vapid's signer for this key (RFC 8292 `vapid t=…, k=…` Authorization headers)."""
        return Vapid02(self.private_key)


def _public_of(key: ec.EllipticCurvePrivateKey) -> str:
    point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(point)


def parse_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key written as PEM, base64url DER or the base64url 32-byte scalar; ValueError otherwise."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
    else:
        raw = b64url_decode(text.replace("\n", ""))
        if len(raw) == 32:
            key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
        else:
            key = serialization.load_der_private_key(raw, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("the VAPID key must be an EC P-256 private key")
    return key


def _kept_key(data_dir: Path) -> ec.EllipticCurvePrivateKey:
    """The development key under DATA_DIR, made the first time (created exclusively, so processes agree)."""
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    return parse_private_key(path.read_text())


def _subject(settings: Settings) -> str:
    if settings.vapid_subject:
        return settings.vapid_subject
    if settings.email_from_address:
        return f"mailto:{settings.email_from_address}"
    host = urlsplit(settings.public_url).hostname or ""
    return f"mailto:webmaster@{host if '.' in host else 'localhost'}"  # push services want a mail domain


def load(settings: Settings) -> VapidKeys | None:
    """The keys push signs with, or None when push is off (production without configured keys).

    A configured public key that does not match the private key is refused at once: browsers subscribed with the
    wrong one would have every push refused by their push service.
    """
    if settings.vapid_private_key:
        key = parse_private_key(settings.vapid_private_key)
    elif settings.env in ("development", "test"):
        key = _kept_key(settings.data_dir)
    else:
        return None
    public = _public_of(key)
    if settings.vapid_public_key and settings.vapid_public_key.strip().rstrip("=") != public:
        raise ValueError("TOWNSQUARE_VAPID_PUBLIC_KEY is not the public half of TOWNSQUARE_VAPID_PRIVATE_KEY")
    return VapidKeys(private_key=key, public_key=public, subject=_subject(settings))
