"""A photo on a report's "Where is it?" page: kept without its hidden details, its place offered and used,
shown back to its owner only, removable, refused readably when it is not a photo, and sent with the report."""

from __future__ import annotations

import io
import re

import httpx
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.photos import phone_photo
from tests.web.portal.conftest import Resident, make_resident, sign_in
from tests.web.portal.test_map import ELM, _form, _world
from townsquare.cases.models import Case
from townsquare.interactions.models import Attachment, Interaction
from townsquare.interactions.storage import AttachmentStore
from townsquare.settings import Settings


async def _where(client: httpx.AsyncClient) -> tuple[str, httpx.Response]:
    started = await client.get("/services/POTHOLE/apply")
    draft_id = started.headers["location"].split("/")[2]
    return draft_id, await client.get(f"/applications/{draft_id}/pages/1")


async def test_the_photos_place_is_offered_used_and_the_photo_sent_without_its_hidden_details(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident, settings: Settings
) -> None:
    await _world(session)
    sign_in(client, resident)
    draft_id, where = await _where(client)
    assert 'enctype="multipart/form-data"' in where.text
    assert 'name="photo" type="file"' in where.text
    assert "data-use-location" in where.text
    assert "Use my location" in where.text
    photo = ("pothole.jpg", phone_photo(at=(float(ELM["lat"]), float(ELM["long"]))), "image/jpeg")
    offered = await client.post(f"/applications/{draft_id}/pages/1", data=_form(where), files={"photo": photo})
    assert offered.status_code == 200  # no address yet, but the photo knows a place: offered, not an error
    assert "Your photo says where it was taken" in offered.text
    assert 'form="photo-place-form"' in offered.text
    assert "There is a problem" not in offered.text
    preview = await client.get(f"/applications/{draft_id}/photo")
    assert preview.headers["content-type"] == "image/jpeg"
    assert dict(Image.open(io.BytesIO(preview.content)).getexif()) == {}

    used = await client.post(f"/applications/{draft_id}/photo/place")
    assert used.headers["location"] == f"/applications/{draft_id}/pages/1?placed=1"
    placed = await client.get(used.headers["location"])
    assert f'value="{ELM["address"]}"' in placed.text  # the register's nearest address
    assert "We used the place your photo was taken" in placed.text
    point = dict(re.findall(r'name="f\.(_lat|_long)" value="([^"]*)"', placed.text))
    assert point == {"_lat": "43.651000", "_long": "-79.380000"}
    sent = {**_form(placed), "f._address": ELM["address"], "f._lat": point["_lat"], "f._long": point["_long"]}
    moved = await client.post(f"/applications/{draft_id}/pages/1", data=sent)  # as the browser sends the page
    assert moved.headers["location"] == f"/applications/{draft_id}/pages/2"
    details = await client.get(f"/applications/{draft_id}/pages/2")
    await client.post(f"/applications/{draft_id}/pages/2", data=_form(details))
    check = await client.get(f"/applications/{draft_id}/check")
    assert "1 photo, without its hidden details" in check.text
    assert (await client.post(f"/applications/{draft_id}/submit")).status_code == 303

    await session.rollback()
    case = (await session.execute(select(Case))).scalar_one()
    assert case.address_string == ELM["address"]
    assert (case.lat, case.long) == (float(ELM["lat"]), float(ELM["long"]))
    stmt = select(Attachment).join(Interaction).where(Interaction.case_id == case.id)
    attachment = (await session.execute(stmt)).scalar_one()
    assert (attachment.filename, attachment.content_type) == ("photo.jpg", "image/jpeg")
    assert attachment.sha256 is not None
    kept = Image.open(io.BytesIO(AttachmentStore(settings.attachments_dir).read(attachment.sha256)))
    assert dict(kept.getexif()) == {}
    assert max(kept.size) == 1600


async def test_a_file_that_is_not_a_photo_is_refused_and_a_photo_can_be_removed(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    await _world(session)
    sign_in(client, resident)
    draft_id, where = await _where(client)
    form = {**_form(where), "f._address": ELM["address"]}
    refused = await client.post(
        f"/applications/{draft_id}/pages/1", data=form, files={"photo": ("notes.pdf", b"%PDF-1.7", "application/pdf")}
    )
    assert refused.status_code == 422
    assert "The selected file must be a photo" in refused.text
    assert 'href="#field-photo"' in refused.text
    photo = ("street.jpg", phone_photo(size=(400, 300)), "image/jpeg")
    kept = await client.post(f"/applications/{draft_id}/pages/1", data=form, files={"photo": photo})
    assert kept.headers["location"] == f"/applications/{draft_id}/pages/2"  # an address given: no offer, on we go
    again = await client.get(f"/applications/{draft_id}/pages/1")
    assert "The photo you added" in again.text
    assert "Your photo says where it was taken" not in again.text  # this one says nothing of where
    # Only its owner sees it.
    other = await make_resident(session, email="someone.else@example.org")
    stranger = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    sign_in(stranger, other)
    assert (await stranger.get(f"/applications/{draft_id}/photo")).status_code == 404
    removed = await client.post(f"/applications/{draft_id}/photo/remove")
    assert removed.headers["location"] == f"/applications/{draft_id}/pages/1"
    assert (await client.get(f"/applications/{draft_id}/photo")).status_code == 404
    assert "The photo you added" not in (await client.get(f"/applications/{draft_id}/pages/1")).text
