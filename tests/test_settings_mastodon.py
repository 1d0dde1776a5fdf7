"""The Mastodon settings: a server address is checked and tidied, production refuses a token over plain http, and
the demo points the door at the simulator's stand-in server unless the environment names a server."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from townsquare.cli import demo_mastodon, demo_settings
from townsquare.settings import Settings


def test_the_server_address_is_tidied() -> None:
    assert Settings(mastodon_base_url=" https://social.example/ ").mastodon_base_url == "https://social.example"
    assert Settings(mastodon_base_url="").mastodon_base_url is None


@pytest.mark.parametrize("bad", ["social.example", "ftp://social.example", "https://", "https://s.example/?a=1"])
def test_anything_but_a_server_address_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match="the server's address"):
        Settings(mastodon_base_url=bad)


def test_production_refuses_the_token_over_plain_http() -> None:
    secret = "x" * 40
    with pytest.raises(RuntimeError, match="TOWNSQUARE_MASTODON_BASE_URL must be https"):
        Settings(env="production", secret_key=secret, mastodon_base_url="http://social.example").check_safe()
    Settings(env="production", secret_key=secret, mastodon_base_url="https://social.example").check_safe()


def test_the_demo_reads_the_simulator_s_stand_in_unless_told_otherwise() -> None:
    demo = demo_mastodon(demo_settings(Settings(public_url="http://127.0.0.1:8000")))
    assert demo.mastodon_base_url == "http://127.0.0.1:8000/simulator/mastodon"
    assert demo.mastodon_access_token
    real = demo_mastodon(demo_settings(Settings(mastodon_base_url="https://social.example")))
    assert real.mastodon_base_url == "https://social.example"
