"""Authenticator app codes (TOTP, RFC 6238): one step either side of now, never the same step twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_citizen
from townsquare.citizens import totp

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOON = datetime(2026, 3, 27, 12, 0, 10, tzinfo=UTC)
STEP = timedelta(seconds=30)


def code_at(when: datetime, secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(when)


def wrong_code(secret: str, when: datetime) -> str:
    """A six-digit code that is none of the codes accepted around `when`."""
    accepted = {code_at(when + k * STEP, secret) for k in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)


def test_the_current_code_and_one_step_either_side_are_accepted() -> None:
    now = pyotp.TOTP(SECRET).timecode(NOON)
    assert totp.matching_step(SECRET, code_at(NOON), at=NOON) == now
    assert totp.matching_step(SECRET, code_at(NOON - STEP), at=NOON) == now - 1
    assert totp.matching_step(SECRET, code_at(NOON + STEP), at=NOON) == now + 1


def test_codes_two_steps_away_are_refused() -> None:
    assert totp.matching_step(SECRET, code_at(NOON - 2 * STEP), at=NOON) is None
    assert totp.matching_step(SECRET, code_at(NOON + 2 * STEP), at=NOON) is None


def test_a_step_already_used_or_older_is_refused() -> None:
    now = pyotp.TOTP(SECRET).timecode(NOON)
    assert totp.matching_step(SECRET, code_at(NOON), at=NOON, after=now) is None
    assert totp.matching_step(SECRET, code_at(NOON - STEP), at=NOON, after=now) is None
    assert totp.matching_step(SECRET, code_at(NOON + STEP), at=NOON, after=now) == now + 1


def test_another_key_or_something_that_is_not_a_code_is_refused() -> None:
    assert totp.matching_step(SECRET, code_at(NOON, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), at=NOON) is None
    assert totp.matching_step(SECRET, wrong_code(SECRET, NOON), at=NOON) is None
    assert totp.matching_step(SECRET, "", at=NOON) is None
    assert totp.matching_step(SECRET, "abcdef", at=NOON) is None


@pytest.mark.parametrize(("typed", "cleaned"), [("123456", "123456"), (" 123 456 ", "123456"), ("123-456", "123456")])
def test_codes_are_read_as_people_type_them(typed: str, cleaned: str) -> None:
    assert totp.clean_code(typed) == cleaned


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "12345a", "\uff11\uff12\uff13\uff14\uff15\uff16"])
def test_anything_but_six_digits_is_not_a_code(typed: str) -> None:
    assert totp.clean_code(typed) is None


def test_the_key_is_shown_in_groups_of_four_and_the_qr_address_names_the_service_and_account() -> None:
    assert totp.grouped("ABCDEFGHIJKLMNOP") == "ABCD EFGH IJKL MNOP"
    uri = totp.provisioning_uri(SECRET, account="maria@example.org", issuer="Ville de Lac-Clair")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert unquote(parts.path) == "/Ville de Lac-Clair:maria@example.org"
    query = parse_qs(parts.query)
    assert query["secret"] == [SECRET]
    assert query["issuer"] == ["Ville de Lac-Clair"]
    assert len(totp.new_secret()) == 32
    assert totp.new_secret() != totp.new_secret()


async def test_set_up_confirm_check_once_and_remove(session: AsyncSession) -> None:
    citizen_id = (await create_citizen(session, email="maria@example.org")).id
    started = await totp.start_setup(session, citizen_id=citizen_id)
    assert started is not None
    secret = started.secret
    assert not await totp.is_on(session, citizen_id=citizen_id)
    assert not await totp.check(session, citizen_id=citizen_id, code=code_at(NOON, secret), at=NOON)  # not confirmed

    assert not await totp.confirm(session, citizen_id=citizen_id, code=wrong_code(secret, NOON), at=NOON)
    assert not await totp.is_on(session, citizen_id=citizen_id)
    assert await totp.confirm(session, citizen_id=citizen_id, code=code_at(NOON, secret), at=NOON)
    assert await totp.is_on(session, citizen_id=citizen_id)
    assert await totp.start_setup(session, citizen_id=citizen_id) is None  # on already: the key stays

    # The confirming code used its step up: it cannot sign anyone in afterwards.
    assert not await totp.check(session, citizen_id=citizen_id, code=code_at(NOON, secret), at=NOON)
    later = NOON + STEP
    assert await totp.check(session, citizen_id=citizen_id, code=code_at(later, secret), at=later)
    assert not await totp.check(session, citizen_id=citizen_id, code=code_at(later, secret), at=later)  # replay
    assert not await totp.check(session, citizen_id=citizen_id, code=code_at(NOON, secret), at=later)  # older step
    row = await totp.get(session, citizen_id=citizen_id)
    assert row is not None
    assert row.last_step == pyotp.TOTP(secret).timecode(later)

    await totp.remove(session, citizen_id=citizen_id)
    assert await totp.get(session, citizen_id=citizen_id) is None
    assert not await totp.is_on(session, citizen_id=citizen_id)


async def test_starting_again_before_confirming_replaces_the_key(session: AsyncSession) -> None:
    citizen_id = (await create_citizen(session)).id
    first = await totp.start_setup(session, citizen_id=citizen_id)
    assert first is not None
    old_secret = first.secret
    second = await totp.start_setup(session, citizen_id=citizen_id)
    assert second is not None
    assert second.secret != old_secret
    # A moment when the old key's code is not also the new key's (codes of two keys rarely coincide).
    moments = [NOON + k * STEP for k in range(10)]
    at = next(t for t in moments if totp.matching_step(second.secret, code_at(t, old_secret), at=t) is None)
    assert not await totp.confirm(session, citizen_id=citizen_id, code=code_at(at, old_secret), at=at)
    assert await totp.confirm(session, citizen_id=citizen_id, code=code_at(at, second.secret), at=at)
