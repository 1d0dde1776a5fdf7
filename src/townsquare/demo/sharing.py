"""The demo city's "tell us once": what Revenue and Transport & Licensing hold about the residents (sent as their
own systems would, through `sharing.holdings`), and the two agreements under which Community & Social Services
may read a household's income and home address to decide a low-income transit pass, approved by both sides.

Records name their person by phone and email; they link only to residents who proved one, as in a real city.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.citizens.kinds import IdentityKind
from townsquare.demo.addresses import AddressPoint
from townsquare.demo.contacts import Resident
from townsquare.sharing import agreements
from townsquare.sharing.records import Identifier, IncomingRecord, put_record

PURPOSE = "benefit-eligibility"
SHOWCASE_EMAIL = "pat.tremblay@example.org"  # README: sign in with it and apply for the transit pass
REGION = "CA"


def postal(place: AddressPoint) -> str:
    return f"{place.address}\nToronto ON  {place.zipcode}"


async def seed_sharing(
    session: AsyncSession,
    *,
    residents: list[Resident],
    places: list[AddressPoint],
    rng: random.Random,
    now: datetime,
    provider_approver: uuid.UUID | None,
    consumer_approver: uuid.UUID | None,
) -> None:
    """Agency records for most residents, and the demo's data-sharing agreements in force."""
    revenue = await agencies.get_agency(session, slug="revenue")
    licensing = await agencies.get_agency(session, slug="transport-licensing")
    benefits = await agencies.get_agency(session, slug="social-services")
    for index, resident in enumerate(residents):
        named = [Identifier(IdentityKind.phone, resident.phone)] if resident.phone else []
        named += [Identifier(IdentityKind.email, resident.email)] if resident.email else []
        if not named:
            continue
        home = rng.choice(places)
        changed = now - timedelta(days=rng.uniform(20, 300))
        if rng.random() < 0.7:
            income = int(rng.lognormvariate(11.0, 0.55)) // 100 * 100
            values = {"household_income": income, "mailing_address": postal(home)}
            record = IncomingRecord(f"RT-{100000 + index}", changed, named, values)
            await put_record(session, revenue, record, source="Tax roll (demo)", provenance={"via": "demo"},
                             region=REGION)  # fmt: skip
        if rng.random() < 0.6:
            moved = rng.random() < 0.1  # a tenth told the licensing office a newer address than the tax roll
            born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 65 * 365))
            values = {
                "home_address": postal(rng.choice(places) if moved else home),
                "date_of_birth": born.isoformat(),
                "licence_number": f"D{rng.randint(1000, 9999)}-{rng.randint(10000, 99999)}-{born:%y%m%d}",
                "licence_expiry": (born.replace(year=now.year + rng.randint(0, 4))).isoformat(),
            }
            record = IncomingRecord(f"DL-{200000 + index}", changed, named, values)
            await put_record(session, licensing, record, source="Licensing system (demo)",
                             provenance={"via": "demo"}, region=REGION)  # fmt: skip
    # Someone who has never used the portal: both agencies know her by her email, so the first time she signs in
    # with it (proving it), her records link to her and the transit pass's form offers them.
    showcase = [Identifier(IdentityKind.email, SHOWCASE_EMAIL)]
    when = now - timedelta(days=30)
    await put_record(session, revenue, IncomingRecord("RT-099999", when, showcase, {"household_income": 27400,
                     "mailing_address": postal(places[0])}), source="Tax roll (demo)", provenance={"via": "demo"},
                     region=REGION)  # fmt: skip
    await put_record(session, licensing, IncomingRecord("DL-299999", when, showcase, {"home_address": postal(places[0]),
                     "date_of_birth": "1988-06-14"}), source="Licensing system (demo)", provenance={"via": "demo"},
                     region=REGION)  # fmt: skip
    if provider_approver is None or consumer_approver is None:
        return
    terms = [
        (revenue.id, ["household_income"], "Household income, to check the low-income threshold"),
        (licensing.id, ["home_address"], "Home address, to mail the pass and check residency"),
    ]
    for provider_id, codes, what in terms:
        row = await agreements.propose(
            session,
            agreements.Terms(
                provider_agency_id=provider_id,
                consumer_agency_id=benefits.id,
                attribute_codes=codes,
                purpose=PURPOSE,
                purpose_text=f"{what} for the low-income transit pass.",
                legal_basis="Municipal Freedom of Information and Protection of Privacy Act, s. 32(b) (with consent); "
                "Transit Fare Assistance By-law 2024-112, s. 4.",
                starts_on=(now - timedelta(days=90)).date(),
                ends_on=(now + timedelta(days=3 * 365)).date(),
                translations={"fr": {"purpose_text": _FRENCH[what], "legal_basis": LEGAL_BASIS_FR}},
            ),
            proposed_by_id=consumer_approver,
        )
        await agreements.approve(session, row, staff_id=provider_approver, for_agency_id=provider_id)
        await agreements.approve(session, row, staff_id=consumer_approver, for_agency_id=benefits.id)


LEGAL_BASIS_FR = (
    "Loi sur l'accès à l'information municipale et la protection de la vie privée, al. 32 b) (avec consentement); "
    "Règlement 2024-112 sur l'aide au tarif de transport, art. 4."
)
_FRENCH = {
    "Household income, to check the low-income threshold": "Revenu du ménage, pour vérifier le seuil de faible "
    "revenu pour le laissez-passer de transport à tarif réduit.",
    "Home address, to mail the pass and check residency": "Adresse du domicile, pour poster le laissez-passer et "
    "vérifier la résidence pour le laissez-passer de transport à tarif réduit.",
}
