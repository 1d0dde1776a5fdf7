"""The catalogue's file format: one TOML file per agency (its details, addresses, contact centre, canned replies
and services with their forms), checked field by field before anything is written.

Only describes and checks; `content.catalogue` writes.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from townsquare.agencies.admin import colour_problem, timezone_problem, unknown_placeholders
from townsquare.agencies.models import AttributeDatatype, ServiceType
from townsquare.interactions.models import Channel
from townsquare.sharing.models import Classification, ValueType

CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
SLUG = r"^[a-z0-9][a-z0-9-]{0,63}$"
LANGUAGE = r"^[a-z]{2}$"
HELD = r"^[a-z0-9][a-z0-9-]{0,63}\.[a-z0-9_]{1,64}$"  # an attribute an agency holds: "agency-slug.code"
PURPOSE = r"^[a-z0-9][a-z0-9-]{1,63}$"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PERIOD = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")
Text = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    """Unknown keys are mistakes (a misspelt field must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class AgencyWordingIn(Strict):
    name: Text
    description: str = ""


class AgencyIn(Strict):
    slug: str = Field(pattern=SLUG)
    name: Text
    description: str = ""
    email: str | None = None
    phone: str | None = None
    timezone: str = "America/Toronto"
    translations: dict[Annotated[str, Field(pattern=LANGUAGE)], AgencyWordingIn] = Field(default_factory=dict)
    active: bool = True
    short_name: str = Field("", max_length=40)  # branding where the portal names the agency
    accent_colour: str | None = None  # "#1d70b8": white text on it at least 4.5:1

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if (problem := timezone_problem(value)) is not None:
            raise ValueError(problem.message)
        return value

    @field_validator("accent_colour")
    @classmethod
    def _readable_colour(cls, value: str | None) -> str | None:
        if value is not None and (problem := colour_problem(value)) is not None:
            raise ValueError(problem.message)
        return value.lower() if value else None


class ContactPointIn(Strict):
    channel: Channel
    address: Text


class CalendarIn(Strict):
    """An office's business hours (`[calendar]`, or one of several `[[calendars]]` that queues name)."""

    name: Text = "Office hours"
    timezone: str | None = None  # the agency's when left out
    active: bool = True
    hours: dict[str, list[str]] = Field(default_factory=dict)  # monday = ["08:30-12:00", "13:00-16:30"]
    holidays: list[HolidayIn] = Field(default_factory=list)

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for day, periods in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"{day!r} is not a weekday; use {', '.join(WEEKDAYS)}")
            for period in periods:
                if not PERIOD.fullmatch(period):
                    raise ValueError(f"{day}: {period!r} is not an opening period like '08:30-16:30'")
        return value

    def by_weekday(self) -> dict[str, list[list[str]]]:
        """The hours as stored: "0" (Monday) … "6" → [["08:30", "16:30"], …]."""
        return {str(WEEKDAYS.index(day)): [p.split("-") for p in periods] for day, periods in self.hours.items()}


class HolidayIn(Strict):
    day: date
    name: Text


class TeamIn(Strict):
    slug: str = Field(pattern=SLUG)
    name: Text
    active: bool = True


class QueueIn(Strict):
    slug: str = Field(pattern=SLUG)
    name: Text
    name_fr: str = ""  # empty: the English name
    channels: list[Channel] = Field(default_factory=list)  # empty: any channel
    service_codes: list[str] = Field(default_factory=list)  # empty: any service
    required_skills: dict[str, Annotated[int, Field(ge=1, le=5)]] = Field(default_factory=dict)
    priority_boost: int = Field(0, ge=0, le=100)
    team: str | None = None  # a team slug of this agency
    calendar: str | None = None  # the name of one of this file's calendars; none: `[calendar]` or the first
    active: bool = True


class SlaTargetIn(Strict):
    channel: Channel | None = None  # none: any channel
    service: str | None = None  # a service code; none: any service
    first_response_seconds: int = Field(gt=0, le=366 * 86400)
    goal_percent: int = Field(80, ge=1, le=100)
    business_hours: bool = False
    active: bool = True


class WrapUpCodeIn(Strict):
    code: str = Field(pattern=SLUG)
    label: Text
    label_fr: str = ""  # empty: the English label
    active: bool = True


class SkillIn(Strict):
    """A skill of the catalogue agents and queues pick from: the agency's own, or every agency's."""

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    label: Text
    label_fr: str = ""
    every_agency: bool = False
    active: bool = True


class CannedResponseIn(Strict):
    slug: str = Field(pattern=SLUG)
    language: str = Field("en", pattern=LANGUAGE)
    title: Text
    body: Text
    active: bool = True  # inactive: no longer offered on the desk

    @field_validator("body")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        if unknown := unknown_placeholders(value):
            raise ValueError(f"the desk fills in only {{first_name}} and {{case_reference}}, not {', '.join(unknown)}")
        return value


class ValueIn(Strict):
    key: Text
    name: Text


class AttributeWordingIn(Strict):
    description: str | None = None
    hint: str | None = None
    values: dict[str, str] = Field(default_factory=dict)  # key → name

    def stored(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.description:
            out["description"] = self.description
        if self.hint:
            out["datatype_description"] = self.hint
        if self.values:
            out["values"] = dict(self.values)
        return out


class ConditionIn(Strict):
    """Ask the question only when an earlier question (`field`) has one of `values` (choice keys, or text)."""

    field: str = Field(pattern=r"^[a-z0-9_]{1,64}$")
    values: list[str] = Field(min_length=1)


class PageWordingIn(Strict):
    title: str | None = None


class PageIn(Strict):
    """A page of the form: its title (and the title in other languages)."""

    title: str = Field("", max_length=200)
    translations: dict[Annotated[str, Field(pattern=LANGUAGE)], PageWordingIn] = Field(default_factory=dict)

    def stored(self) -> dict[str, Any]:
        wording = {lang: {"title": w.title} for lang, w in self.translations.items() if w.title}
        return {"title": self.title, **({"translations": wording} if wording else {})}


class AttributeIn(Strict):
    code: str = Field(pattern=r"^[a-z0-9_]{1,64}$")
    datatype: AttributeDatatype
    description: Text
    hint: str = Field("", max_length=300)
    required: bool = False
    values: list[ValueIn] = Field(default_factory=list)
    page: int = Field(1, ge=1)
    translations: dict[Annotated[str, Field(pattern=LANGUAGE)], AttributeWordingIn] = Field(default_factory=dict)
    prefill_from: str | None = Field(None, pattern=HELD)  # "revenue.household_income": another agency's value
    condition: ConditionIn | None = None  # asked only when an earlier question has one of the values

    @model_validator(mode="after")
    def _lists_have_values(self) -> AttributeIn:
        listed = self.datatype in (AttributeDatatype.singlevaluelist, AttributeDatatype.multivaluelist)
        if listed and not self.values:
            raise ValueError(f"a {self.datatype.value} needs values (key and name)")
        if not listed and self.values:
            raise ValueError(f"a {self.datatype.value} takes no values")
        return self


class ServiceWordingIn(Strict):
    name: str | None = None
    description: str | None = None
    group: str | None = None
    keywords: list[str] = Field(default_factory=list)
    notice: str | None = None

    def stored(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude_defaults=True)


class ReminderIn(Strict):
    """A proactive reminder the service sends: `days` before the date a question of its form holds (renewal,
    appointment), or `days` after an application was left unfinished."""

    type: Literal["renewal_reminder", "appointment_reminder", "application_reminder"]
    days: int = Field(ge=1, le=366)
    date_question: str | None = Field(None, pattern=CODE)  # the form's date question (renewal, appointment)
    active: bool = True

    @model_validator(mode="after")
    def _dated_needs_a_question(self) -> ReminderIn:
        dated = self.type != "application_reminder"
        if dated and self.date_question is None:
            raise ValueError(f"a {self.type} needs date_question: the code of the form's date question")
        if not dated and self.date_question is not None:
            raise ValueError("an application_reminder counts from the unfinished application; it takes no question")
        return self


class ServiceIn(Strict):
    code: str = Field(pattern=CODE)
    name: Text
    description: str = ""
    group: str = Field("", max_length=100)
    keywords: list[str] = Field(default_factory=list)
    synonyms: list[str] = Field(default_factory=list)  # other words people use for it; searches find it by them
    type: ServiceType = ServiceType.realtime
    sla_hours: int | None = Field(None, gt=0)
    active: bool = True
    open311: bool = False  # a report about a place: offered through Open311 and on the portal's map
    notice: str = ""
    translations: dict[Annotated[str, Field(pattern=LANGUAGE)], ServiceWordingIn] = Field(default_factory=dict)
    attributes: list[AttributeIn] = Field(default_factory=list)
    reminders: list[ReminderIn] = Field(default_factory=list)
    sharing_purpose: str | None = Field(None, pattern=PURPOSE)  # why its form may read other agencies' data
    pages: dict[int, PageIn] = Field(default_factory=dict)  # the form's page titles by page number

    @model_validator(mode="after")
    def _conditions_look_back(self) -> ServiceIn:
        earlier: dict[str, AttributeIn] = {}
        for attribute in self.attributes:
            condition = attribute.condition
            if condition is not None:
                shown = earlier.get(condition.field)
                if shown is None:
                    raise ValueError(
                        f"{attribute.code}: its condition must name an earlier question, not {condition.field!r}"
                    )
                keys = {v.key for v in shown.values}
                odd = [v for v in condition.values if keys and v not in keys]
                if odd:
                    raise ValueError(f"{attribute.code}: {', '.join(odd)} not among the choices of {shown.code}")
            earlier[attribute.code] = attribute
        return self

    @model_validator(mode="after")
    def _prefill_has_a_purpose(self) -> ServiceIn:
        prefilled = [a.code for a in self.attributes if a.prefill_from]
        if prefilled and self.sharing_purpose is None:
            raise ValueError(f"{', '.join(prefilled)} prefill from another agency: name the service's sharing_purpose")
        return self

    @model_validator(mode="after")
    def _reminders_once_on_dates(self) -> ServiceIn:
        types = [r.type for r in self.reminders]
        twice = sorted({t for t in types if types.count(t) > 1})
        if twice:
            raise ValueError(f"one reminder of each type per service: {', '.join(twice)} given twice")
        dates = {a.code for a in self.attributes if a.datatype in (AttributeDatatype.datetime, AttributeDatatype.date)}
        for reminder in self.reminders:
            if reminder.date_question is not None and reminder.date_question not in dates:
                raise ValueError(f"{reminder.type}: {reminder.date_question!r} is not a date question of this service")
        return self

    @field_validator("attributes")
    @classmethod
    def _distinct_codes(cls, value: list[AttributeIn]) -> list[AttributeIn]:
        codes = [a.code for a in value]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"attribute codes must differ: {', '.join(twice)} used twice")
        return value


class HoldingWordingIn(Strict):
    name: Text
    description: str = ""


class HoldingIn(Strict):
    """Something the agency is the source of about people (its own systems send the values)."""

    code: str = Field(pattern=r"^[a-z0-9_]{1,64}$")
    name: Text
    description: str = ""
    value_type: ValueType = ValueType.text
    classification: Classification = Classification.protected_a
    verified: bool = True
    active: bool = True
    translations: dict[Annotated[str, Field(pattern=LANGUAGE)], HoldingWordingIn] = Field(default_factory=dict)


class AgencyFile(Strict):
    """One agency and everything that belongs to it."""

    agency: AgencyIn
    contact_points: list[ContactPointIn] = Field(default_factory=list)
    calendar: CalendarIn | None = None
    calendars: list[CalendarIn] = Field(default_factory=list)  # several offices, each named
    skills: list[SkillIn] = Field(default_factory=list)
    teams: list[TeamIn] = Field(default_factory=list)
    queues: list[QueueIn] = Field(default_factory=list)
    sla_targets: list[SlaTargetIn] = Field(default_factory=list)
    wrap_up_codes: list[WrapUpCodeIn] = Field(default_factory=list)
    canned_responses: list[CannedResponseIn] = Field(default_factory=list)
    services: list[ServiceIn] = Field(default_factory=list)
    holdings: list[HoldingIn] = Field(default_factory=list)

    @field_validator("holdings")
    @classmethod
    def _distinct_holdings(cls, value: list[HoldingIn]) -> list[HoldingIn]:
        codes = [h.code for h in value]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"holding codes must differ: {', '.join(twice)} used twice")
        return value

    def offices(self) -> list[CalendarIn]:
        """Every calendar of the file: `[calendar]` first, then `[[calendars]]`."""
        return ([self.calendar] if self.calendar is not None else []) + list(self.calendars)

    @model_validator(mode="after")
    def _calendars_known(self) -> AgencyFile:
        names = [c.name for c in self.offices()]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"calendar names must differ: {', '.join(twice)} used twice")
        for queue in self.queues:
            if queue.calendar is not None and queue.calendar not in names:
                raise ValueError(
                    f"queue {queue.slug!r} names calendar {queue.calendar!r}, which this file does not define"
                )
        return self


CalendarIn.model_rebuild()
