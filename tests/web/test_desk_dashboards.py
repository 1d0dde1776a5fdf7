"""The dashboards page and its CSV files give exactly the figures of a known history (see
tests/analytics/test_journeys.py), narrowed to the viewer's agencies; agents are refused."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.analytics.test_journeys import T0, seed
from tests.factories import create_staff
from tests.support.staff import sign_in_staff
from townsquare.agencies.models import Agency
from townsquare.analytics.surveys.models import Survey
from townsquare.analytics.worker import AnalyticsWorker
from townsquare.app import Runtime
from townsquare.staff.models import AuditEntry, StaffRole

MARCH = "from=2026-03-01&to=2026-03-31&period=month"


def _total(html: str, name: str) -> str:
    found = re.search(rf'data-total="{name}">([^<]*)<', html)
    assert found, name
    return found.group(1).strip()


async def _history(runtime: Runtime, session: AsyncSession) -> None:
    ids = await seed(runtime)
    await AnalyticsWorker(runtime.db).run_once(now=T0 + timedelta(days=30))
    permits, works = await session.get_one(Agency, ids["permits"]), await session.get_one(Agency, ids["works"])
    await create_staff(session, email="dir@city.example", role=StaffRole.admin)
    await create_staff(session, email="pam@city.example", role=StaffRole.supervisor, agencies=[permits])
    await create_staff(session, email="wes@city.example", role=StaffRole.supervisor, agencies=[works])
    await create_staff(session, email="agent@city.example", agencies=[works])
    await session.commit()


async def _csv(client: httpx.AsyncClient, figure: str, query: str = MARCH) -> list[dict[str, str]]:
    response = await client.get(f"/desk/analytics/{figure}.csv?{query}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))


async def test_a_director_sees_every_figure_of_the_known_history(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    await _history(runtime, session)
    await sign_in_staff(client, "dir@city.example")
    page = await client.get(f"/desk/analytics?{MARCH}")
    assert page.status_code == 200
    html = page.text
    totals = {n: _total(html, n) for n in ("contacts", "journeys", "fcr", "repeats", "avoidable", "switches")}
    assert totals == {"contacts": "6", "journeys": "4", "fcr": "50.0 %", "repeats": "2", "avoidable": "1",
                      "switches": "1"}  # fmt: skip
    assert _total(html, "asked-again") == "1"
    assert "<svg" in html
    assert '<table id="volume">' in html

    by_service = {r["service"]: r for r in await _csv(client, "journeys-by-service")}
    permit, pothole = by_service["Parking permit"], by_service["Report a pothole"]
    assert (permit["journeys"], permit["contacts"], permit["avoidable_contacts"], permit["channel_switches"]) == (
        "3", "4", "1", "1")  # fmt: skip
    assert (permit["repeat_contacts"], permit["asked_again"], permit["fcr_decided"], permit["fcr_resolved"]) == (
        "1", "1", "3", "2")  # fmt: skip
    assert (pothole["journeys"], pothole["contacts"], pothole["repeat_contacts"], pothole["fcr_resolved"]) == (
        "1", "2", "1", "0")  # fmt: skip
    volume = await _csv(client, "volume")
    assert volume == [{"period_start": "2026-03-01", "email": "2", "sms": "2", "voice": "1", "web": "1", "total": "6"}]
    by_channel = {r["channel"]: r for r in await _csv(client, "cost-by-channel")}
    assert by_channel["voice"]["cost_by_unit_GBP"] == "1.39"
    assert by_channel["web"]["cost_by_unit_GBP"] == "0.25"
    assert by_channel["sms"]["contacts_without_unit_cost"] == "2"


async def test_supervisors_see_their_own_agencies_only_and_agents_are_refused(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    await _history(runtime, session)
    await sign_in_staff(client, "pam@city.example")
    html = (await client.get(f"/desk/analytics?{MARCH}")).text
    assert (_total(html, "journeys"), _total(html, "contacts"), _total(html, "fcr")) == ("3", "4", "66.7 %")
    assert "Report a pothole" not in html
    await sign_in_staff(client, "wes@city.example")
    journeys = await _csv(client, "journeys")
    assert [(r["journeys"], r["contacts"], r["repeat_contacts"]) for r in journeys] == [("1", "2", "1")]
    other = (await client.get(f"/desk/analytics?{MARCH}&agency=00000000-0000-0000-0000-000000000000")).status_code
    assert other == 422
    assert (await client.get("/desk/analytics?from=2026-13-01")).status_code == 422
    await sign_in_staff(client, "agent@city.example")
    assert (await client.get("/desk/analytics")).status_code == 403
    assert (await client.get("/desk/analytics/volume.csv")).status_code == 403


async def test_a_wider_window_saved_by_an_administrator_folds_every_journey_again(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    await _history(runtime, session)
    await sign_in_staff(client, "pam@city.example")
    assert (await client.get("/desk/analytics/settings")).status_code == 403
    await sign_in_staff(client, "dir@city.example")
    page = await client.get("/desk/analytics/settings")
    assert 'name="window_days" inputmode="numeric" value="7"' in page.text
    form = {"window_days": "14", "contact_gap_minutes": "30", "timezone": "America/Toronto", "currency": "CAD",
            "staff_cost_per_hour": "42.50", "unit_cost_source": "Our own 2026 study", "unit-voice": "6.10",
            "unit-web": "0.40"}  # fmt: skip
    refused = await client.post("/desk/analytics/settings", data={**form, "window_days": "365"})
    assert refused.status_code == 422
    assert "between 1 and 90 days" in refused.text
    saved = await client.post("/desk/analytics/settings", data=form)
    assert saved.headers["location"] == "/desk/analytics/settings?saved=refold"

    await AnalyticsWorker(runtime.db).run_once(now=T0 + timedelta(days=40))
    html = (await client.get(f"/desk/analytics?{MARCH}")).text
    # Chloé's two emails twelve days apart are now one journey with a repeat: 3 journeys, 3 repeats.
    assert (_total(html, "journeys"), _total(html, "repeats"), _total(html, "contacts")) == ("3", "3", "6")
    by_channel = {r["channel"]: r for r in await _csv(client, "cost-by-channel")}
    assert by_channel["voice"]["cost_by_unit_CAD"] == "6.10"
    assert by_channel["email"]["contacts_without_unit_cost"] == "2"
    async with runtime.db.session() as s:
        actions = list(
            (await s.execute(select(AuditEntry.action).where(AuditEntry.action.like("analytics.%")))).scalars()
        )
    assert actions == ["analytics.settings_changed"]


async def test_the_dashboards_speak_french(client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime) -> None:
    await _history(runtime, session)
    await sign_in_staff(client, "dir@city.example")
    client.cookies.set("ts_lang", "fr")
    html = (await client.get(f"/desk/analytics?{MARCH}")).text
    for french in ("Tableaux de bord", "Parcours par service", "Réglé au premier contact", "Coût du service",
                   "Niveaux de service", "Qui utilise quel canal", "Téléphone", "Courriel"):  # fmt: skip
        assert french in html, french
    for english in ("Journeys by service", "Cost to serve", "Who uses which channel", ">Phone<"):
        assert english not in html, english
    settings = (await client.get("/desk/analytics/settings")).text
    assert "Fenêtre du parcours, en jours" in settings


async def test_satisfaction_by_channel_comes_from_the_surveys(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    ids = await seed(runtime)
    now = T0 + timedelta(days=1)
    for score in (5, 4, 2, None):  # three answers of which two satisfied, one unanswered
        answered = now if score else None
        session.add(Survey(subject_key=f"case:{score}", about="case", citizen_id=ids["ana"], channel="sms",
                           contact_channel="voice", language="en", agency_id=ids["permits"], sent_at=now,
                           expires_at=now + timedelta(days=7), score=score, answered_at=answered))  # fmt: skip
    await create_staff(session, email="dir@city.example", role=StaffRole.admin)
    await session.commit()
    await sign_in_staff(client, "dir@city.example")
    rows = await _csv(client, "satisfaction")
    assert rows == [{"channel": "voice", "surveys_sent": "4", "answered": "3", "response_rate_percent": "75.0",
                     "csat_percent": "66.7", "average_score": "3.67"}]  # fmt: skip


def test_the_dashboards_change_no_other_pages_words() -> None:
    """Registering the dashboards' filters leaves the desk's `channel_name` alone, and their catalogue redefines
    no word another page translates (the portal's "Mobile app")."""
    import townsquare.web.desk.dashboards  # noqa: F401 - registers its filters
    from townsquare.web import i18n, templating

    assert templating.templates.env.filters["channel_name"] is templating.channel_name
    with i18n.speaking("fr"):
        assert i18n.gettext("Mobile app") == "Application mobile"
