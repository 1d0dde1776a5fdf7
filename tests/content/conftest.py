"""Small content directories written per test, and the command line pointed at the test's database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from townsquare.settings import get_settings

AGENCY = """
[agency]
slug = "works"
name = "City Works"
email = "works@city.example"

[[contact_points]]
channel = "sms"
address = "+16135550100"

[calendar]
[calendar.hours]
monday = ["08:30-16:30"]
[[calendar.holidays]]
day = 2026-12-25
name = "Christmas Day"

[[teams]]
slug = "front-line"
name = "Front line"

[[queues]]
slug = "phone"
name = "Phone"
channels = ["voice"]
priority_boost = 10
team = "front-line"

[[sla_targets]]
channel = "email"
first_response_seconds = 28800
goal_percent = 90
business_hours = true

[[sla_targets]]
service = "POTHOLE"
first_response_seconds = 3600

[[wrap_up_codes]]
code = "answered"
label = "Question answered"

[[canned_responses]]
slug = "received"
language = "en"
title = "We have your request"
body = "Hello {first_name}, we have {case_reference}."

[[services]]
code = "POTHOLE"
name = "Report a pothole"
group = "Streets"
keywords = ["pothole", "road"]
sla_hours = 72
open311 = true
notice = "We inspect within 3 business days."

[services.translations.fr]
name = "Signaler un nid-de-poule"

[[services.attributes]]
code = "size"
datatype = "singlevaluelist"
description = "How big is it?"
required = true
values = [{ key = "small", name = "Small" }, { key = "large", name = "Large" }]
[services.attributes.translations.fr]
description = "Quelle taille?"
values = { small = "Petit", large = "Grand" }
"""

ARTICLE = """+++
slug = "{slug}"
language = "{language}"
agency = "works"
group = "potholes"
services = ["POTHOLE"]
title = "{title}"
short_answer = "Report it online or text us."
+++
Potholes are **filled** within 10 days of a report.
"""


@pytest.fixture
def catalogue_dir(tmp_path: Path) -> Path:
    root = tmp_path / "catalogue"
    root.mkdir()
    (root / "works.toml").write_text(AGENCY, encoding="utf-8")
    return root


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge" / "works"
    root.mkdir(parents=True)
    (root / "potholes.en.md").write_text(
        ARTICLE.format(slug="potholes", language="en", title="Potholes"), encoding="utf-8"
    )
    (root / "potholes.fr.md").write_text(
        ARTICLE.format(slug="nids-de-poule", language="fr", title="Nids-de-poule"), encoding="utf-8"
    )
    return root.parent


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The command line's settings pointed at this test's (migrated, empty) database."""
    monkeypatch.setenv("TOWNSQUARE_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()
