"""The demo's tell us once: agreements in force, records linked only to residents who proved an identifier, and the
README's resident whose records link when she first proves her email, so the transit pass's form offers them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tests.sharing.world import verified_person
from townsquare.agencies.models import Service
from townsquare.app import Runtime
from townsquare.citizens.models import Identity
from townsquare.demo.seed import seed
from townsquare.demo.sharing import SHOWCASE_EMAIL
from townsquare.residents import prefill
from townsquare.sharing.models import AgencyRecord, AgreementStatus, SharingAgreement


async def test_the_demo_shares_under_approved_agreements_and_links_only_proved_people(runtime: Runtime) -> None:
    await seed(runtime.db, citizens=40)
    async with runtime.db.session() as s:
        statuses = list((await s.execute(select(SharingAgreement.status))).scalars())
        assert statuses == [AgreementStatus.active, AgreementStatus.active]
        linked = list(
            (await s.execute(select(AgencyRecord.citizen_id).where(AgencyRecord.citizen_id.is_not(None)))).scalars()
        )
        assert linked
        proved = (
            await s.execute(
                select(func.count())
                .select_from(Identity)
                .where(Identity.citizen_id.in_(linked), Identity.verified.is_(True))
            )
        ).scalar_one()
        assert proved >= len(set(linked))  # every linked person proved at least one identifier


async def test_the_readmes_resident_is_offered_her_income_and_address(runtime: Runtime) -> None:
    await seed(runtime.db, citizens=5)
    async with runtime.db.session() as s:
        pat = await verified_person(s, email=SHOWCASE_EMAIL, name="Pat Tremblay")  # signs in: her email proved
        service = (
            await s.execute(
                select(Service).where(Service.code == "TRANSIT-PASS").options(selectinload(Service.attributes))
            )
        ).scalar_one()
        offered = await prefill.offer(s, citizen_id=pat.id, service=service, tz="America/Toronto")
        assert offered is not None
        assert {item.code for item in offered.items} == {"household_income", "mailing_address"}
