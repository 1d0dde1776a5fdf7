"""Every key the phone menu announces does what it says, in English and French, for every kind of caller; no
prompt announces one key for two things; and silence after a yes/no question says "back to the main menu"
before the menu's own keys, so a late 1 or 2 is never taken for the wrong thing.

The keys are read from what the menu says (not from a list kept here), each is pressed in a call of its own, and
the step it led to is read from the call's menu path.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.conftest import post_twilio
from tests.channels.test_voice import MARIA, OTHER, World, call, form, new_sid, press, said, the_call, world
from townsquare.channels import voice_twiml
from townsquare.settings import Settings

__all__ = ["world"]  # the fixture, shared with the voice tests

HIDDEN = "Anonymous"  # what Twilio sends for a withheld number
KEY = re.compile(r"\b(?:press|appuyez sur|appuyer sur|or|ou sur) (\d)\b", re.IGNORECASE)
# What a sentence announcing a key says it does → the steps that keep that promise.
MEANINGS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("another request", "autre demande"), ("2:reference",)),
    (("its status", "son état"), ("1:case-status",)),
    (("status of a request", "état d'une demande"), ("1:reference", "2:reference")),
    (("leave a message", "laisser un message"), ("3:voicemail",)),
    (("call you back", "rappelle"), ("4:callback",)),
    (("speak to a person", "parler à une personne"), ("0:agent",)),
    (("français",), ("9:fr",)),
    (("english",), ("9:en",)),
)


def announced(gather: ET.Element) -> dict[str, str]:
    """Each key the gather's prompts announce, with the sentence that announces it; a key announced twice (for
    two things, or twice in one breath) fails."""
    keys: dict[str, str] = {}
    text = " ".join(el.text or "" for el in gather.iter("Say"))
    for sentence in re.split(r"(?<=[.?!])\s+", text):
        for key in KEY.findall(sentence):
            assert key not in keys, f"key {key} announced twice: {keys[key]!r} and {sentence!r}"
            keys[key] = sentence.strip()
    return keys


def promised(words: str) -> tuple[str, ...]:
    lowered = words.lower()
    for needles, steps in MEANINGS:
        if any(n in lowered for n in needles):
            return steps
    raise AssertionError(f"no known meaning for {words!r}")


async def _language(session: AsyncSession, world: World, lang: str) -> None:
    world.citizen.language = lang
    session.add(world.citizen)
    await session.commit()


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("caller", [MARIA, OTHER, HIDDEN], ids=["open-case", "no-case", "hidden-number"])
async def test_every_key_the_main_menu_announces_does_what_it_says(
    client: httpx.AsyncClient, session: AsyncSession, world: World, lang: str, caller: str
) -> None:
    await _language(session, world, lang)
    root = await call(client, new_sid(), caller)
    gather = root.find("Gather")
    assert gather is not None
    keys = announced(gather)
    assert set(keys) >= {"1", "3", "0", "9"}  # the fixed choices, in both languages, for every caller
    assert ("4" in keys) == (caller != HIDDEN)  # a call-back only to a number we can see
    assert ("2" in keys) == (caller == MARIA)  # "another request" only beside the caller's own open one
    for key, words in keys.items():
        sid = new_sid()
        await press(client, await call(client, sid, caller), sid, key, caller)
        step = (await the_call(session, sid)).payload["menu_path"][-1]
        assert step in promised(words), f"{lang}, {caller}: {key} ({words!r}) led to {step}"


async def test_the_waiting_room_s_key_does_what_it_says(settings: Settings) -> None:
    gather = ET.fromstring(str(voice_twiml.waiting(settings, "fr", position=3, can_call_back=True))).find("Gather")
    assert gather is not None
    assert set(announced(gather)) == {"1"}
    assert "rappelle" in announced(gather)["1"]


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_a_yes_no_question_is_asked_alone_and_silence_says_back_to_the_menu(
    client: httpx.AsyncClient, settings: Settings, lang: str
) -> None:
    question = ET.fromstring(str(voice_twiml.assistant_gather(settings, lang, ["Did that help?"], awaiting="feedback")))
    gather = question.find("Gather")
    assert gather is not None
    assert set(announced(gather)) == {"1", "2"}  # yes and no, and nothing of the menu's in the same breath
    redirect = question.find("Redirect")
    assert redirect is not None
    assert redirect.text == gather.attrib["action"]  # silence goes back through the question's own step
    sid = new_sid()
    await call(client, sid)
    path = redirect.text.removeprefix("http://testserver")
    back = ET.fromstring((await post_twilio(client, path, form(sid, Digits="", SpeechResult=""))).text)
    text = said(back)
    assert text.startswith("Back to the main menu" if lang == "en" else "Retour au menu principal")
