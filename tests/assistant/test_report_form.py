"""Reading a guided report: which report services a message names (from the catalogue's own words), whether it
is worded as a question, the place in a message, the cancel words, and form answers given by number or name."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.engagement.report_helpers import report_city
from townsquare.agencies import service as agencies
from townsquare.agencies.models import AttributeDatatype, Service, ServiceAttribute
from townsquare.app import Runtime
from townsquare.assistant import report_form
from townsquare.assistant.intents import Intent, detect, is_question


@pytest.mark.parametrize(
    ("text", "language", "codes"),
    [
        ("There's a pothole on my street", "en", ["POTHOLE"]),
        ("potholes everywhere on Elm", "en", ["POTHOLE"]),  # a plural of the keyword
        ("streetlight out", "en", ["STREETLIGHT"]),
        ("Il y a un nid-de-poule devant chez moi", "fr", ["POTHOLE"]),
        ("le réverbère ne marche plus", "fr", ["STREETLIGHT"]),
        ("The light is broken next to the pothole", "en", ["POTHOLE", "STREETLIGHT"]),  # a close call: both offered
        ("Something is wrong on my street", "en", []),  # "street" names several services: no one problem
        ("I need a permit to park on the street", "en", []),  # a service that is not a report is named better
        ("Please report my neighbour's barking dog", "en", []),  # "report" alone names nothing
        ("hello there", "en", []),
    ],
)
async def test_the_services_a_message_names(
    session: AsyncSession, runtime: Runtime, text: str, language: str, codes: list[str]
) -> None:
    await report_city(session)
    found = await report_form.candidates(session, runtime.knowledge, text=text, language=language, confidence=0.5)
    assert ([s.code for s in found.services] if found else []) == codes


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("there's a pothole on my street", False),
        ("streetlight out", False),
        ("nid-de-poule devant chez moi", False),
        ("how long until a pothole is filled", True),
        ("When will the light be fixed", True),
        ("pothole?", True),
        ("combien de temps pour réparer un nid-de-poule", True),
        ("Est-ce que vous réparez les trottoirs", True),
    ],
)
def test_a_question_is_told_from_news_of_a_problem(text: str, question: bool) -> None:
    assert is_question(text) is question


@pytest.mark.parametrize(
    ("text", "news"),
    [
        ("There's a pothole on my street", True),
        ("streetlight out", True),
        ("Il y a un nid-de-poule devant chez moi", True),
        ("la collecte a été oubliée", True),
        ("tree down on Elm", True),
        ("garbage day", False),
        ("green bin", False),
    ],
)
def test_news_of_a_problem_is_told_from_a_topic(text: str, news: bool) -> None:
    assert report_form.tells_of_a_problem(text) is news


@pytest.mark.parametrize(
    "text", ["cancel", "Cancel report", "stop reporting", "annuler", "Laisse tomber", "never mind"]
)
def test_cancel_words_leave_a_report_only_while_one_is_under_way(text: str) -> None:
    assert detect(text, awaiting="report").intent is Intent.cancel
    assert detect(text).intent is not Intent.cancel


async def test_a_place_in_a_message_is_found_in_the_register(session: AsyncSession) -> None:
    await report_city(session)
    for text in ("120 King St W", "pothole outside 120 King St W, my tire burst", "in front of 120 king street west"):
        place = await report_form.find_place(session, text)
        assert place is not None, text
        assert place.address_id == "A-120"
    assert await report_form.find_place(session, "corner of Elm and Oak") is None
    assert await report_form.find_place(session, "99 Nowhere Road") is None


async def test_form_answers_by_number_or_by_name(session: AsyncSession) -> None:
    await report_city(session)
    pothole = await agencies.get_service(session, code="POTHOLE")
    [size] = report_form.questions(pothole)  # the bike lane question is optional: not asked by text
    bike_lane = next(a for a in pothole.attributes if a.code == "in_bike_lane")
    assert report_form.read_answer(pothole, size, "2", "en") == "medium"
    assert report_form.read_answer(pothole, size, "Up to a tyre", "en") == "medium"
    assert report_form.read_answer(pothole, size, "Plus grand qu'un pneu", "fr") == "large"
    assert report_form.read_answer(pothole, size, "9", "en") is None
    assert report_form.read_answer(pothole, size, "1 or 2", "en") is None  # one answer only
    assert report_form.read_answer(pothole, bike_lane, "no", "en") == "no"  # an answer, not a SKIP
    assert report_form.question_text(size, "fr") == (
        "Quelle est sa taille? 1 Plus petit qu'une assiette, 2 Jusqu'à la taille d'un pneu, 3 Plus grand qu'un pneu."
    )
    assert report_form.answer_words(pothole, {"size": "small"}, "en") == " How big is it? Smaller than a dinner plate."


def test_by_text_only_the_questions_still_asked_are_asked() -> None:
    service = Service(code="PERMIT", name="Permit", agency_id=uuid.uuid4())
    service.attributes = [
        ServiceAttribute(code="pet", order=0, datatype=AttributeDatatype.singlevaluelist, required=True, variable=True,
                         description="Pet?", values=[{"key": "dog", "name": "Dog"}, {"key": "none", "name": "None"}]),
        ServiceAttribute(code="pet_name", order=1, datatype=AttributeDatatype.string, required=True, variable=True,
                         description="Its name?", condition={"field": "pet", "values": ["dog"]}, values=[]),
        ServiceAttribute(code="lease", order=2, datatype=AttributeDatatype.file, required=True, variable=True,
                         description="Your lease"),
    ]  # fmt: skip
    assert [a.code for a in report_form.questions(service, {"pet": "none"})] == ["pet"]
    assert [a.code for a in report_form.questions(service, {"pet": "dog"})] == ["pet", "pet_name"]
    assert report_form.read_answer(service, service.attributes[1], "Rex", "en") == "Rex"  # asked once shown
