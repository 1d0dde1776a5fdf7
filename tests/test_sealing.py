"""Sealed values: only this deployment mints them, and each purpose accepts only its own."""

from __future__ import annotations

from townsquare import sealing

SECRET = "a-test-secret-that-is-long-enough-1234"


def test_a_sealed_value_opens_only_with_the_same_secret_and_purpose() -> None:
    value = sealing.seal_json(SECRET, "oidc-flow", {"state": "abc", "expires": 1})
    assert sealing.unseal_json(SECRET, "oidc-flow", value) == {"state": "abc", "expires": 1}
    assert sealing.unseal_json(SECRET, "totp-pending", value) is None
    assert sealing.unseal_json("another-deployment-secret-xxxxxxxxxxx", "oidc-flow", value) is None


def test_altered_truncated_or_malformed_values_are_refused() -> None:
    value = sealing.seal(SECRET, "message", b"\x01\x02\x03")
    body, mac = value.split(".")
    assert sealing.unseal(SECRET, "message", value) == b"\x01\x02\x03"
    assert (
        sealing.unseal(SECRET, "message", sealing.seal(SECRET, "message", b"\x01\x02\x04").split(".")[0] + "." + mac)
        is None
    )
    assert sealing.unseal(SECRET, "message", body) is None
    assert sealing.unseal(SECRET, "message", body + ".") is None
    assert sealing.unseal(SECRET, "message", "!!!." + mac) is None
    assert sealing.unseal(SECRET, "message", None) is None
    assert sealing.unseal_json(SECRET, "message", sealing.seal(SECRET, "message", b"[1, 2]")) is None  # not an object


def test_a_short_mac_must_be_opened_as_short() -> None:
    short = sealing.seal(SECRET, "message", b"id", mac_bytes=12)
    assert len(short.split(".")[1]) == 16
    assert sealing.unseal(SECRET, "message", short, mac_bytes=12) == b"id"
    assert sealing.unseal(SECRET, "message", short) is None
