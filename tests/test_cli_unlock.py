"""`townsquare staff unlock --email`: an operator unlocks a staff account from the shell (audited), and the
running app lets the right password in again at once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner, Result

from tests.factories import PASSWORD, create_staff
from townsquare.cli import cli
from townsquare.settings import Settings, get_settings
from townsquare.staff.models import AuditEntry, StaffAccount

LOCKED = "wren@city.example"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"staff_lock_after_failures": 2})


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The command reads the same database as the app under test."""
    monkeypatch.setenv("TOWNSQUARE_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def _unlock(email: str) -> Result:
    # The command runs its own event loop, so it runs in a thread beside the test's.
    return await asyncio.to_thread(CliRunner().invoke, cli, ["staff", "unlock", "--email", email])


async def _sign_in(client: httpx.AsyncClient, password: str = PASSWORD) -> int:
    return (await client.post("/desk/sign-in", data={"email": LOCKED, "password": password})).status_code


async def test_the_command_unlocks_and_the_app_lets_the_right_password_in(
    cli_env: None, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    account = await create_staff(session, email=LOCKED)
    await session.commit()
    account_id = account.id
    assert [await _sign_in(client, "wrong-password-1") for _ in range(2)] == [401, 401]
    assert await _sign_in(client) == 429  # locked, and the app's windows are full for this email

    done = await _unlock("Wren@City.example")
    assert done.exit_code == 0, done.output
    assert "Unlocked Wren@City.example" in done.output
    assert await _sign_in(client) == 303  # the app starts the email's count afresh once the lock is gone

    await session.rollback()
    row = (await session.execute(select(StaffAccount).where(StaffAccount.id == account_id))).scalar_one()
    assert (row.locked_at, row.failed_sign_ins) == (None, 0)
    entry = (await session.execute(select(AuditEntry).where(AuditEntry.action == "staff.unlocked"))).scalar_one()
    assert entry.actor_kind == "system"
    assert (entry.actor_id or "").startswith("cli:")
    assert (entry.subject_id, entry.detail) == (str(account_id), {"was_locked": True})

    again = await _unlock(LOCKED)
    assert again.exit_code == 0
    assert "was not locked" in again.output


async def test_an_unknown_email_is_an_error(cli_env: None, session: AsyncSession) -> None:
    missing = await _unlock("nobody@city.example")
    assert missing.exit_code == 1
    assert "no staff account signs in as nobody@city.example" in missing.output
