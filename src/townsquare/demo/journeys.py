"""One resident's need, from the first contact to its case's last step, written the way it would have happened:
online (starting an application on the portal, sending it, or giving up and calling), through the app, with the
assistant on chat, text or the phone line (answered, or handed to a person), by phone or at the counter, or in
writing; then, for some, chasing the case within days or weeks, and the case's steps.

Each contact is a timeline entry and a touch (`demo.contacts`); each one a person handled leaves its work item and
offer, so the handle time is measured. Never commits.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import datetime, time, timedelta

from townsquare.agencies.models import Service
from townsquare.agencies.wording import translated
from townsquare.analytics.touches import ANSWERED, FAILED
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus, Priority
from townsquare.clock import replaying
from townsquare.demo.addresses import AddressPoint
from townsquare.demo.contacts import Contacts, Resident
from townsquare.demo.phrases import handoff_text, helped_text, inbound_text, reply_text
from townsquare.demo.year import FAMILY, ZONE, Start
from townsquare.interactions.models import Channel, Conversation, Interaction, InteractionKind
from townsquare.notify.notifications import named
from townsquare.residents.applications import TIMELINE_WORDS
from townsquare.routing import service as routing

FINAL = (CaseStatus.resolved, CaseStatus.closed, CaseStatus.cancelled)
# The workflow steps that bring a new case to each status.
PATHS: dict[CaseStatus, tuple[CaseStatus, ...]] = {
    CaseStatus.new: (),
    CaseStatus.open: (CaseStatus.open,),
    CaseStatus.in_progress: (CaseStatus.in_progress,),
    CaseStatus.waiting_on_citizen: (CaseStatus.in_progress, CaseStatus.waiting_on_citizen),
    CaseStatus.resolved: (CaseStatus.in_progress, CaseStatus.resolved),
    CaseStatus.closed: (CaseStatus.in_progress, CaseStatus.resolved, CaseStatus.closed),
    CaseStatus.cancelled: (CaseStatus.cancelled,),
}
KIND = {
    Channel.voice: InteractionKind.call,
    Channel.counter: InteractionKind.visit,
    Channel.mail: InteractionKind.letter,
}

SUBMITTED_ONLINE = 0.62  # a started application is sent in the same visit
GAVE_UP_THEN_ASKED = 0.25  # an application given up on is followed by a call or a visit within days
ASSISTANT_ANSWERS = {Channel.chat: 0.5, Channel.sms: 0.45, Channel.voice: 0.6}
PHONE_LINE = 0.2  # calls the phone line's assistant takes first (it answers some, hands the rest over)
ASKED_AGAIN = 0.3  # calls from a verified number where staff check the caller's identity all the same
CHASED_SOON = 0.27  # a case chased within the journey window
CHASED_LATER = 0.1  # a case chased weeks later
CALLED_AGAIN = 0.25  # an answer on the phone or at the counter that did not settle it: a call within days
# Where a case is chased: (channel, weight); a channel the resident has no handle for is left out.
CHASES = ((Channel.voice, 38), (Channel.email, 26), (Channel.chat, 14), (Channel.sms, 10), (Channel.counter, 6))


def office(at: datetime, rng: random.Random) -> datetime:
    """`at`, or the next weekday's office hours (8:30 to 16:30 local) when the office is closed then."""
    local = at.astimezone(ZONE)
    day = local.date()
    if local.time() > time(16, 30):
        day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    if day == local.date() and time(8, 30) <= local.time() <= time(16, 30):
        return at
    return datetime.combine(day, time(8, 30), ZONE) + timedelta(minutes=rng.uniform(0, 480))


class Journeys:
    """Writes each need's contacts; counts the cases it opened."""

    def __init__(
        self,
        contacts: Contacts,
        *,
        prefix: str,
        services: Sequence[Service],
        places: Sequence[AddressPoint],
    ) -> None:
        self.contacts = contacts
        self.rng = contacts.rng
        self.now = contacts.now
        self.prefix = prefix
        self.services = {s.code: s for s in services}
        self.places = places
        self.case_count = 0

    async def run(self, start: Start, resident: Resident) -> None:
        service = self.services[start.code]
        channel, at = start.channel, start.at
        if channel is Channel.web:
            await self._online(resident, service, at)
        elif channel is Channel.mobile:
            await self._app(resident, service, at)
        elif channel in (Channel.chat, Channel.sms) or (channel is Channel.voice and self.rng.random() < PHONE_LINE):
            await self._assistant(resident, service, at, channel)
        elif channel in (Channel.voice, Channel.counter):
            await self._assisted(resident, service, at, channel)
        else:
            await self._written(resident, service, at, channel)

    # first contacts -------------------------------------------------------------------------------------------

    async def _online(self, resident: Resident, service: Service, at: datetime) -> None:
        """Starting an application on the portal (a visit), then sending it, or giving up (and asking)."""
        language = resident.citizen.language
        conversation = await self.contacts.conversation(resident, Channel.web, at)
        words = TIMELINE_WORDS.get(language, TIMELINE_WORDS["en"])["first"].format(service=named(service, language))
        await self.contacts.inbound(
            resident, conversation, Channel.web, InteractionKind.visit, at, words, service=service
        )
        if self.rng.random() < SUBMITTED_ONLINE:
            sent = at + timedelta(minutes=self.rng.uniform(4, 25))
            if sent > self.now:
                return
            case = await self._open_case(resident, service, Channel.web, sent)
            body = inbound_text(self.rng, service.code, language, case.reference, first=True)
            await self.contacts.inbound(
                resident,
                conversation,
                Channel.web,
                InteractionKind.form_submission,
                sent,
                body,
                service=service,
                case=case,
            )
            await self._afterwards(resident, service, case, conversation, sent)
        elif self.rng.random() < GAVE_UP_THEN_ASKED:
            later = office(at + timedelta(days=self.rng.uniform(0.1, 4)), self.rng)
            counter = service.code in FAMILY and self.rng.random() < 0.35
            channel = Channel.voice if resident.phone and not counter else Channel.counter
            if later < self.now:
                await self._assisted(resident, service, later, channel)

    async def _app(self, resident: Resident, service: Service, at: datetime) -> None:
        """A report or an application sent from the city's app."""
        conversation = await self.contacts.conversation(resident, Channel.mobile, at)
        case = await self._open_case(resident, service, Channel.mobile, at)
        body = inbound_text(self.rng, service.code, resident.citizen.language, case.reference, first=True)
        await self.contacts.inbound(
            resident,
            conversation,
            Channel.mobile,
            InteractionKind.form_submission,
            at,
            body,
            service=service,
            case=case,
        )
        await self._afterwards(resident, service, case, conversation, at)

    async def _assistant(self, resident: Resident, service: Service, at: datetime, channel: Channel) -> None:
        """The assistant answers from the knowledge base, or hands the person to staff (who may open a case)."""
        language = resident.citizen.language
        kind = KIND.get(channel, InteractionKind.message)
        conversation = await self.contacts.conversation(resident, channel, at)
        body = inbound_text(self.rng, service.code, language, "", first=True)
        article = self.contacts.article(service)
        if article is not None and self.rng.random() < ASSISTANT_ANSWERS[channel]:
            asked = await self.contacts.inbound(
                resident,
                conversation,
                channel,
                kind,
                at,
                body,
                service=None,
                self_service=ANSWERED,
                subject=f"article:{article.group_id}",
            )
            text = article.text.get(language) or next(iter(article.text.values()))
            await self.contacts.answer(asked, text, intent="question")
            return
        asked = await self.contacts.inbound(
            resident, conversation, channel, kind, at, body, service=service, self_service=FAILED
        )
        await self.contacts.answer(asked, handoff_text(self.rng, language), intent="handoff", handed_off=True)
        handled = await self._handled(asked, resident, service, None)
        if handled is None:
            return
        agent, answered = handled
        case = None
        if service.open311 or self.rng.random() < 0.4:
            case = await self._open_case(resident, service, channel, answered, conversation=conversation)
        if channel is not Channel.voice:
            words = reply_text(self.rng, language, case.reference) if case else helped_text(self.rng, language)
            await self.contacts.reply(conversation, channel, answered + timedelta(minutes=1), words, agent)
        if case is not None:
            await self._afterwards(resident, service, case, conversation, answered)

    async def _assisted(self, resident: Resident, service: Service, at: datetime, channel: Channel) -> None:
        """A call or a visit a person takes; it opens a case when there is work to do."""
        conversation = await self.contacts.conversation(resident, channel, at)
        case = await self._open_case(resident, service, channel, at) if self._needs_case(service, channel) else None
        ref = case.reference if case is not None else ""
        body = inbound_text(self.rng, service.code, resident.citizen.language, ref, first=True)
        contact = await self.contacts.inbound(
            resident, conversation, channel, KIND[channel], at, body, service=service, case=case
        )
        await self._handled(contact, resident, service, case)
        if case is not None:
            await self._afterwards(resident, service, case, conversation, at)
        elif self.rng.random() < CALLED_AGAIN and resident.phone:
            again = office(at + timedelta(days=self.rng.uniform(0.2, 6)), self.rng)
            if again < self.now:
                conversation = await self.contacts.conversation(resident, Channel.voice, again)
                body = inbound_text(self.rng, service.code, resident.citizen.language, "", first=True)
                contact = await self.contacts.inbound(
                    resident, conversation, Channel.voice, InteractionKind.call, again, body, service=service
                )
                await self._handled(contact, resident, service, None)

    async def _written(self, resident: Resident, service: Service, at: datetime, channel: Channel) -> None:
        """An email, a letter or a post on social media; staff read it within the day or two and answer."""
        if channel is Channel.email and not resident.email:
            channel = Channel.mail
        subject = translated(service.translations, resident.citizen.language, "name", service.name)  # their words
        conversation = await self.contacts.conversation(resident, channel, at, subject=subject)
        case = await self._open_case(resident, service, channel, at) if self._needs_case(service, channel) else None
        ref = case.reference if case is not None else ""
        body = inbound_text(self.rng, service.code, resident.citizen.language, ref, first=True)
        contact = await self.contacts.inbound(
            resident,
            conversation,
            channel,
            KIND.get(channel, InteractionKind.message),
            at,
            body,
            service=service,
            case=case,
        )
        await self._handled(contact, resident, service, case)
        if case is not None:
            await self._afterwards(resident, service, case, conversation, at)

    # what follows ---------------------------------------------------------------------------------------------

    def _needs_case(self, service: Service, channel: Channel) -> bool:
        if service.open311:
            return self.rng.random() < 0.9
        return self.rng.random() < (0.7 if channel is Channel.counter else 0.5)

    async def _handled(
        self, contact: Interaction, resident: Resident, service: Service, case: Case | None
    ) -> tuple[uuid.UUID, datetime] | None:
        """Staff take the contact: a call in minutes, a visit after the queue, writing within a day or two.
        Returns who took it and when they were done, unless it is not done yet."""
        channel = contact.channel
        if channel is Channel.voice:
            if resident.phone_verified and self.rng.random() < ASKED_AGAIN:
                await self.contacts.asked_again(contact)
            wait, minutes = timedelta(minutes=self.rng.uniform(0.3, 5)), self.rng.uniform(3, 13)
        elif channel is Channel.counter:
            wait, minutes = timedelta(minutes=self.rng.uniform(2, 25)), self.rng.uniform(6, 24)
        elif channel is Channel.chat:
            wait, minutes = timedelta(minutes=self.rng.uniform(0.5, 6)), self.rng.uniform(4, 14)
        else:
            wait, minutes = timedelta(hours=self.rng.uniform(1, 36)), self.rng.uniform(3, 11)
        agent = await self.contacts.handle(contact, resident, service, case, wait=wait, minutes=minutes)
        return None if agent is None else (agent, contact.occurred_at + wait + timedelta(minutes=minutes))

    async def _afterwards(
        self, resident: Resident, service: Service, case: Case, conversation: Conversation, start: datetime
    ) -> None:
        """A case's chasers, an answer from staff, its steps, and its follow-up waiting in the queue if open."""
        last = start
        for chance, days in ((CHASED_SOON, (0.5, 6.5)), (CHASED_LATER, (8.0, 35.0))):
            if self.rng.random() < chance:
                when = start + timedelta(days=self.rng.uniform(*days))
                channel = self._chase_channel(resident)
                if channel in (Channel.voice, Channel.counter):
                    when = office(when, self.rng)
                if when < self.now:
                    body = inbound_text(self.rng, service.code, resident.citizen.language, case.reference, first=False)
                    contact = await self.contacts.inbound(
                        resident,
                        conversation,
                        channel,
                        KIND.get(channel, InteractionKind.message),
                        when,
                        body,
                        service=service,
                        case=case,
                    )
                    await self._handled(contact, resident, service, case)
                    last = max(last, when)
        if self.rng.random() < 0.35:
            channel = Channel.email if resident.email else Channel.sms if resident.phone else Channel.mail
            when = start + timedelta(hours=self.rng.uniform(1, 30))
            text = reply_text(self.rng, resident.citizen.language, case.reference)
            await self.contacts.reply(conversation, channel, when, text, self.contacts.agent(case.agency_id))
        status = self._status_for_age((self.now - start).days)
        end = min(start + timedelta(days=self.rng.uniform(1, 12)), self.now) if status in FINAL else last
        await self._steps(case, PATHS[status], start, max(end, start + timedelta(minutes=5)))
        if status not in FINAL and (self.now - last) < timedelta(days=21):
            await self._work(resident, service, case, conversation, start, last)

    def _chase_channel(self, resident: Resident) -> Channel:
        open_to = [
            (c, w)
            for c, w in CHASES
            if not (c in (Channel.voice, Channel.sms) and not resident.phone)
            and not (c is Channel.email and not resident.email)
        ]
        return self.rng.choices([c for c, _ in open_to], weights=[w for _, w in open_to])[0]

    async def _open_case(
        self,
        resident: Resident,
        service: Service,
        channel: Channel,
        at: datetime,
        *,
        conversation: Conversation | None = None,
    ) -> Case:
        location = None
        if service.open311:  # street reports: at an address of the register
            place = self.rng.choice(self.places)
            location = {
                "address_string": place.address,
                "address_id": place.address_id,
                "zipcode": place.zipcode,
                "lat": place.lat,
                "long": place.long,
            }
        with replaying(at):
            case = await cases.open_case(
                self.contacts.session,
                prefix=self.prefix,
                agency_id=service.agency_id,
                title=service.name,
                channel=channel.value,
                service_id=service.id,
                sla_target_hours=service.sla_target_hours,
                citizen_id=resident.citizen.id,
                priority=self.rng.choices(list(Priority), weights=[15, 65, 15, 5])[0],
                location=location,
            )
        if conversation is not None and conversation.case_id is None:
            conversation.case_id = case.id
        self.case_count += 1
        return case

    async def _steps(self, case: Case, path: tuple[CaseStatus, ...], start: datetime, end: datetime) -> None:
        """The case's status changes, spread between its opening and `end`."""
        span = (end - start) / (len(path) or 1)
        for number, status in enumerate(path, start=1):
            with replaying(min(start + span * number, self.now)):
                await cases.change_status(
                    self.contacts.session,
                    case=case,
                    status=status,
                    source="staff",
                    staff_id=self.contacts.agent(case.agency_id),
                )

    async def _work(
        self,
        resident: Resident,
        service: Service,
        case: Case,
        conversation: Conversation,
        start: datetime,
        last: datetime,
    ) -> None:
        """The case's follow-up in the agency's queue: written work, whatever channel the case began on."""
        channel = Channel.email if resident.email else Channel.sms if resident.phone else Channel.mail
        with replaying(start):
            item = await routing.create(
                self.contacts.session,
                channel=channel.value,
                kind="case",
                agency_id=case.agency_id,
                received_at=start,
                conversation_id=conversation.id,
                citizen_id=resident.citizen.id,
                case_id=case.id,
                service_id=service.id,
                service_code=service.code,
                sla_target_hours=service.sla_target_hours,
                priority=routing.PRIORITY_BY_CASE[case.priority.value],
                language=resident.citizen.language,
                context={"case_reference": case.reference},
            )
        if last > start:
            with replaying(last):
                await routing.touch(self.contacts.session, item=item, received_at=last)

    def _status_for_age(self, age_days: int) -> CaseStatus:
        if age_days > 30:
            return self.rng.choices(list(CaseStatus), weights=[1, 2, 3, 2, 20, 60, 3])[0]
        return self.rng.choices(list(CaseStatus), weights=[25, 25, 25, 10, 8, 5, 2])[0]
