"""French everywhere a resident can reach: every portal page, signed out and signed in, and every message the
platform sends or says (notifications on each channel, letters, the phone menu, the assistant, the chat widget,
the demo catalogue's names, questions and canned replies) read in French, with no English sentence left in them.

English is found by its words (`tests/support/french.py`); names, addresses and what people wrote themselves are
allowed as they are. A new GET route of the portal fails `test_every_portal_page_speaks_french` until it is
visited or listed in `NOT_PAGES` with the reason it is not a page.
"""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_service
from tests.notify.letters.pdfs import text_of
from tests.support.french import english_in, english_words, visible_text, words_only_in_english
from tests.support.portal_world import (
    ORIGIN,
    PortalPage,
    World,
    build_world,
    portal_forms,
    portal_pages,
    uncovered_routes,
)
from townsquare.agencies import service as agencies
from townsquare.app import Runtime
from townsquare.assistant import phrases
from townsquare.cases import service as cases
from townsquare.channels import chat as chat_channel
from townsquare.channels import voice_booking, voice_prompts
from townsquare.channels.email import compose
from townsquare.citizens import service as citizens
from townsquare.citizens import verification
from townsquare.citizens.models import IdentityKind
from townsquare.citizens.sessions import CITIZEN_COOKIE
from townsquare.demo.city import CATALOGUE_DIR, KNOWLEDGE_DIR, NOTIFICATIONS_DIR
from townsquare.engagement import calls
from townsquare.engagement import sms as sms_keywords
from townsquare.knowledge import rendering as knowledge_rendering
from townsquare.notify import rendering, templates
from townsquare.notify.direct import ESSENTIAL_DIR
from townsquare.notify.letters.rendering import WORDS, LetterContent, Sender, render_letter
from townsquare.notify.notifications import GREETING, STATUS_WORDS, UNSUBSCRIBE_NOTE
from townsquare.notify.providers import Envelope
from townsquare.settings import Settings
from townsquare.web import error_pages, i18n
from townsquare.web.i18n import LANGUAGE_COOKIE
from townsquare.web.templating import STATIC_DIR

BROWSER = {"Accept": "text/html,application/xhtml+xml"}  # what a browser asks for: errors come as pages
# What a French message is filled with: the values the platform gives a French reader.
FRENCH_VALUES = {
    "name": GREETING["fr"],
    "agency": "Travaux publics",
    "service": "Signaler un nid-de-poule",
    "title": "Signaler un nid-de-poule",
    "reference": "TS-2026-000123",
    "url": "https://ville.example/account/cases/TS-2026-000123",
    "status": STATUS_WORDS["fr"]["in_progress"],
    "note": "Une équipe passera vendredi.",
    "message": "Une équipe passera vendredi.",
    "signature": "Léa, Travaux publics",
    "subject": "Collecte des ordures",
    "date": "1 mars 2099",
    "time": "10 h 30",
    "place": "Hôtel de ville",
    "days": "3",
    "code": "123456",
    "minutes": "15",
    "address": "130, rue Queen Ouest",
    "calendar": "https://ville.example/appointments/manage/AbC.dEf/calendar.ics",
}


def _report(findings: dict[str, list[str]]) -> str:
    return "English left in French:\n" + "\n".join(
        f"- {where}:\n    " + "\n    ".join(found) for where, found in findings.items()
    )


# --- the detector itself ------------------------------------------------------------------------------------------


def test_the_detector_finds_english_and_lets_french_and_allowed_names_through() -> None:
    assert english_words("Sign in to continue with your application") == ["sign in", "sign", "to", "with", "your"]
    assert english_words("Back") == ["back"]
    assert english_words("Continue") == ["continue"]  # a button on its own
    assert english_words("Le traitement continue et ce signalement change.") == []
    names = words_only_in_english(["City Works", "Report a pothole"], ["Travaux publics", "Signaler un nid-de-poule"])
    assert names == {"city", "works", "report", "pothole"}
    assert english_words("Rappel : City Works", also=names) == ["city", "works"]
    assert english_words("Connectez-vous pour continuer votre demande de service.") == []
    assert english_words("L'application d'authentification a un code à 6 chiffres.") == []
    assert english_words("130 Queen Street West", allowed=["Queen Street West"]) == []
    assert english_words("Écrivez à marie@example.org ou allez sur /account/sign-in") == []
    assert english_words("Clé : IXIS I2EB 4KV3 R4ZL DU3Z") == []  # a code, whatever it spells
    assert english_words("Répondez OUI ou NON, IS") == ["is"]
    page = (
        "<html><head><title>Accueil</title><script>var the = 'and';</script><style>.and{}</style></head><body>"
        "<h1>Bonjour</h1><img alt='Map of reports'><input type='submit' value='Search'>"
        "<input placeholder='Your email'><p>Votre <b>demande</b></p><button lang='en'>English</button></body></html>"
    )
    chunks = visible_text(page)
    assert "Votre demande" in chunks
    assert english_in(chunks) == [
        "'Map of reports' (of, reports)",
        "'Search' (search)",
        "'Your email' (your, email)",
    ]


# --- the portal's pages ---------------------------------------------------------------------------------------------


async def _walk(
    client: httpx.AsyncClient, world: World, pages: list[PortalPage], language: str
) -> tuple[list[str], dict[str, list[str]]]:
    """Visit every page in `language`: the pages that did not answer as expected, and the English on each."""
    findings: dict[str, list[str]] = {}
    unexpected: list[str] = []
    for page in pages:
        client.cookies.clear()
        client.cookies.set(LANGUAGE_COOKIE, language)
        if (token := page.session(world)) is not None:
            client.cookies.set(CITIZEN_COOKIE, token)
        for name, value in page.cookies:
            client.cookies.set(name, value)
        response = await client.get(page.url.replace("lang=fr", f"lang={language}"), headers=BROWSER)
        if response.status_code != page.status or f'<html lang="{language}"' not in response.text:
            unexpected.append(f"{page.url} ({page.who}): {response.status_code}")
            continue
        found = english_in(visible_text(response.text), world.allowed, world.catalogue_english)
        if found:
            findings[f"{page.url} ({page.who})"] = found
    return unexpected, findings


async def test_every_portal_page_speaks_french(app: FastAPI, client: httpx.AsyncClient, runtime: Runtime) -> None:
    world = await build_world(runtime, client)
    pages = portal_pages(world)
    assert len(pages) > 60
    assert world.neighbour_cases, "the demo's French-speaking neighbour has no case to read"
    assert world.neighbour_conversations
    assert not uncovered_routes(app, pages), "a portal page nobody checks in French: visit it or say why not"
    unexpected, findings = await _walk(client, world, pages, "fr")
    assert not unexpected, f"pages that did not answer as expected, in French: {unexpected}"
    assert not findings, _report(findings)
    findings, unexpected = {}, []
    for form in portal_forms(world):
        client.cookies.clear()
        client.cookies.set(LANGUAGE_COOKIE, "fr")
        if form.signed_in:
            client.cookies.set(CITIZEN_COOKIE, form.token or world.resident.token)
        for name, value in form.cookies:
            client.cookies.set(name, value)
        answer = await client.post(form.url, data=form.data, headers=BROWSER | ORIGIN)
        if answer.status_code != form.status or '<html lang="fr"' not in answer.text:
            unexpected.append(f"POST {form.url} {form.data}: {answer.status_code}")
            continue
        found = english_in(visible_text(answer.text), world.allowed, world.catalogue_english)
        if found:
            findings[f"POST {form.url} {form.data}"] = found
    assert not unexpected, f"forms that did not answer as expected, in French: {unexpected}"
    assert not findings, _report(findings)
    # The same walk in English finds English on every page: the check reads each page's words.
    unexpected, findings = await _walk(client, world, pages, "en")
    assert not unexpected
    assert len(findings) == len({(page.url, page.who) for page in pages})


async def test_error_pages_and_refusals_speak_french(client: httpx.AsyncClient) -> None:
    findings: dict[str, list[str]] = {}
    with i18n.speaking("fr"):
        for status in (400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 502, 503):
            found = english_in(error_pages._words(status))
            if found:
                findings[f"error page {status}"] = found
    client.cookies.set(LANGUAGE_COOKIE, "fr")
    elsewhere = {"Origin": "https://elsewhere.example", "Accept": "text/html"}
    refused = await client.post("/language", data={"lang": "fr"}, headers=elsewhere)
    assert refused.status_code == 403
    found = english_in(visible_text(refused.text))
    if found:
        findings["a form sent from another site (403)"] = found
    assert not findings, _report(findings)


async def test_the_manifest_speaks_french(client: httpx.AsyncClient) -> None:
    client.cookies.set(LANGUAGE_COOKIE, "fr")
    manifest = (await client.get("/manifest.webmanifest")).json()
    assert manifest["lang"] == "fr"
    assert english_words(manifest["description"]) == []


# --- what the platform sends and says -------------------------------------------------------------------------------


def _templates() -> list[dict[str, str]]:
    found = []
    for path in sorted([*NOTIFICATIONS_DIR.glob("*.toml"), *ESSENTIAL_DIR.glob("*.toml")]):
        for template in tomllib.loads(path.read_text(encoding="utf-8"))["template"]:
            found.append({**template, "file": path.name})
    return found


def _filled(text: str) -> str:
    """A template's text with its placeholders filled as for a French reader."""
    return templates.PLACEHOLDER.sub(lambda match: FRENCH_VALUES[match.group(1)], text)


def _email_as_read(payload: dict[str, object]) -> list[str]:
    """A French email as its reader gets it: both parts of the message, with the footer and the unsubscribe link."""
    sent = {
        **payload,
        "language": "fr",
        "list_unsubscribe": "https://ville.example/unsubscribe/x",
        "unsubscribe_note": UNSUBSCRIBE_NOTE["fr"],
    }
    message = compose(Settings(env="test"), Envelope("email", "marie@example.org", sent, "key"))
    text, html = (part.get_content() for part in message.iter_parts())
    return [str(message["Subject"]), *str(text).splitlines(), *visible_text(str(html))]


def test_every_notification_template_has_french_words_with_no_english() -> None:
    every = _templates()
    assert set(FRENCH_VALUES) >= set().union(*templates.PLACEHOLDERS.values()), "a placeholder with no French value"
    slots = {(t["type"], t["channel"]) for t in every if t["language"] == "en"}
    french = {(t["type"], t["channel"]) for t in every if t["language"] == "fr"}
    assert slots - french == set(), "message types with English words and no French ones"
    findings: dict[str, list[str]] = {}
    for template in (t for t in every if t["language"] == "fr"):
        subject, body = _filled(template.get("subject", "")), _filled(template["body"])
        content = rendering.Content(text=body, subject=subject or None)
        payload = rendering.render(content, template["channel"], language="fr")
        shown = [str(v) for k, v in payload.items() if k in ("subject", "text", "body", "say")]
        if template["channel"] == "email":
            shown += _email_as_read(payload)
        found = english_in(shown)
        if found:
            findings[f"{template['file']}: {template['type']} by {template['channel']}"] = found
    assert not findings, _report(findings)


def test_a_french_email_without_a_subject_or_unsubscribe_words_is_still_french() -> None:
    payload = rendering.render(rendering.Content(text="Bonjour"), "email", language="fr")
    assert payload["subject"] == "Votre message"
    sent = {"text": "Bonjour", "language": "fr", "list_unsubscribe": "https://ville.example/unsubscribe/x"}
    message = compose(Settings(env="test"), Envelope("email", "marie@example.org", sent, "key"))
    text, html = (part.get_content() for part in message.iter_parts())
    read = [str(message["Subject"]), *str(text).splitlines(), *visible_text(str(html))]
    assert english_in(read, ["Townsquare"]) == []


def test_notification_words_around_the_templates_are_french() -> None:
    assert set(STATUS_WORDS["fr"]) >= {"new", "open", "in_progress", "waiting_on_citizen", "resolved", "closed"}
    shown = [GREETING["fr"], UNSUBSCRIBE_NOTE["fr"], *STATUS_WORDS["fr"].values()]
    assert english_in(shown) == []


def test_french_letters_have_french_words_and_dates() -> None:
    assert set(WORDS["fr"]) == set(WORDS["en"])
    mail = [t for t in _templates() if t["channel"] == "mail" and t["language"] == "fr"]
    assert mail
    findings: dict[str, list[str]] = {}
    for template in mail:
        content = LetterContent(
            recipient=("Marie Tremblay", "130, rue Principale", "Ottawa ON  K1A 0B1"),
            subject=_filled(template["subject"]),
            body=_filled(template["body"]),
            language="fr",
            reference="TS-2026-000123",
            code="TS-2026-000123",
            sender=Sender("Travaux publics", ("110, avenue Laurier Ouest", "Ottawa ON  K1P 1J1")),
            day=date(2026, 12, 4),
        )
        found = english_in(" ".join(text_of(render_letter(content))).splitlines(), ["Marie Tremblay"])
        if found:
            findings[f"letter: {template['type']}"] = found
    assert not findings, _report(findings)


def test_the_phone_menu_and_the_assistant_speak_french() -> None:
    findings: dict[str, list[str]] = {}
    for name, english, french in (
        ("voice prompts", voice_prompts.PROMPTS["en"], voice_prompts.PROMPTS["fr"]),
        ("booking on the phone", voice_booking.WORDS["en"], voice_booking.WORDS["fr"]),
        ("assistant (text)", phrases.TEXT["en"], phrases.TEXT["fr"]),
        ("assistant (speech)", phrases.SPOKEN["en"], phrases.SPOKEN["fr"]),
        ("assistant (statuses)", phrases.STATUS_WORDS["en"], phrases.STATUS_WORDS["fr"]),
    ):
        assert set(french) == set(english), f"{name}: phrases with no French"
        # The menu offers English in English ("For English, press 9"), as the English menu offers French in French.
        said = {key: text for key, text in french.items() if not (name == "voice prompts" and key == "switch")}
        found = english_in(said.values())
        if found:
            findings[name] = found
    keywords = {keyword for keyword, _language in sms_keywords.ANSWERS}
    assert {keyword for keyword, language in sms_keywords.ANSWERS if language == "fr"} == keywords
    texted = [text for (_keyword, language), text in sms_keywords.ANSWERS.items() if language == "fr"]
    found = english_in(texted, ["ARRET", "DEBUT"])
    if found:
        findings["answers to STOP, START and HELP by text"] = found
    month = voice_prompts.spoken_date("fr", datetime(2026, 3, 3, tzinfo=UTC))
    others = [*phrases.QUICK_REPLIES["fr"], month, phrases.language_name("fr", "en")]
    others.append(knowledge_rendering.READ_MORE["fr"])
    found = english_in(others)
    if found:
        findings["assistant (replies, dates)"] = found
    assert not findings, _report(findings)


WIDGET = STATIC_DIR / "chat" / "widget.js"


def _widget_words() -> tuple[set[str], dict[str, str]]:
    """The widget's English words (every `T("...")`) and its French table."""
    source = WIDGET.read_text(encoding="utf-8")
    said = set(re.findall(r'\bT\("((?:[^"\\]|\\.)*)"', source))
    table = re.search(r"var FR = (\{.*?\n  \});", source, re.DOTALL)
    assert table is not None
    french = dict(re.findall(r'^\s*"((?:[^"\\]|\\.)*)": "((?:[^"\\]|\\.)*)",?$', table.group(1), re.MULTILINE))
    return said, french


def test_the_chat_widget_has_french_for_every_word_it_shows() -> None:
    said, french = _widget_words()
    assert len(said) > 20
    assert said - set(french) == set(), "widget words with no French"
    found = english_in(list(french.values()), ["Assistant", "Agent", "Messages"])
    assert not found, _report({"chat widget": found})


# Errors only a client other than the widget can cause (the widget always sends well-formed frames, once).
PROTOCOL_ERRORS = {
    "bad_frame",
    "bad_json",
    "unknown_type",
    "hello_first",
    "already_hello",
    "bad_token",
    "bad_client_id",
}


def test_the_chat_widget_words_every_error_a_resident_can_meet() -> None:
    server = (Path(chat_channel.__file__)).read_text(encoding="utf-8")
    codes = set(re.findall(r'FrameError\("([a-z_]+)"', server))
    codes |= {
        f"code_{outcome.value}" for outcome in verification.Outcome if outcome is not verification.Outcome.verified
    }
    assert "rate_limited" in codes
    worded = re.search(r"var ERROR_WORDS = \{(.*?)\};", WIDGET.read_text(encoding="utf-8"), re.DOTALL)
    assert worded is not None
    keys = set(re.findall(r"^\s*([a-z_]+): T\(", worded.group(1), re.MULTILINE))
    assert codes - PROTOCOL_ERRORS - keys == set(), "chat errors a French reader would read in English"


async def test_a_french_caller_hears_the_service_named_in_french(session: AsyncSession) -> None:
    works = await create_agency(session)
    await create_service(session, agency=works, translations={"fr": {"name": "Signaler un nid-de-poule"}})
    citizen = await create_citizen(session, phone="+16135550142", phone_verified=True)
    citizen.language = "fr"
    service = await agencies.get_service(session, code="POTHOLE")
    case = await cases.open_case(
        session, prefix="TS", agency_id=works.id, title=service.name, channel="voice", service_id=service.id,
        citizen_id=citizen.id,
    )  # fmt: skip
    phone = await citizens.contact_for(session, citizen_id=citizen.id, kind=IdentityKind.phone)
    [offer] = await calls.offers_for(session, citizen=citizen, identity=phone)
    report = await calls.case_status(session, reference=case.reference, citizen_id=citizen.id, language="fr")
    assert report is not None
    said = voice_prompts.say("fr", "status_own", label=report.label, reference=case.reference, status="x", date="y")
    assert (offer.label, report.label) == ("Signaler un nid-de-poule", "Signaler un nid-de-poule")
    assert english_in([said], also=words_only_in_english([service.name], [offer.label])) == []


def test_the_demo_catalogue_names_and_asks_everything_in_french() -> None:
    """Agencies, services, their questions and choices, and the canned replies staff send, each with French words
    (the catalogue's own wording reaches residents on every channel)."""
    findings: dict[str, list[str]] = {}
    missing: list[str] = []
    checked = 0
    for path in sorted(CATALOGUE_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        records: list[tuple[str, dict[str, Any], tuple[str, ...]]] = []
        records.append(("agency", data["agency"], ("name", "description")))
        for service in data.get("services", []):
            records.append((f"service {service['code']}", service, ("name", "description", "group", "notice")))
            for attribute in service.get("attributes", []):
                records.append((f"{service['code']}.{attribute['code']}", attribute, ("description",)))
                french_values = attribute.get("translations", {}).get("fr", {}).get("values", {})
                missing += [
                    f"{path.name}: {service['code']}.{attribute['code']} choice {value['key']}"
                    for value in attribute.get("values", [])
                    if value["key"] not in french_values
                ]
        for what, record, fields in records:
            french = record.get("translations", {}).get("fr", {})
            checked += len(french)
            for name in fields:
                if record.get(name) and not french.get(name):
                    missing.append(f"{path.name}: {what} {name}")
                elif french.get(name):
                    found = english_in([french[name]])
                    if found:
                        findings[f"{path.name}: {what} {name}"] = found
        canned = data.get("canned_responses", [])
        slugs = {reply["slug"] for reply in canned}
        missing += [
            f"{path.name}: canned reply {s}"
            for s in slugs
            if not any(r["slug"] == s and r["language"] == "fr" for r in canned)
        ]
        for reply in (r for r in canned if r["language"] == "fr"):
            found = english_in([reply["title"], reply["body"]])
            if found:
                findings[f"{path.name}: canned reply {reply['slug']}"] = found
    assert checked > 50  # the catalogue was read
    assert not missing, f"no French for: {missing}"
    assert not findings, _report(findings)


def test_every_help_page_of_the_demo_has_a_french_version() -> None:
    languages: dict[str, set[str]] = {}
    for path in KNOWLEDGE_DIR.rglob("*.md"):
        front = tomllib.loads(path.read_text(encoding="utf-8").split("+++")[1])
        languages.setdefault(str(front["group"]), set()).add(str(front["language"]))
    assert len(languages) > 20
    assert [group for group, found in languages.items() if "fr" not in found] == []
