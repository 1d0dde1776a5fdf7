"""`townsquare catalogue export`: the demo city's catalogue written as files, read back into another database
and written again byte for byte (with offices, skills, branding and a form's pages, conditions and kinds too);
re-importing an export changes nothing; the staff file holds no password."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.catalogue_texts import OFFICES, PERMIT_SERVICE
from townsquare.content.catalogue_export import export, write
from townsquare.content.catalogue_plan import import_catalogue, plan
from townsquare.demo.city import CATALOGUE_DIR

STAFF = """[[staff]]
email = "ann@city.example"
name = "Ann Agent"
agencies = ["city-works", "revenue"]

[staff.routing]
languages = ["en", "fr"]
skills = { pothole = 3 }
"""


def _files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir())}


async def test_the_demo_catalogue_exports_imports_and_exports_again_byte_for_byte(
    session: AsyncSession, tmp_path: Path
) -> None:
    await import_catalogue(session, CATALOGUE_DIR)
    first = tmp_path / "first"
    write(first, await export(session))
    (first / "staff.toml").write_text(STAFF, encoding="utf-8")
    await import_catalogue(session, first)  # the staff file, with the export's agencies unchanged
    await session.commit()
    second = tmp_path / "second"
    write(second, await export(session))
    again = await plan(session, second)
    assert again.diff.empty, again.diff.text()
    # Imported again, the same bytes come back out.
    await import_catalogue(session, second)
    third = tmp_path / "third"
    write(third, await export(session))
    assert _files(third) == _files(second)
    assert sorted(_files(second)) == [
        "city-works.toml",
        "revenue.toml",
        "social-services.toml",
        "staff.toml",
        "transport-licensing.toml",
    ]
    staff = (second / "staff.toml").read_text()
    assert 'email = "ann@city.example"' in staff
    assert "password" not in staff
    assert "pothole = 3" in staff


PERMIT = 'name = "Apply for a parking permit"\n'
EVERYTHING_NEW = OFFICES + PERMIT_SERVICE.replace(PERMIT, PERMIT + 'synonyms = ["sticker"]\n')


async def test_offices_skills_and_a_form_s_pages_conditions_and_kinds_come_back_out(
    session: AsyncSession, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for path in CATALOGUE_DIR.glob("*.toml"):
        (source / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    works = source / "city-works.toml"
    text = works.read_text(encoding="utf-8").replace(
        'email = "works@city.example"\n',
        'email = "works@city.example"\nshort_name = "Works"\naccent_colour = "#1d70b8"\n',
        1,
    )
    works.write_text(text + EVERYTHING_NEW, encoding="utf-8")
    await import_catalogue(session, source)
    await session.commit()
    first = tmp_path / "first"
    write(first, await export(session))
    exported = (first / "city-works.toml").read_text(encoding="utf-8")
    for said in (
        '[services.pages.1]\ntitle = "About you"',
        '[services.attributes.condition]\nfield = "has_car"\nvalues = ["yes"]',
        'datatype = "consent"',
        'calendar = "Office hours"',  # the offices in name order: the first, Depot, is every other queue's
        'label_fr = "Rampes"',
        'synonyms = ["sticker"]',
        'accent_colour = "#1d70b8"',
    ):
        assert said in exported, said
    assert (await plan(session, first)).diff.empty
    await import_catalogue(session, first)
    second = tmp_path / "second"
    write(second, await export(session))
    assert _files(second) == _files(first)
