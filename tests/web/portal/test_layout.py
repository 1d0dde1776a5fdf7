"""The page layout every portal page shares: brand from settings, sign-in state, language remembered per resident."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.web.portal.conftest import Resident, sign_in
from townsquare.app import Runtime, create_app
from townsquare.citizens.models import Citizen
from townsquare.settings import Settings


async def test_the_brand_comes_from_settings(settings: Settings, runtime: Runtime) -> None:
    branded = settings.model_copy(
        update={"brand_name": "Ville de Lac-Clair", "brand_colour": "#0b5394", "brand_logo_url": "/static/logo.svg"}
    )
    app = create_app(branded, runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        page = await client.get("/")
    assert "Ville de Lac-Clair" in page.text
    assert "--ts-brand-colour: #0b5394" in page.text
    assert 'src="/static/logo.svg" alt=""' in page.text


def test_a_brand_colour_too_light_for_white_text_is_refused() -> None:
    with pytest.raises(ValueError, match="contrast against white"):
        Settings(brand_colour="#7fbfff")
    with pytest.raises(ValueError, match="like #1d70b8"):
        Settings(brand_colour="blue")


async def test_the_header_shows_the_signed_in_resident_and_their_remembered_language(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    sign_in(client, resident)
    switched = await client.post("/language", data={"lang": "fr", "next": "/"})
    assert switched.status_code == 303
    await session.rollback()
    citizen = await session.get(Citizen, resident.citizen_id)
    assert citizen is not None
    assert citizen.language == "fr"

    client.cookies.delete("ts_lang")  # another device: no language chosen in this browser
    page = await client.get("/", headers={"accept-language": "en"})
    assert '<html lang="fr"' in page.text
    assert "Votre compte" in page.text
    assert "Se déconnecter" in page.text
