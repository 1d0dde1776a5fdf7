"""Tell us once on the portal: offer a resident the values other agencies hold for an application's questions, fill
them in with her consent (the read goes through `sharing.access`, which logs it), keep with the draft what was
offered (a keyed hash, never the value), and check it again on every save and before sending.

Never reads a value for the consumer agency without a consent given here; never lets a verified value change on
its way into a case; a stale offer (source changed, consent gone, too old) is offered again, nothing is lost.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, AttributeDatatype, Service, ServiceAttribute
from townsquare.agencies.wording import translation
from townsquare.clock import utcnow
from townsquare.drafts import service as drafts
from townsquare.drafts.models import Draft
from townsquare.errors import FieldError, Problem
from townsquare.residents import applications as apps
from townsquare.residents.retyped import wanted
from townsquare.sharing import access
from townsquare.sharing import agreements as agreements_
from townsquare.sharing import consents as consents_
from townsquare.sharing.holdings import held_values
from townsquare.sharing.linking import relink
from townsquare.sharing.models import HeldAttribute, SharingAgreement
from townsquare.staff import service as staff

PREVIEWED = "person_data.previewed"  # the person saw her own values before deciding (not the agency's read)
VIA = "portal-prefill"  # the access log's `purpose` column for reads made here
DECLINED = "_declined"  # reserved key of `Draft.prefill`: the person chose to type the answers herself
PROVENANCE = ("source", "agency", "verified", "last_updated", "agreement", "consent_id")  # what a case keeps
ASKING = ("consent-needed", "consent-expired", "consent-revoked")  # refusals a consent given here would lift


@dataclass(frozen=True)
class Item:
    """One answer offered: the question, the value as the draft would keep it, who holds it and under what."""

    code: str  # the form's question
    key: str  # "provider.code"
    provider: Agency
    value: Any
    verified: bool
    last_updated: datetime
    agreement: SharingAgreement

    @property
    def agreement_label(self) -> str:
        return agreements_.label(self.agreement)

    def purpose_text(self, language: str) -> tuple[str, str]:
        """What the agreement says the data is for, and the language it is written in."""
        return _worded(self.agreement, "purpose_text", language)

    def legal_basis(self, language: str) -> tuple[str, str]:
        """The law that allows the sharing, and the language it is written in."""
        return _worded(self.agreement, "legal_basis", language)


def _worded(agreement: SharingAgreement, field_name: str, language: str) -> tuple[str, str]:
    text = translation(agreement.translations, language, field_name)
    return (text, language) if text is not None else (str(getattr(agreement, field_name)), "en")


@dataclass(frozen=True)
class Offer:
    """What the person is asked about: the consumer agency, the purpose, and each value offered."""

    consumer: Agency
    purpose: str
    items: list[Item]

    def digest(self, secret: str, draft_id: uuid.UUID) -> str:
        """A keyed hash of exactly what was shown, so consent is given to the values the person saw."""
        shown = [(i.code, i.key, _canonical(i.value), i.verified, i.last_updated.isoformat()) for i in self.items]
        return _mac(secret, f"prefill-offer:{draft_id}", json.dumps(shown, ensure_ascii=False))

    def agreements(self) -> list[Item]:
        """One item per agreement the offer relies on (for its purpose text and legal basis)."""
        seen: dict[str, Item] = {}
        for item in self.items:
            seen.setdefault(item.agreement_label, item)
        return list(seen.values())


@dataclass
class Checked:
    """What checking a draft's prefilled answers found: tampered (locked values changed), stale (to offer again),
    and the provenance of each prefilled answer that still holds."""

    tampered: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)


def _mac(secret: str, purpose: str, text: str) -> str:
    return hmac.new(secret.encode(), f"{purpose}:{text}".encode(), hashlib.sha256).hexdigest()


def answer_hash(secret: str, draft_id: uuid.UUID, code: str, value: Any) -> str:
    """The HMAC kept for a prefilled answer: of the draft, the question and the value, under the deployment's key."""
    return _mac(secret, "prefill-answer", f"{draft_id}\x1f{code}\x1f{_canonical(value)}")


def entries(draft: Draft) -> dict[str, dict[str, Any]]:
    """The prefilled answers' records, by question (without reserved keys)."""
    return {code: e for code, e in (draft.prefill or {}).items() if not code.startswith("_") and isinstance(e, dict)}


def locked(draft: Draft) -> dict[str, dict[str, Any]]:
    """The prefilled answers the person may not change: the verified ones."""
    return {code: e for code, e in entries(draft).items() if e.get("verified")}


def _stored(attr: ServiceAttribute, raw: Any, tz: str) -> Any:
    """A held value as the draft keeps the question's answer."""
    if attr.datatype is AttributeDatatype.datetime:
        try:
            day = date.fromisoformat(str(raw)[:10])
        except ValueError:
            return apps.to_stored(attr, str(raw), timezone=tz)
        return apps.to_stored(attr, {"day": day.day, "month": day.month, "year": day.year}, timezone=tz)
    if attr.datatype is AttributeDatatype.multivaluelist:
        return apps.to_stored(attr, [str(raw)], timezone=tz)
    return apps.to_stored(attr, str(raw), timezone=tz)


async def offer(session: AsyncSession, *, citizen_id: uuid.UUID, service: Service, tz: str) -> Offer | None:
    """The values that may be offered for the service's questions: held for the person by an agency with an
    agreement in force for the service's purpose (a consent would be the only thing missing). None: nothing."""
    asked = wanted(service)
    if not asked:
        return None
    await relink(session, citizen_id=citizen_id)  # identifiers proved since the records came
    purpose = str(service.sharing_purpose)
    named, _unknown = await access.resolve_keys(session, sorted(set(asked.values())))
    consumer = await session.get_one(Agency, service.agency_id)
    allowed, denials = await access.decide(
        session, consumer=consumer, citizen_id=citizen_id, keys=sorted(named), purpose=purpose
    )
    today = utcnow().date()
    in_force = [a for a in await agreements_.between(session, consumer_agency_id=consumer.id)
                if agreements_.in_force(a, today) and a.purpose == purpose]  # fmt: skip
    usable: dict[str, tuple[Agency, HeldAttribute, SharingAgreement]] = {
        key: (provider, attribute, agreement) for key, provider, attribute, agreement, _ in allowed
    }
    for denial in denials:
        if denial.reason not in ASKING:
            continue  # no agreement allows it: simply not offered
        provider, attribute = named[denial.key]
        covering = [a for a in in_force if a.provider_agency_id == provider.id and attribute.code in a.attribute_codes]
        if covering:
            usable[denial.key] = (provider, attribute, covering[0])
    values = await held_values(session, citizen_id=citizen_id, attribute_ids={a.id for _, a, _ in usable.values()})
    items = []
    for attr in sorted((a for a in service.attributes if a.code in asked), key=lambda a: (a.page, a.order)):
        key = asked[attr.code]
        if key not in usable or (held := values.get(usable[key][1].id)) is None:
            continue
        provider, attribute, agreement = usable[key]
        value = _stored(attr, held.value, tz)
        items.append(Item(attr.code, key, provider, value, attribute.verified, held.last_updated, agreement))
    return Offer(consumer, purpose, items) if items else None


async def previewed(session: AsyncSession, *, citizen_id: uuid.UUID, draft: Draft, shown: Offer) -> None:
    """Note in the access log that the person saw her own values before deciding (no agency read them);
    committed before the page shows them."""
    staff.audit(
        session,
        actor_kind="citizen",
        actor_id=str(citizen_id),
        action=PREVIEWED,
        subject_kind="citizen",
        subject_id=str(citizen_id),
        citizen_id=citizen_id,
        agency_id=shown.consumer.id,
        detail={
            "purpose": shown.purpose,
            "channel": "web",
            "attributes": sorted({i.key for i in shown.items}),
            "agreements": sorted({i.agreement_label for i in shown.items}),
            "draft_id": str(draft.id),
        },
        purpose=VIA,
    )
    await session.commit()


def needs_asking(draft: Draft, service: Service) -> bool:
    """Whether the consent page comes before the form: the service prefills and the person has not decided."""
    return bool(wanted(service)) and not (draft.prefill or {})


async def accept(
    session: AsyncSession, *, draft: Draft, service: Service, tz: str, secret: str, shown: str
) -> Draft | None:
    """ "Use these": a consent to exactly the values shown, the read through `sharing.access` (logged, committed),
    then the answers filled in with what was offered kept beside them (committed). None when the values changed
    since the page was drawn: the person is shown them again."""
    current = await offer(session, citizen_id=draft.citizen_id, service=service, tz=tz)
    if current is None or not hmac.compare_digest(current.digest(secret, draft.id), shown):
        return None
    keys = sorted({i.key for i in current.items})
    consent = await consents_.give(
        session,
        citizen_id=draft.citizen_id,
        consumer_agency_id=current.consumer.id,
        purpose=current.purpose,
        attributes=keys,
        agreements=sorted({i.agreement_label for i in current.items}),
        channel="web",
    )
    reader = access.Reader("citizen", str(draft.citizen_id), current.consumer.id, "web", VIA)
    grants = await access.read(
        session, reader=reader, consumer=current.consumer, citizen_id=draft.citizen_id, keys=keys,
        purpose=current.purpose,
    )  # fmt: skip
    read = {g.key: g for g in grants if g.held is not None}
    attrs = {a.code: a for a in service.attributes}
    now = utcnow().isoformat()
    changes: dict[str, Any] = {}
    kept: dict[str, dict[str, Any]] = {}
    for item in current.items:
        grant = read.get(item.key)
        if grant is None or grant.held is None:
            continue
        value = _stored(attrs[item.code], grant.held.value, tz)
        changes[item.code] = value
        kept[item.code] = {
            "source": item.key,
            "agency": item.provider.slug,
            "agency_names": _names(item.provider),  # to label the answer on the form in the reader's language
            "verified": grant.attribute.verified,
            "last_updated": grant.held.last_updated.isoformat(),
            "agreement": agreements_.label(grant.agreement),
            "consent_id": str(consent.id),
            "offered_at": now,
            "hash": answer_hash(secret, draft.id, item.code, value),
        }
    result = await drafts.save(
        session, draft_id=draft.id, citizen_id=draft.citizen_id, base_version=draft.version, changes=changes
    )
    # An answer changed on another device meanwhile stays as it is (a conflict), and so is not marked prefilled.
    answers = result.draft.answers
    result.draft.prefill = {code: e for code, e in kept.items()
                            if code in answers and _canonical(answers[code]) == _canonical(changes[code])}  # fmt: skip
    await session.flush()
    await session.commit()
    return result.draft


def _names(agency: Agency) -> dict[str, str]:
    names = {"en": agency.name}
    for language, wording in (agency.translations or {}).items():
        if isinstance(wording, dict) and isinstance(wording.get("name"), str) and wording["name"].strip():
            names[language] = wording["name"]
    return names


async def decline(session: AsyncSession, *, draft: Draft, secret: str) -> Draft:
    """ "I'll type them myself": nothing is read; answers filled in earlier and left as offered are emptied for the
    person to type (she withdrew them), and the draft remembers not to ask again (committed)."""
    offered = {code: e for code, e in entries(draft).items()
               if answer_hash(secret, draft.id, code, draft.answers.get(code)) == e.get("hash")}  # fmt: skip
    if offered:
        draft = (
            await drafts.save(
                session,
                draft_id=draft.id,
                citizen_id=draft.citizen_id,
                base_version=draft.version,
                changes=dict.fromkeys(offered, ""),
            )
        ).draft
    draft.prefill = {DECLINED: utcnow().isoformat()}
    await session.flush()
    await session.commit()
    return draft


def refuse_locked(draft: Draft, *, secret: str, changes: dict[str, Any]) -> None:
    """422, nothing saved, when a save would change a verified prefilled answer (the form never offers it)."""
    held = locked(draft)
    changed = [code for code in changes if code in held
               and answer_hash(secret, draft.id, code, changes[code]) != held[code].get("hash")]  # fmt: skip
    if changed:
        raise tampered_problem(changed)


def tampered_problem(codes: list[str]) -> Problem:
    return Problem(
        422,
        "Verified answers cannot be changed",
        "Some answers were filled in from another agency's verified records and cannot be changed here; nothing "
        "was saved. Ask that agency to correct its records.",
        "prefill-locked",
        [FieldError(code, "verified at the source; cannot be changed here") for code in codes],
    )


async def check(
    session: AsyncSession, *, draft: Draft, service: Service, tz: str, secret: str, max_age_hours: float
) -> Checked:
    """Every prefilled answer against its hash (a verified one changed is tampered; an unverified one changed was
    typed by the person and has no provenance), then whether its offer still holds: the consent in force, the
    agreement too, the source's value unchanged, and the offer younger than `max_age_hours`."""
    found = Checked()
    now = utcnow()
    holding: dict[str, dict[str, Any]] = {}
    for code, entry in entries(draft).items():
        if answer_hash(secret, draft.id, code, draft.answers.get(code)) != entry.get("hash"):
            if entry.get("verified"):
                found.tampered.append(code)
            continue
        holding[code] = entry
    if found.tampered or not holding:
        return found
    current = await offer(session, citizen_id=draft.citizen_id, service=service, tz=tz)
    now_offered = {i.code: i for i in current.items} if current else {}
    consumer = await session.get_one(Agency, service.agency_id)
    keys = sorted({str(e["source"]) for e in holding.values()})
    allowed, _ = await access.decide(
        session, consumer=consumer, citizen_id=draft.citizen_id, keys=keys, purpose=str(service.sharing_purpose)
    )
    readable = {key for key, *_ in allowed}
    for code, entry in holding.items():
        consent = await _consent(session, draft.citizen_id, str(entry.get("consent_id", "")))
        item = now_offered.get(code)
        fresh = (
            consent is not None
            and consents_.state(consent, now) == "active"
            and entry["source"] in readable
            and item is not None
            and answer_hash(secret, draft.id, code, item.value) == entry["hash"]
            and _when(entry.get("offered_at")) > now - timedelta(hours=max_age_hours)
        )
        if not fresh:
            found.stale.append(code)
            continue
        found.provenance[code] = {k: entry[k] for k in PROVENANCE}
    return found


async def _consent(session: AsyncSession, citizen_id: uuid.UUID, consent_id: str) -> Any:
    try:
        return await consents_.get_own(session, citizen_id=citizen_id, consent_id=uuid.UUID(consent_id))
    except (ValueError, Problem):
        return None


def _when(raw: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(raw))
    except ValueError:
        return datetime.min.replace(tzinfo=utcnow().tzinfo)
