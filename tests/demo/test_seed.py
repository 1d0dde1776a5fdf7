"""The demo city seeds deterministically, once, with history on every channel."""

from __future__ import annotations

import pyotp
from sqlalchemy import func, select

from townsquare.app import Runtime
from townsquare.demo.city import city
from townsquare.demo.seed import seed
from townsquare.interactions.models import Interaction
from townsquare.settings import Settings
from townsquare.staff import service as staff
from townsquare.staff.authenticator_demo import codes_now


async def test_seed_once_with_every_channel_and_working_accounts(runtime: Runtime) -> None:
    first = await seed(runtime.db, citizens=40)
    assert first.seeded
    assert first.interactions > 40 * 2
    again = await seed(runtime.db, citizens=40)
    assert not again.seeded
    async with runtime.db.session() as s:
        channels = set((await s.execute(select(Interaction.channel).distinct())).scalars())
        assert {c.value for c in channels} >= {"web", "voice", "sms", "email", "chat"}
        total = (await s.execute(select(func.count()).select_from(Interaction))).scalar_one()
        assert total == first.interactions
        email, _, password = first.staff[0]
        assert await staff.authenticate(s, email=email, password=password) is not None
        # Administrators give a one-time code too: the demo's key, which the simulator's Authenticator shows.
        shown = await codes_now(s, Settings(env="development", simulator=True))
        admin = next(c for c in shown if c.email == "admin@city.example")
        assert admin.code == pyotp.TOTP(city().admin_mfa_key).now()
        assert {c.email for c in shown} == {e for e, role, _ in first.staff if role in ("admin", "agency_admin")}


async def test_the_same_seed_gives_the_same_city(runtime: Runtime, settings: Settings) -> None:
    from townsquare.app import build_runtime
    from townsquare.migrations import upgrade_engine

    other_settings = settings.model_copy(update={"database_url": settings.database_url.replace(".db", "-2.db")})
    if settings.is_sqlite:
        other = build_runtime(other_settings)
        await upgrade_engine(other.db.engine)
        a = await seed(runtime.db, citizens=15)
        b = await seed(other.db, citizens=15)
        assert (a.cases, a.interactions) == (b.cases, b.interactions)
        async with runtime.db.session() as s1, other.db.session() as s2:
            q = select(Interaction.body).order_by(Interaction.body)
            assert (await s1.execute(q)).scalars().all() == (await s2.execute(q)).scalars().all()
        await other.db.dispose()
