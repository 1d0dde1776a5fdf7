"""The signature integrators check: HMAC-SHA256 over the timestamp and the raw body, within a tolerance."""

from __future__ import annotations

import hashlib
import hmac

from townsquare.notify.webhooks.signing import SIGNATURE_HEADER, new_secret, sign, verify

BODY = b'{"id":"e1","type":"case.created","data":{"reference":"TS-2026-000001"}}'
SECRET = "whsec_test"
T = 1_800_000_000


def _headers(body: bytes = BODY, secret: str = SECRET, t: int = T) -> dict[str, str]:
    return sign(secret, body=body, event_type="case.created", delivery_id="d1", timestamp=t)


def test_the_signature_is_the_hmac_of_the_timestamp_and_the_raw_body() -> None:
    headers = _headers()
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER] == f"t={T},v1={expected}"
    assert headers["Townsquare-Event"] == "case.created"
    assert headers["Townsquare-Delivery"] == "d1"


def test_a_genuine_delivery_verifies_whatever_the_case_of_the_header_names() -> None:
    lowered = {k.lower(): v for k, v in _headers().items()}
    assert verify(SECRET, _headers(), BODY, now=T + 10)
    assert verify(SECRET, lowered, BODY, now=T - 10)


def test_a_changed_body_another_secret_or_a_forged_signature_fails() -> None:
    assert not verify(SECRET, _headers(), BODY.replace(b"000001", b"000002"), now=T)
    assert not verify("whsec_other", _headers(), BODY, now=T)
    forged = {SIGNATURE_HEADER: f"t={T},v1={'0' * 64}"}
    assert not verify(SECRET, forged, BODY, now=T)


def test_an_old_or_future_delivery_is_refused_so_a_captured_one_cannot_be_replayed() -> None:
    assert verify(SECRET, _headers(), BODY, tolerance=300, now=T + 300)
    assert not verify(SECRET, _headers(), BODY, tolerance=300, now=T + 301)
    assert not verify(SECRET, _headers(), BODY, tolerance=300, now=T - 301)


def test_a_missing_or_unreadable_header_fails_without_an_exception() -> None:
    for value in ("", "v1=abc", "t=soon,v1=abc", "garbage"):
        assert not verify(SECRET, {SIGNATURE_HEADER: value}, BODY, now=T)
    assert not verify(SECRET, {}, BODY, now=T)


def test_secrets_are_long_random_and_distinct() -> None:
    a, b = new_secret(), new_secret()
    assert a != b
    assert a.startswith("whsec_")
    assert len(a) > 40
