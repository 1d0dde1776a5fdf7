"""Reading the agency directory and service catalogue, and routing an inbound address to its agency."""

from __future__ import annotations

import re
import unicodedata
import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from townsquare.agencies.models import Agency, CannedResponse, ContactPoint, Service
from townsquare.db import remembered
from townsquare.errors import not_found

remembered.watch(Agency, ContactPoint)  # who owns which address, and the default agency: read every few seconds


async def list_agencies(session: AsyncSession) -> list[Agency]:
    """Every agency, by name."""
    return list((await session.execute(select(Agency).order_by(Agency.name))).scalars())


async def get_agency(session: AsyncSession, *, slug: str) -> Agency:
    """One agency by its slug, or a 404 problem."""
    agency = (await session.execute(select(Agency).where(Agency.slug == slug))).scalar_one_or_none()
    if agency is None:
        raise not_found("Agency")
    return agency


async def agencies_by_id(session: AsyncSession, *, ids: set[uuid.UUID]) -> dict[uuid.UUID, Agency]:
    """Agencies keyed by id, in one query."""
    if not ids:
        return {}
    rows = (await session.execute(select(Agency).where(Agency.id.in_(ids)))).scalars()
    return {a.id: a for a in rows}


async def list_services(
    session: AsyncSession, *, agency_id: uuid.UUID | None = None, include_inactive: bool = False
) -> list[Service]:
    """The catalogue (with form attributes), optionally for one agency."""
    stmt = select(Service).options(selectinload(Service.attributes)).order_by(Service.group, Service.name)
    if agency_id is not None:
        stmt = stmt.where(Service.agency_id == agency_id)
    if not include_inactive:
        stmt = stmt.where(Service.active.is_(True))
    return list((await session.execute(stmt)).scalars())


async def get_service(session: AsyncSession, *, code: str) -> Service:
    """One service with its form attributes, or a 404 problem."""
    stmt = select(Service).where(Service.code == code).options(selectinload(Service.attributes))
    service = (await session.execute(stmt)).scalar_one_or_none()
    if service is None:
        raise not_found("Service", f"There is no service with code '{code}'.")
    return service


async def get_service_by_id(session: AsyncSession, *, service_id: uuid.UUID) -> Service:
    """One service by id (without attributes)."""
    return await session.get_one(Service, service_id)


# Built once: every contact without a case or service finds its agency by the address it was sent to (a
# deactivated agency takes no new contact: its addresses lead to the default agency).
_BY_ADDRESS = (
    select(Agency)
    .join(ContactPoint, ContactPoint.agency_id == Agency.id)
    .where(
        ContactPoint.channel == bindparam("channel"),
        ContactPoint.address == bindparam("address"),
        Agency.active.is_(True),
    )
)


async def agency_for_address(session: AsyncSession, *, channel: str, address: str | None) -> Agency | None:
    """The agency that owns an inbound address (a phone number, a mailbox) on a channel."""
    if not address:
        return None
    params = {"channel": channel, "address": address.strip().lower()}
    return (await session.execute(_BY_ADDRESS, params)).scalar_one_or_none()


async def default_agency(session: AsyncSession, *, slug: str | None = None) -> Agency:
    """The agency that receives contact no address or case points elsewhere: the named one, else the first
    active one."""
    stmt = select(Agency).where(Agency.active.is_(True)).order_by(Agency.created_at, Agency.slug).limit(1)
    if slug:
        stmt = select(Agency).where(Agency.slug == slug)
    agency = (await session.execute(stmt)).scalar_one_or_none()
    if agency is None:
        raise not_found("Agency", "No agency is configured yet; create one before accepting contact.")
    return agency


async def agency_id_for_address(session: AsyncSession, *, channel: str, address: str | None) -> uuid.UUID | None:
    """The id of the agency that owns an inbound address (remembered per process for a few seconds)."""
    if not address:
        return None
    params = {"channel": channel, "address": address.strip().lower()}

    async def load() -> uuid.UUID | None:
        agency = (await session.execute(_BY_ADDRESS, params)).scalar_one_or_none()
        return agency.id if agency is not None else None

    return await remembered.recall(session, ("agency_for_address", channel, params["address"]), load)


async def default_agency_id(session: AsyncSession, *, slug: str | None = None) -> uuid.UUID:
    """`default_agency`'s id (remembered per process for a few seconds)."""

    async def load() -> uuid.UUID:
        return (await default_agency(session, slug=slug)).id

    return await remembered.recall(session, ("default_agency", slug), load)


async def contact_points(session: AsyncSession, *, channel: str) -> list[tuple[str, str]]:
    """Every agency address on one channel as (address, agency name), by agency."""
    rows = await session.execute(
        select(ContactPoint.address, Agency.name)
        .join(Agency, Agency.id == ContactPoint.agency_id)
        .where(ContactPoint.channel == channel)
        .order_by(Agency.name, ContactPoint.address)
    )
    return [(str(address), str(name)) for address, name in rows.all()]


async def own_address(session: AsyncSession, *, agency_id: uuid.UUID, channel: str) -> str | None:
    """The agency's own address on a channel (its mailbox, its texting number), so what it sends is answered there;
    None when it has none (the platform's default sender is used)."""
    stmt = (
        select(ContactPoint.address)
        .where(ContactPoint.agency_id == agency_id, ContactPoint.channel == channel)
        .order_by(ContactPoint.address)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def canned_responses(session: AsyncSession, *, agency_id: uuid.UUID, language: str) -> list[CannedResponse]:
    """An agency's active canned responses in a language (the English ones when it has none in that language)."""
    stmt = (
        select(CannedResponse)
        .where(
            CannedResponse.agency_id == agency_id,
            CannedResponse.language.in_({language, "en"}),
            CannedResponse.active.is_(True),
        )
        .order_by(CannedResponse.title, CannedResponse.slug)
    )
    rows = list((await session.execute(stmt)).scalars())
    wanted = [r for r in rows if r.language == language]
    return wanted or rows


async def services_by_id(session: AsyncSession, *, ids: set[uuid.UUID]) -> dict[uuid.UUID, Service]:
    """Services (without attributes, active or not) keyed by id, in one query."""
    if not ids:
        return {}
    rows = (await session.execute(select(Service).where(Service.id.in_(ids)))).scalars()
    return {s.id: s for s in rows}


# Words too common to tell services apart; dropped from a query unless it has nothing else.
_STOP_WORDS = frozenset(
    (  # noqa: SIM905 - two readable lines rather than forty-four
        "a an and at do for how i in is it my of on or the to what where who with "
        "au aux d de des du en et j je l la le les ma mes mon ou pour qu que un une"
    ).split()
)
MAX_QUERY_WORDS = 12
_NAME, _KEYWORD, _OTHER = 4, 2, 1


def _fold(text: str) -> str:
    """Lower case without accents: `Impôt Foncier` → `impot foncier`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", _fold(text))


def query_words(query: str) -> list[str]:
    """The words of a query that a search matches on: folded, without common words, at most a dozen."""
    words = list(dict.fromkeys(_words(query[:200])))
    meaningful = [w for w in words if w not in _STOP_WORDS]
    return (meaningful or words)[:MAX_QUERY_WORDS]


def _texts(service: Service, language: str) -> tuple[str, str, str]:
    """The service's name, keywords and other searchable text (group, description) in every language it has, the
    page's first: a French word typed on the English page ("permis") still finds the service."""
    translations = service.translations or {}
    ordered = [language, *sorted(k for k in translations if k != language)]
    wordings = [w for lang in ordered if isinstance(w := translations.get(lang), dict)]

    def text(field: str) -> str:
        return " ".join(v for w in wordings if isinstance(v := w.get(field), str))

    keywords = [str(k) for k in [*(service.keywords or []), *(service.synonyms or [])]]
    for wording in wordings:
        extra = wording.get("keywords")
        keywords += [str(k) for k in extra] if isinstance(extra, list) else []
    names = f"{service.name} {text('name')}"
    other = f"{service.group} {text('group')} {service.description} {text('description')}"
    return " ".join(_words(names)), " ".join(_words(" ".join(keywords))), " ".join(_words(other))


def _score(service: Service, words: list[str], language: str) -> int:
    """How well the service matches every word (0: some word is nowhere); name hits weigh most."""
    name, keywords, other = _texts(service, language)
    score = 0
    for word in words:
        if word in name:
            score += _NAME + (1 if f" {word} " in f" {name} " else 0)
        elif word in keywords:
            score += _KEYWORD
        elif word in other:
            score += _OTHER
        else:
            return 0
    return score


async def search_services(session: AsyncSession, *, query: str, language: str = "en") -> list[Service]:
    """Active services matching every word of the query in any of their languages, best first.

    Accents and case are ignored and a word matches inside longer words (`light` finds `streetlight`). The
    active catalogue is small, so it is matched here rather than in SQL: the same on every database.
    """
    words = query_words(query)
    if not words:
        return []
    catalogue = (await session.execute(select(Service).where(Service.active.is_(True)))).scalars()
    scored = [(score, s) for s in catalogue if (score := _score(s, words, language)) > 0]
    scored.sort(key=lambda pair: (-pair[0], _fold(_texts(pair[1], language)[0])))
    return [s for _score_value, s in scored]


async def open311_services(session: AsyncSession, *, code: str | None = None) -> list[Service]:
    """Active services that take reports about a place (Open311 and the portal's map), with their forms, by
    group and name; only the one with `code` when given."""
    stmt = (
        select(Service)
        .where(Service.active.is_(True), Service.open311.is_(True))
        .options(selectinload(Service.attributes))
        .order_by(Service.group, Service.name, Service.code)
    )
    if code is not None:
        stmt = stmt.where(Service.code == code)
    return list((await session.execute(stmt)).scalars())
