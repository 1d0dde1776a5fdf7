"""The desk's words and times: every code a record carries is shown as words, in English and French, and every
time in one format in the city's zone.

The detector walks every desk page of a demo-like world, as an agent, a supervisor and an administrator, and
fails when a page's visible text shows an internal code as a label: an enum value (`in_progress`), a channel's
code in capitals (`VOICE`), a hash or a record's id, a phone menu's internal key (`0:agent`), a time in the
database's format, or a wait in hours and minutes ("648 h 17 min"). Only what a reader gets counts: the text and
the attributes read out (alt, title, aria-label, placeholder); addresses, ids and classes in attributes do not, nor
does what is marked as code (`<code>`, `<kbd>`, `lang="zxx"`) or typed in a text box.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import httpx
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi import FastAPI

from tests.support.desk_world import PASSWORD, build_desk_world, desk_get_routes, desk_pages, sign_in
from townsquare.app import Runtime
from townsquare.cases.models import CaseStatus
from townsquare.citizens.models import Identity, IdentityKind
from townsquare.web import i18n, times
from townsquare.web.desk import labels, words
from townsquare.web.i18n import LANGUAGE_COOKIE

CODES: dict[str, re.Pattern[str]] = {
    "an enum value": re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"),
    "a channel's code": re.compile(r"\b(?:VOICE|EMAIL|CHAT|WEB|MOBILE|SOCIAL|COUNTER|MAIL|PUSH)\b"),
    "a hash": re.compile(r"\b[0-9a-f]{24,}\b"),
    "a record's id": re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),
    # a step's key ("0:agent", "queue:1:callback"), or a bare step ("main", "invalid", "assistant") of a path
    "a phone menu key": re.compile(
        r"\b(?:queue:)?\d:[a-z][a-z-]*\b|(?:^|[:\u203a])\s*(?:main|invalid|assistant)\s*\u203a"
    ),
    "a time in the database's format": re.compile(r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}\b"),
    "a wait in hours and minutes": re.compile(r"\b\d+ h\b|\b\d+ min\b"),
}
SKIPPED = {"script", "style", "template", "textarea", "code", "kbd"}  # not read, or read as code
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
TRANSLATED_TEMPLATES = (
    "_inbox",
    "_case_actions",
    "case_cancel",
    "work",
    "index",
    "analytics_settings",
    *(f"_workspace_{part}" for part in ("contacts", "conversation", "context", "citizen", "selected", "thread")),
    "_workspace_shortcuts",
    "_citizen360",
    "_citizen360_live",
    "citizen",
    "_timeline",
    "record_edit",
    "_record_forms",
    "_record_history",
    "_record_links",
    "outbound",
    "_open_drafts",
    "open_draft",
    "queue",
    "queue_item",
    "_queue_facts",
    "_board",
    "wallboard",
    "agents",
    "agent_edit",
    "staff",
    "integrators",
    "integrators_revoke",
    "webhooks",
    "notification_templates",
    "notification_template",
    "letters",
    "letters_batch",
    "_letters",
    "knowledge_list",
    "knowledge_article",
    "knowledge_form",
    "knowledge_preview",
    "case",
    "sign_in",
    "_notice",
    "linked_records",
    "_merges",
    "_match_evidence",
    "_admin_fields",
    *(f"admin_{name}" for name in ("queues", "queue", "sla", "sla_target", "hours", "calendar", "teams", "team")),
    *(f"admin_{name}" for name in ("wrap_up_codes", "wrap_up_code", "skills", "skill")),
    "audit_log",
    *("counter", "counter_offices", "_counter_line", "_counter_waits", "greeter"),
    *("admin/office", "admin/offices", "admin/office_poster"),
    "appointments",
    "appointment",
    "appointment_new",
    "_appointments",
)
# Templates in TRANSLATED_TEMPLATES that still hold English outside `_()`, until they are worded through.
LITERAL_LEFT = ("_inbox", "work", "index")
# Python modules of the web layer whose every `_()` needs French: the words, and the pages' routes.
TRANSLATED_MODULES = (
    "desk/words.py",
    "desk/workspace.py",
    "desk/record_edit.py",
    "desk/outbound.py",
    "desk/open_drafts.py",
    "desk/queue_admin.py",
    "desk/labels.py",
    "desk/agents.py",
    "desk/staff.py",
    "desk/integrators.py",
    "desk/letters.py",
    "desk/knowledge.py",
    "desk/notification_templates.py",
    "desk/admin_forms.py",
    "desk/admin_form_builder.py",
    "desk/admin_sla.py",
    "desk/admin_hours.py",
    "desk/audit_words.py",
    "desk/counter.py",
    "desk/greeter.py",
    "desk/admin_offices.py",
    "desk/appointments.py",
    "appointment_words.py",
    "routes.py",
)
# Domain modules whose refusals desk pages show through the `said` filter: each constant message needs French.
SAID_BY_THE_DOMAIN = (
    "casework/agents.py",
    "casework/integrators.py",
    "casework/knowledge_editor.py",
    "casework/notification_templates.py",
    "knowledge/workflow.py",
    "notify/letters/returns.py",
    "notify/templates.py",
    *(f"routing/admin_{name}.py" for name in ("common", "queues", "sla", "hours", "teams", "skills")),
    "staff/audit_reads.py",
    *("casework/admin_offices.py", "casework/admin_office_parts.py", "casework/counter_actions.py"),
    *("counters/calling.py", "counters/staffing.py", "counters/tickets.py", "engagement/counter.py"),
)
REFUSALS = {"invalid": (1,), "forbidden": (1,), "conflict": (1,), "FieldError": (2,), "add": (2,)}  # add: Refusals.add
# GET routes of the desk that are not pages to read, and why.
NOT_PAGES = {
    "/desk/analytics/{figure}.csv": "a CSV file",
    "/desk/satisfaction/results.csv": "a CSV file",
    "/desk/satisfaction/comments.csv": "a CSV file",
    "/desk/letters/pdf": "a letter's PDF",
    "/desk/letters/batch.zip": "a print batch's ZIP",
    "/desk/letters/batch": "a print batch: the demo city has printed none yet (its letters are on /desk/letters)",
    "/desk/calls/{item_id}/state": "the call panel's state as JSON, for its script (the panel is on the work page)",
    "/desk/files/{attachment_id}": "a file a contact brought (a call's recording), as a download",
    "/desk/admin/catalogue/export.zip": "the catalogue's files as a ZIP download",
    "/desk/sign-in/code": "half-way through a sign-in only (tests/web/test_desk_sign_in_steps.py reads it)",
    "/desk/sign-in/mfa": "half-way through an administrator's sign-in only (test_desk_sign_in_steps.py reads it)",
    "/desk/sign-in/reset/{token}": "an emailed reset link's page (tests/web/test_desk_sign_in_steps.py reads it)",
    "/desk/sso/sign-in": "a redirect to the organisation's identity provider",
    "/desk/sso/callback": "the identity provider's answer (tests/web/test_desk_sso.py reads it)",
    "/desk/admin/agencies/{slug}/logo": "an agency's logo, a picture (the demo city's agencies have none)",
}


class _Reader(HTMLParser):
    """The chunks of text a reader gets: text outside code, and the attributes that are read out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[bool] = []  # for each open element: is it skipped (itself or an ancestor)?
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        skipped = bool(self.open and self.open[-1]) or tag in SKIPPED or found.get("lang") == "zxx"
        if not skipped:
            self.chunks += [v for k, v in attrs if k in READ_ATTRIBUTES and v]
        if tag not in VOID:
            self.open.append(skipped)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if data.strip() and not (self.open and self.open[-1]):
            self.chunks.append(" ".join(data.split()))


def codes_in(html: str) -> list[str]:
    """Each internal code the page shows as a label: what kind, and the text it is in."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return [
        f"{kind}: {pattern.search(chunk).group(0)!r} in {chunk[:160]!r}"  # type: ignore[union-attr]
        for chunk in reader.chunks
        for kind, pattern in CODES.items()
        if pattern.search(chunk)
    ]


def test_the_detector_finds_each_kind_of_code_in_the_text_and_none_in_addresses_or_attributes() -> None:
    old_desk = (
        f"<h1>Call on VOICE</h1><p>Status: in_progress</p><td>{'5f0c6a1e2b3d' * 5}abcd</td>"
        f"<li>Phone menu path: {f' {words.STEP} '.join(['main', 'invalid', 'assistant', '0:agent'])}</li>"
        "<li>Waiting 648 h 17 min</li>"
        "<td>2026-12-03 09:05</td><p>Citizen 0b8f4a52-3c1e-4f7a-9d2b-6e5a4c3b2a19</p>"
    )
    assert sorted({found.split(":")[0] for found in codes_in(old_desk)}) == sorted(CODES)
    new_desk = (
        '<a href="/desk/work/0b8f4a52-3c1e-4f7a-9d2b-6e5a4c3b2a19" class="status-in_progress" '
        'data-status="in_progress">In progress</a><input name="channel" value="VOICE">'
        '<span lang="zxx">CIV_0001</span><code>((case_reference))</code><textarea>{due_date}</textarea>'
        "<script>var a_b = 1;</script><p>Waiting 27 days</p><br><p>Main menu</p>"
    )
    assert codes_in(new_desk) == []


async def test_no_desk_page_shows_an_internal_code_as_a_label(
    client: httpx.AsyncClient, runtime: Runtime, app: FastAPI
) -> None:
    world = await build_desk_world(runtime)
    pages = desk_pages(world)
    paths = [page.path.partition("?")[0] for page in pages]
    walked = {route.path for route in desk_get_routes(app) for path in paths if route.path_regex.match(path)}
    assert {r.path for r in desk_get_routes(app)} - walked - NOT_PAGES.keys() == set(), "a desk page nobody reads"
    found: list[str] = []
    unread: list[str] = []
    for language in ("en", "fr"):
        client.cookies.clear()
        signed_in = ""
        for page in pages:
            if page.who != signed_in:
                client.cookies.clear()
                if page.who:
                    await sign_in(client, page.who)
                signed_in = page.who
            client.cookies.set(LANGUAGE_COOKIE, language)
            response = await client.get(page.path)
            reader = f"{page.path} ({page.who or 'signed out'}, {language})"
            if response.status_code != 200:
                unread.append(f"{reader}: {response.status_code}")
            found += [f"{reader}: {code}" for code in codes_in(response.text)]
    assert unread == [], "\n".join(unread)
    assert found == [], "\n".join(dict.fromkeys(found))


async def test_the_old_desks_codes_are_now_words(client: httpx.AsyncClient, runtime: Runtime) -> None:
    world = await build_desk_world(runtime)
    signed = await client.post("/desk/sign-in", data={"email": "works.agent@city.example", "password": PASSWORD})
    assert signed.status_code == 303
    inbox = (await client.get("/desk")).text
    assert "Call from Maria Lopez" in inbox
    assert "started 27 days ago" in inbox
    offered = (await client.get(f"/desk/work/{world.offered}")).text
    heard = ["Main menu", "An answer the menu could not use", "Talked to the assistant", "0: speak to a person"]
    assert "Phone menu path: " + f" {words.STEP} ".join(heard) in offered
    assert "Identified by: Phone, verified by a code sent by text message" in offered
    device = (await client.get(f"/desk/citizens/{world.device_id}")).text
    assert "Chat on this device since " in device
    waiting = f"/desk/cases/{world.cases[CaseStatus.waiting_on_citizen]}"
    assert "Waiting on the resident" in (await client.get(waiting)).text
    client.cookies.set(LANGUAGE_COOKIE, "fr")
    assert "commencé il y a 27 jours" in (await client.get("/desk")).text
    assert "En attente du résident" in (await client.get(waiting)).text


def test_waits_are_written_in_words_by_their_two_largest_units() -> None:
    assert times.duration(45) == "45 seconds"
    assert times.duration(12 * 60 + 5) == "12 minutes 5 seconds"
    assert times.duration(60) == "1 minute"
    assert times.duration(3 * 86400 + 4 * 3600 + 59) == "3 days 4 hours"
    assert times.duration(648 * 3600 + 17 * 60) == "27 days"
    assert times.duration(2 * 3600 + 5 * 60) == "2 hours 5 minutes"
    assert times.duration(0) == "0 seconds"
    assert times.duration(None) == "—"
    with i18n.speaking("fr"):
        assert times.duration(3 * 86400 + 4 * 3600) == "3 jours 4 heures"
        assert times.duration(86400 + 60) == "1 jour"


def test_every_time_is_written_one_way_in_the_citys_zone() -> None:
    at = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
    with times.zoned("America/Toronto"):
        assert times.when(at) == "Dec 3, 2026, 9:05\u202fAM"
        with i18n.speaking("fr"):
            assert times.when(at) == "3 déc. 2026, 09:05"
        assert times.when(None) == ""
    with times.zoned("Europe/Paris"):
        assert "15:05" in times.when(at) or "3:05" in times.when(at)
    with times.zoned("America/Toronto"):  # the words are kept per time, language and zone, never across them
        assert times.when(at) == "Dec 3, 2026, 9:05\u202fAM"
        assert times.when(at.replace(tzinfo=None)) == "Dec 3, 2026, 9:05\u202fAM"  # the database's UTC without a zone
    with times.zoned("Not/AZone"):
        assert times.zone() == times.DEFAULT_ZONE


def test_codes_have_words_in_both_languages() -> None:
    heard = ["Main menu", "9: French", "1 while waiting: a call-back instead, keeping their place", "Pressed 7"]
    assert words.menu_path(["main", "9:fr", "queue:1:callback", "7:something"]) == f" {words.STEP} ".join(heard)
    assert words.case_status("in_progress") == "In progress"
    assert words.case_status("something_new") == "Something new"
    assert words.channel_words("voice") == "Phone"
    assert words.channel_label("voice") == "Call"
    assert words.contact_label("message", "sms") == "Text message"
    assert words.contact_label("voicemail", "voice") == "Voicemail"
    with i18n.speaking("fr"):
        assert words.case_status("waiting_on_citizen") == "En attente du résident"
        assert words.presence("wrap_up") == "Finalisation"
        assert words.menu_path(["main", "0:agent"]) == f"Menu principal {words.STEP} 0 : parler à une personne"
        assert words.work_state("queued") == "En file d'attente"
        assert words.offer_outcome("timed_out") == "Sans réponse à temps"


def test_an_identity_is_described_never_shown_as_its_stored_value() -> None:
    device = Identity(kind=IdentityKind.device, namespace="chat", value="ab" * 32)
    device.created_at = datetime(2026, 12, 3, 15, tzinfo=UTC)
    phone = Identity(kind=IdentityKind.phone, namespace="", value="+16135550142")
    with times.zoned("America/Toronto"):
        assert words.identity_words(device) == "Chat on this device since Dec 3"
        assert words.identity_words(phone) == "Phone +1 613-555-0142"
        with i18n.speaking("fr"):
            assert words.identity_words(device) == "Clavardage sur cet appareil depuis le 3 déc."


def _french() -> dict[object, object]:
    french: dict[object, object] = {}
    for po_file in sorted((Path(i18n.__file__).parent / "locale" / "fr").glob("*.po")):
        with po_file.open("rb") as handle:
            french |= {m.id if isinstance(m.id, str) else tuple(m.id): m.string for m in read_po(handle) if m.id}
    return french


def test_every_word_of_the_desk_has_french() -> None:
    """Each message the words, the times, the pages' routes and their templates mark for translation is in a
    French catalogue (any of them: a word the portal already translates is reused, never defined twice)."""
    web = Path(i18n.__file__).parent
    methods = [
        *((name, "python") for name in TRANSLATED_MODULES),
        ("times.py", "python"),
        *((f"templates/desk/{name}.html", "jinja2.ext:babel_extract") for name in TRANSLATED_TEMPLATES),
        ("templates/base.html", "jinja2.ext:babel_extract"),
    ]
    options = {"**.html": {"extensions": "jinja2.ext.i18n"}}
    found = {m for _f, _l, m, _c, _x in extract_from_dir(web, methods, options) if m}
    assert len(found) > 400
    french = _french()
    assert sorted(str(m) for m in found if not french.get(m)) == []


def test_what_the_domain_says_on_a_desk_page_has_french() -> None:
    """A refusal or a reason the domain words in English (and a page shows through `said`) has French; a message
    built with values (an f-string) is not extracted and stays English."""
    root = Path(i18n.__file__).parents[1]
    methods = [(name, "python") for name in SAID_BY_THE_DOMAIN]
    found = {m for _f, _l, m, _c, _x in extract_from_dir(root, methods, keywords=REFUSALS) if m}
    assert len(found) > 30
    french = _french()
    assert sorted(str(m) for m in found if not french.get(m)) == []
    with i18n.speaking("fr"):
        assert labels.said("Choose what the key opens.") == "Choisissez ce à quoi la clé donne accès."
        assert labels.said("Something no catalogue has.") == "Something no catalogue has."
        assert labels.said("") == ""


class _Literal(_Reader):
    """The English a template writes outside `_()`: its text and read-out attributes once every `{{ }}`, `{% %}`
    and `{# #}` is taken out (addresses, code, and the product's own name excepted)."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().handle_starttag(
            tag, [(k, v) for k, v in attrs if k != "data-label"] + [("title", v) for k, v in attrs if k == "data-label"]
        )


JINJA = re.compile(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
# The product's name, protocols, addresses, a case reference, and attributes a macro writes into a tag it opens.
NOT_WORDS = re.compile(r'Townsquare|\bAPI\b|\bHTTP\b|/help/|\b[A-Z]{2,}-\d{4}-\d+\b|[a-z][a-z-]*="[^"]*"')


def literal_english(template: str) -> list[str]:
    """The chunks of a template's own text (not its `_()`) that hold a word."""
    reader = _Literal()
    reader.feed(JINJA.sub(lambda found: "0" if found.group(0).startswith("{{") else "", template))
    reader.close()
    return [chunk for chunk in reader.chunks if re.search(r"[A-Za-z]{2,}", NOT_WORDS.sub("", chunk))]


def test_a_translated_template_writes_no_english_of_its_own() -> None:
    """What a translated template shows is all in `_()`: no label, heading, caption or read-out attribute (a
    `data-label` a narrow table shows beside each value too) is written in English outside it."""
    assert literal_english('<h1>{{ _("Agents") }}</h1><td data-label="Waiting">{{ n }}</td><p>Nothing yet.</p>') == [
        "Waiting",
        "Nothing yet.",
    ]
    assert literal_english('<a class="brand" href="/">Townsquare</a><code>manifest.csv</code> /help/ · —') == []
    desk = Path(i18n.__file__).parent / "templates"
    found = {
        name: literal_english((desk / "desk" / f"{name}.html").read_text())
        for name in TRANSLATED_TEMPLATES
        if name not in LITERAL_LEFT
    } | {"base": literal_english((desk / "base.html").read_text())}
    assert {name: chunks for name, chunks in found.items() if chunks} == {}


def test_a_social_account_is_named_by_its_network_as_the_network_writes_itself() -> None:
    account = Identity(kind=IdentityKind.social, namespace="whatsapp", value="16505551234")
    assert words.identity_words(account) == "16505551234 on WhatsApp"
    other = Identity(kind=IdentityKind.social, namespace="", value="maria")
    assert words.identity_words(other) == "maria on social media"
