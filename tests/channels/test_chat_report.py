"""A report in French over the live chat socket, guided by the assistant: « nid-de-poule », an address the register
places, the form's required question answered by number (quick replies for the summary), OUI, and the case with its
reference; and a resent OUI answered with the same frames and no second case."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.channels.test_chat import Chat, expect, hello, say
from tests.engagement.report_helpers import SPOT, report_city
from tests.factories import count
from townsquare.app import build_runtime, create_app
from townsquare.cases.models import Case
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"twilio_account_sid": None, "smtp_relay_host": None})


@pytest.fixture
def chat(settings: Settings) -> Iterator[Chat]:
    runtime = build_runtime(settings)
    with TestClient(create_app(settings, runtime), base_url="http://testserver") as client:
        env = Chat(client, runtime)
        env.db(report_city)
        yield env


def answer(ws: Any, text: str, client_id: str | None = None) -> dict[str, Any]:
    """Say something and return the assistant's one reply frame."""
    say(ws, text, client_id)
    frame = expect(ws, "message")
    assert frame["from"] == "assistant", frame
    return frame


def test_a_pothole_reported_in_french_by_chat_becomes_a_case(chat: Chat) -> None:
    with chat.socket() as ws:
        hello(ws)
        started = answer(ws, "Il y a un nid-de-poule devant chez moi")
        assert started["text"] == (
            "Je peux prendre votre signalement ici : Signaler un nid-de-poule. Où est-ce? Envoyez le numéro et le "
            "nom de la rue. Répondez ANNULER pour arrêter."
        )
        # Chat carries no files yet, so no photo is asked for: the form's first question comes next.
        assert answer(ws, "120 King St W")["text"] == (
            "Adresse trouvée : 120 King Street West. Quelle est sa taille? 1 Plus petit qu'une assiette, "
            "2 Jusqu'à la taille d'un pneu, 3 Plus grand qu'un pneu. Répondez par le numéro."
        )
        summary = answer(ws, "3")  # the form's one required question (the bike lane one is optional)
        assert summary["text"] == (
            "Votre signalement : Signaler un nid-de-poule, à 120 King Street West. Quelle est sa taille? Plus grand "
            "qu'un pneu. L'envoyer? Répondez OUI ou NON."
        )
        assert summary["quick_replies"] == ["Oui", "Non"]
        client_id = str(uuid.uuid4())
        sent = answer(ws, "Oui", client_id)
        found = re.search(r"TS-\d{4}-\d{6}", sent["text"])
        assert found, sent
        reference = found.group(0)
        assert sent["text"] == (
            f"Envoyé. Votre signalement porte le numéro {reference}. "
            f"Suivez-le ici : http://testserver/reports/{reference}"
        )
        again = say(ws, "Oui", client_id)  # the widget resends what it thinks was lost
        assert again["duplicate"] is True
        assert expect(ws, "message")["id"] == sent["id"]

    case = chat.db(lambda s: s.scalar(select(Case)))
    assert case.reference == reference
    assert case.opened_channel == "chat"
    assert (case.lat, case.long, case.address_id) == (*SPOT, "A-120")
    assert case.attributes == {"size": "large"}
    assert case.description == "Il y a un nid-de-poule devant chez moi"
    assert chat.db(lambda s: count(s, Case)) == 1
    item = chat.db(lambda s: s.scalar(select(WorkItem)))
    assert (item.case_id, item.channel) == (case.id, "chat")
