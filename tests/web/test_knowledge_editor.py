"""The staff knowledge editor at /desk/knowledge over HTTP: drafting, review and publication with four eyes, refused
input, every channel's preview, language variants, the list and its filters, and the pages in Chromium with axe."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
from playwright.async_api import Browser
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, count, create_agency, create_service, create_staff
from tests.support.browser import axe_violations, share_cookies
from tests.support.servers import LiveApp
from tests.support.staff import sign_in_staff
from townsquare.agencies.models import Agency
from townsquare.clock import utcnow
from townsquare.knowledge import service as knowledge
from townsquare.knowledge.models import Article, ArticleVersion, VersionStatus
from townsquare.staff.models import AuditEntry, StaffAccount, StaffRole
from townsquare.web import times


def _form(**overrides: Any) -> dict[str, Any]:
    """A complete new-article form, as a browser sends it."""
    form: dict[str, Any] = {
        "language": "en",
        "slug": "garbage-day",
        "title": "When is my garbage collected?",
        "summary": "Collection is weekly, on your street's day.",
        "body": "## Your day\n\nLook up your street.\n\n- Put the bin out by 7 am\n- Bring it in by 8 pm",
        "short_answer": "Garbage is collected weekly on your street's day. Put the bin out by 7 am.",
        "voice_script": "Garbage is collected once a week. Put your bin out by seven in the morning.",
        "keywords": "trash, waste, bin",
        "service_codes": ["MISSEDPICKUP"],
        "effective_from": "",
        "effective_until": "",
        "review_by": "",
        "change_note": "",
    }
    form.update(overrides)
    return form


async def _city(session: AsyncSession) -> dict[str, Any]:
    works = await create_agency(session)
    revenue = await create_agency(session, slug="revenue", name="Revenue")
    await create_service(session, agency=works, code="MISSEDPICKUP", name="Missed garbage pickup")
    await create_service(session, agency=works, code="POTHOLE")
    people = {
        "ana": await create_staff(session, email="ana@city.example", agencies=[works]),
        "sue": await create_staff(session, email="sue@city.example", role=StaffRole.supervisor, agencies=[works]),
        "root": await create_staff(session, email="root@city.example", role=StaffRole.admin),
        "rex": await create_staff(session, email="rex@city.example", agencies=[revenue]),
    }
    await session.commit()
    return {"works": works, "revenue": revenue, **people}


async def _create(client: httpx.AsyncClient, agency: Agency, **overrides: Any) -> uuid.UUID:
    response = await client.post("/desk/knowledge/new", data=_form(agency_id=str(agency.id), **overrides))
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/desk/knowledge/([0-9a-f-]{36})\?notice=created", response.headers["location"])
    assert match
    return uuid.UUID(match.group(1))


async def _versions(session: AsyncSession, article_id: uuid.UUID) -> list[tuple[int, VersionStatus, str | None]]:
    await session.commit()  # end the test's read snapshot: see what the app committed
    stmt = (
        select(ArticleVersion)
        .where(ArticleVersion.article_id == article_id)
        .order_by(ArticleVersion.number)
        .execution_options(populate_existing=True)
    )
    names = dict((await session.execute(select(StaffAccount.id, StaffAccount.email))).all())
    rows = (await session.execute(stmt)).scalars().all()
    return [(v.number, v.status, names[v.author_id].split("@")[0] if v.author_id else None) for v in rows]


async def _articles(session: AsyncSession) -> int:
    await session.commit()
    return await count(session, Article)


async def _live(session: AsyncSession, article_id: uuid.UUID) -> knowledge.LiveArticle | None:
    await session.commit()
    return await knowledge.live(session, article_id=article_id)


async def _audit(session: AsyncSession, prefix: str) -> list[tuple[str, str | None, dict[str, Any]]]:
    await session.commit()
    ordered = (AuditEntry.occurred_at, AuditEntry.id)
    stmt = select(AuditEntry).where(AuditEntry.action.like(f"{prefix}%")).order_by(*ordered)
    rows = (await session.execute(stmt)).scalars().all()
    return [(r.action, r.actor_id, r.detail) for r in rows]


async def test_visitors_sign_in_first_and_other_agencies_articles_are_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    city = await _city(session)
    visitor = await client.get("/desk/knowledge")
    assert (visitor.status_code, visitor.headers["location"]) == (303, "/desk/sign-in?next=/desk/knowledge")

    await sign_in_staff(client, "ana@city.example")
    article_id = await _create(client, city["works"])
    await sign_in_staff(client, "rex@city.example")
    assert "garbage-day" not in (await client.get("/desk/knowledge")).text
    assert (await client.get(f"/desk/knowledge/{article_id}")).status_code == 404
    assert (await client.get(f"/desk/knowledge/{article_id}/edit")).status_code == 404
    assert (await client.post(f"/desk/knowledge/{article_id}/edit", data=_form())).status_code == 404
    refused = await client.post("/desk/knowledge/new", data=_form(agency_id=str(city["works"].id), slug="mine"))
    assert refused.status_code == 422
    assert "Choose one of your agencies." in refused.text
    assert await _articles(session) == 1


async def test_the_workflow_agent_drafts_supervisor_publishes_with_four_eyes_and_withdraws(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    city = await _city(session)
    await sign_in_staff(client, "ana@city.example")
    article_id = await _create(client, city["works"])
    page = (await client.get(f"/desk/knowledge/{article_id}?notice=created")).text
    assert "Draft saved. Submit it for review" in page
    assert "Nothing: no channel gives this article" in page
    assert await _versions(session, article_id) == [(1, VersionStatus.draft, "ana")]

    await _agent_submits_but_may_not_publish_or_withdraw(client, session, article_id)
    await _supervisor_publishes(client, session, article_id)
    await _agent_edits_published_article_with_a_change_note(client, session, article_id)
    await _supervisor_who_touched_the_draft_may_not_publish_it_and_sends_it_back(client, session, article_id)
    await _administrator_publishes_their_own_version(client, session, article_id)
    await _the_history_keeps_every_version(client, article_id)

    await sign_in_staff(client, "sue@city.example")
    withdrawn = await client.post(f"/desk/knowledge/{article_id}/withdraw")
    assert withdrawn.headers["location"] == f"/desk/knowledge/{article_id}?notice=withdrawn"
    assert await _live(session, article_id) is None
    ids: dict[str | None, str] = {str(city[k].id): k for k in ("sue", "root")}
    assert [(action, ids[actor], detail["slug"]) for action, actor, detail in await _audit(session, "knowledge.")] == [
        ("knowledge.publish", "sue", "garbage-day"),
        ("knowledge.send_back", "sue", "garbage-day"),
        ("knowledge.publish", "root", "garbage-day"),
        ("knowledge.withdraw", "sue", "garbage-day"),
    ]


async def _agent_submits_but_may_not_publish_or_withdraw(
    client: httpx.AsyncClient, session: AsyncSession, article_id: uuid.UUID
) -> None:
    submitted = await client.post(f"/desk/knowledge/{article_id}/versions/1/submit")
    assert (submitted.status_code, submitted.headers["location"]) == (
        303,
        f"/desk/knowledge/{article_id}?notice=submitted",
    )
    page = (await client.get(f"/desk/knowledge/{article_id}")).text
    assert "/versions/1/publish" not in page  # no publish button for an agent, and the page says why
    assert "Only a supervisor or an administrator can publish" in page
    refused = await client.post(f"/desk/knowledge/{article_id}/versions/1/publish")
    assert refused.status_code == 403
    assert "Only a supervisor or an administrator can publish" in refused.text
    assert (await client.post(f"/desk/knowledge/{article_id}/withdraw")).status_code == 403
    assert await _versions(session, article_id) == [(1, VersionStatus.review, "ana")]


async def _supervisor_publishes(client: httpx.AsyncClient, session: AsyncSession, article_id: uuid.UUID) -> None:
    await sign_in_staff(client, "sue@city.example")
    page = (await client.get(f"/desk/knowledge/{article_id}")).text
    assert f'action="/desk/knowledge/{article_id}/versions/1/publish"' in page
    published = await client.post(f"/desk/knowledge/{article_id}/versions/1/publish")
    assert (published.status_code, published.headers["location"]) == (
        303,
        f"/desk/knowledge/{article_id}?notice=published",
    )
    live = await _live(session, article_id)
    assert live is not None
    assert live.number == 1
    assert "Version 1, published" in (await client.get(f"/desk/knowledge/{article_id}")).text


async def _agent_edits_published_article_with_a_change_note(
    client: httpx.AsyncClient, session: AsyncSession, article_id: uuid.UUID
) -> None:
    """Editing a published article needs a change note; the edit is a new draft, version 1 stays live."""
    await sign_in_staff(client, "ana@city.example")
    edit = (await client.get(f"/desk/knowledge/{article_id}/edit")).text
    assert "Change note (required)" in edit
    assert 'value="When is my garbage collected?"' in edit
    no_note = await client.post(f"/desk/knowledge/{article_id}/edit", data=_form(title="Garbage and recycling days"))
    assert no_note.status_code == 422
    assert "Say what changed and why" in no_note.text
    assert 'value="Garbage and recycling days"' in no_note.text  # what was typed is kept
    saved = await client.post(
        f"/desk/knowledge/{article_id}/edit",
        data=_form(title="Garbage and recycling days", change_note="Recycling added"),
    )
    assert (saved.status_code, saved.headers["location"]) == (303, f"/desk/knowledge/{article_id}?notice=saved")
    published, draft = VersionStatus.published, VersionStatus.draft
    assert await _versions(session, article_id) == [(1, published, "ana"), (2, draft, "ana")]


async def _supervisor_who_touched_the_draft_may_not_publish_it_and_sends_it_back(
    client: httpx.AsyncClient, session: AsyncSession, article_id: uuid.UUID
) -> None:
    """The supervisor touches the draft, so it is now hers: she may not publish it herself. Sending back needs a
    note, then returns the version to draft."""
    await sign_in_staff(client, "sue@city.example")
    await client.post(
        f"/desk/knowledge/{article_id}/edit",
        data=_form(title="Garbage and recycling days", change_note="Recycling added; wording"),
    )
    await client.post(f"/desk/knowledge/{article_id}/versions/2/submit")
    page = (await client.get(f"/desk/knowledge/{article_id}")).text
    assert "/versions/2/publish" not in page
    assert "You wrote this version, so another supervisor must publish it (four eyes)." in page
    own = await client.post(f"/desk/knowledge/{article_id}/versions/2/publish")
    assert own.status_code == 403
    assert "you wrote it" in own.text

    no_reason = await client.post(f"/desk/knowledge/{article_id}/versions/2/send-back", data={"note": " "})
    assert no_reason.status_code == 422
    assert "Say what the author should change" in no_reason.text
    back = await client.post(f"/desk/knowledge/{article_id}/versions/2/send-back", data={"note": "Add the date"})
    assert back.headers["location"] == f"/desk/knowledge/{article_id}?notice=sent_back"
    published, draft = VersionStatus.published, VersionStatus.draft
    assert await _versions(session, article_id) == [(1, published, "ana"), (2, draft, "sue")]


async def _administrator_publishes_their_own_version(
    client: httpx.AsyncClient, session: AsyncSession, article_id: uuid.UUID
) -> None:
    """An administrator may publish a version they wrote."""
    await sign_in_staff(client, "root@city.example")
    await client.post(
        f"/desk/knowledge/{article_id}/edit",
        data=_form(title="Garbage and recycling days", change_note="Date added"),
    )
    await client.post(f"/desk/knowledge/{article_id}/versions/2/submit")
    assert (await client.post(f"/desk/knowledge/{article_id}/versions/2/publish")).status_code == 303
    live = await _live(session, article_id)
    assert live is not None
    assert (live.number, live.title) == (2, "Garbage and recycling days")


async def _the_history_keeps_every_version(client: httpx.AsyncClient, article_id: uuid.UUID) -> None:
    history = (await client.get(f"/desk/knowledge/{article_id}")).text
    assert "Date added" in history
    assert f'href="/desk/knowledge/{article_id}/versions/1"' in history
    old = await client.get(f"/desk/knowledge/{article_id}/versions/1")
    assert old.status_code == 200
    assert "When is my garbage collected?" in old.text
    assert (await client.get(f"/desk/knowledge/{article_id}/versions/9")).status_code == 404


async def test_refused_input_shows_the_form_again_with_readable_errors_and_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    city = await _city(session)
    await sign_in_staff(client, "ana@city.example")
    agency = str(city["works"].id)
    cases: list[tuple[dict[str, Any], int, str, str]] = [
        ({"title": "  "}, 422, "Enter a title.", "field-title"),
        ({"short_answer": "x" * 321}, 422, "320 characters or fewer", "field-short_answer"),
        ({"slug": "Not A Slug!"}, 422, "lower-case letters, digits or hyphens", "field-slug"),
        ({"review_by": "next week"}, 422, "Review by must be a date", "field-review_by"),
        ({"effective_from": "2026-05-01", "effective_until": "2026-04-01"}, 422, "after the", "field-effective_until"),
        ({"service_codes": ["NOSUCH"]}, 422, "Choose related services from the catalogue.", "field-service_codes"),
        ({"language": "de"}, 422, "language", "field-language"),
        ({"agency_id": "nope"}, 422, "Choose the agency that owns the article.", "field-agency_id"),
    ]
    for change, status, message, anchor in cases:
        response = await client.post("/desk/knowledge/new", data=_form(**{"agency_id": agency, **change}))
        assert response.status_code == status, change
        assert message in response.text, change
        assert 'class="error-summary" role="alert"' in response.text, change
        assert f'href="#{anchor}"' in response.text, change
        assert f'id="{anchor}"' in response.text, change
    kept = await client.post("/desk/knowledge/new", data=_form(agency_id=agency, title="", summary="Typed summary"))
    assert "Typed summary</textarea>" in kept.text
    assert 'aria-invalid="true"' in kept.text
    assert await _articles(session) == 0

    await _create(client, city["works"])
    taken = await client.post("/desk/knowledge/new", data=_form(agency_id=agency))
    assert taken.status_code == 409
    assert "already uses the address" in taken.text
    assert await _articles(session) == 1


async def test_the_preview_shows_every_channel_and_previewing_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    city = await _city(session)
    await sign_in_staff(client, "ana@city.example")
    body = "## Your day\n\nSee [the map](https://example.org/map).\n\n<script>alert(1)</script><p onclick=x()>Hi</p>"
    preview = await client.post(
        "/desk/knowledge/new", data=_form(agency_id=str(city["works"].id), body=body, preview="1")
    )
    assert preview.status_code == 200
    assert "Preview of what you typed (not saved)" in preview.text
    assert await _articles(session) == 0

    article_id = await _create(client, city["works"], body=body)
    html = (await client.get(f"/desk/knowledge/{article_id}")).text
    preview_html = html[html.index('id="preview"') : html.index('id="versions-title"')]
    for heading in ("Web page", "Chat", "SMS", "Voice", "Email"):
        assert f">{heading}</h3>" in preview_html
    assert "<h2>Your day</h2>" in preview_html
    assert 'rel="noopener noreferrer"' in preview_html
    assert "<script>" not in preview_html
    assert "onclick" not in preview_html
    url = "http://testserver/help/garbage-day"
    short = "Garbage is collected weekly on your street&#39;s day. Put the bin out by 7 am."
    assert f'data-channel="chat">{short}\nRead more: {url}</p>' in preview_html
    sms = f"Garbage is collected weekly on your street's day. Put the bin out by 7 am. {url}"
    assert f'data-channel="sms">{short} {url}</p>' in preview_html
    assert f"{len(sms)} characters · 1 segment (GSM-7)" in preview_html
    assert 'data-channel="voice">Garbage is collected once a week.' in preview_html
    assert 'data-channel="email">Collection is weekly, on your street&#39;s day.' in preview_html
    assert f"Read more: {url}</div>" in preview_html


async def test_a_french_version_is_linked_both_ways_and_previews_in_french(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    city = await _city(session)
    await sign_in_staff(client, "ana@city.example")
    english = await _create(client, city["works"])
    page = (await client.get(f"/desk/knowledge/{english}")).text
    assert f'href="/desk/knowledge/new?variant_of={english}">Add French version</a>' in page
    form = (await client.get(f"/desk/knowledge/new?variant_of={english}")).text
    assert "Add the French version" in form
    french_form = _form(
        variant_of=str(english),
        slug="jour-des-ordures",
        title="Quand mes ordures sont-elles ramassées ?",
        short_answer="La collecte est hebdomadaire, le jour de votre rue.",
        language="en",  # ignored: a variant takes the other language and the same agency
        agency_id=str(city["revenue"].id),
    )
    created = await client.post("/desk/knowledge/new", data=french_form)
    assert created.status_code == 303
    french = uuid.UUID(created.headers["location"].split("/")[3].split("?")[0])
    await session.commit()
    rows = {a.id: a for a in (await session.execute(select(Article))).scalars()}
    assert rows[french].language == "fr"
    assert rows[french].agency_id == city["works"].id
    assert rows[french].group_id == rows[english].group_id

    en_page = (await client.get(f"/desk/knowledge/{english}")).text
    assert f'href="/desk/knowledge/{french}" hreflang="fr">French version' in en_page
    fr_page = (await client.get(f"/desk/knowledge/{french}")).text
    assert f'href="/desk/knowledge/{english}" hreflang="en">English version' in fr_page
    assert "En savoir plus" in fr_page
    assert 'lang="fr" class="kb-bubble"' in fr_page
    again = await client.post("/desk/knowledge/new", data={**french_form, "slug": "encore"})
    assert again.status_code == 409
    assert "already has a variant" in again.text


async def test_the_list_shows_live_version_newest_status_overdue_reviews_and_filters(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    city = await _city(session)
    await sign_in_staff(client, "ana@city.example")
    overdue_day = utcnow().date() - timedelta(days=3)
    overdue = overdue_day.isoformat()
    garbage = await _create(client, city["works"], review_by=overdue)
    await _create(client, city["works"], slug="potholes", title="Report a pothole", language="fr")
    await client.post(f"/desk/knowledge/{garbage}/versions/1/submit")
    await sign_in_staff(client, "sue@city.example")
    await client.post(f"/desk/knowledge/{garbage}/versions/1/publish")
    await client.post(f"/desk/knowledge/{garbage}/edit", data=_form(review_by=overdue, change_note="New draft"))

    html = (await client.get("/desk/knowledge")).text
    row = html[html.index(f'data-article="{garbage}"') :]
    row = row[: row.index("</tr>")]
    assert '<td data-col="live">Version 1</td>' in row
    assert 'Draft</span> <span class="muted">(version 2)' in row
    assert f'<strong class="kb-overdue">{times.day(overdue_day)} · overdue</strong>' in row  # the one date format
    assert '<td data-col="agency">City Works</td>' in row

    def titles(page: str) -> list[str]:
        return re.findall(r'<th scope="row"><a href="/desk/knowledge/[^"]+">([^<]+)</a>', page)

    assert titles(html) == ["Report a pothole", "When is my garbage collected?"]
    assert titles((await client.get("/desk/knowledge?status=draft&language=en")).text) == [
        "When is my garbage collected?"
    ]
    assert titles((await client.get("/desk/knowledge?language=fr")).text) == ["Report a pothole"]
    assert titles((await client.get("/desk/knowledge?q=POTHOLE")).text) == ["Report a pothole"]
    assert titles((await client.get(f"/desk/knowledge?agency={city['revenue'].id}")).text) == []
    assert titles((await client.get(f"/desk/knowledge?agency={city['works'].id}&status=review")).text) == []


async def test_the_editor_in_chromium_keyboard_first_with_a_live_count_and_no_axe_violations(
    browser: Browser, live_app: LiveApp
) -> None:
    async def seed() -> None:
        async with live_app.runtime.db.session() as s:
            works = await create_agency(s)
            await create_service(s, agency=works, code="MISSEDPICKUP", name="Missed garbage pickup")
            await create_staff(s, email="ana@city.example", agencies=[works])
            await s.commit()

    await live_app.call(seed)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{live_app.url}/desk/sign-in")
    await page.fill("#email", "ana@city.example")
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk")
    await page.click("text=Knowledge articles")
    await page.wait_for_url(f"{live_app.url}/desk/knowledge")
    assert await axe_violations(page) == []

    await page.goto(f"{live_app.url}/desk/knowledge/new")
    assert await axe_violations(page) == []
    await page.focus("#slug")
    await page.keyboard.type("garbage-day")
    await page.focus("#title")
    await page.keyboard.type("When is my garbage collected?")
    await page.focus("#short_answer")
    await page.keyboard.type("Weekly, on your street's day.")
    await page.wait_for_function(
        "document.getElementById('short_answer-count').textContent.includes('29 of 320 characters')"
    )
    assert "1 segment (GSM-7)" in await page.inner_text("#short_answer-count")
    await page.click("text=Save draft")
    await page.wait_for_url(re.compile(r".*/desk/knowledge/[0-9a-f-]+\?notice=created"))
    assert await axe_violations(page) == []

    await page.click("text=Edit the draft")
    await page.fill("#short_answer", "x" * 330)
    await page.wait_for_function("document.getElementById('short_answer-count').textContent.includes('10 too many')")
    await page.click("text=Save draft")
    assert "320 characters or fewer" in await page.inner_text(".error-summary")
    assert await axe_violations(page) == []

    phone = await browser.new_page(viewport={"width": 320, "height": 640})
    await share_cookies(page.context, phone.context)
    await phone.goto(page.url.split("?")[0].removesuffix("/edit"))
    assert await axe_violations(phone) == []
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 320  # no sideways scrolling
