"""Password strength: length, not the email address, not a common password."""

from __future__ import annotations

from townsquare.staff.passwords import Weakness, common_passwords, weakness


def test_the_rules() -> None:
    email = "wren.tanaka@city.example"
    assert weakness("short", email=email) is Weakness.short
    assert weakness("Wren.Tanaka@city.example", email=email) is Weakness.email
    assert weakness("wren.tanaka", email=email) is Weakness.short
    assert weakness("my wren.tanaka@city.example!", email=email) is Weakness.email
    assert weakness("QwertyUIOP123", email=email) is Weakness.common
    assert weakness("seven lanterns by the harbour", email=email) is None


def test_the_common_list_is_read_without_its_comments() -> None:
    listed = common_passwords()
    assert "password1234" in listed
    assert not any(p.startswith("#") for p in listed)
