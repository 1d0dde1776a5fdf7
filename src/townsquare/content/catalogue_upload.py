"""The catalogue's files as one ZIP, for the desk: download the export, upload changed files, review the diff,
apply it — scoped to what the person administers (an agency administrator: their agencies' files, no staff file).

Refuses a ZIP that is too big, holds too many files, unpacks to too much (a zip bomb), or holds anything but
`.toml` files in plain relative paths; unpacks into a private temporary directory that is always removed.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.content import catalogue_export, catalogue_plan
from townsquare.content.catalogue_plan import Plan
from townsquare.content.files import ContentError, ContentInvalid
from townsquare.staff.auth import Principal

MAX_ZIP_BYTES = 2 * 1024 * 1024
MAX_FILES = 200
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_RATIO = 100  # a file that unpacks to more than 100 times its packed size is a bomb, not a catalogue
UPLOAD = "the uploaded file"


async def export_zip(session: AsyncSession, *, me: Principal) -> bytes:
    """The export as a ZIP (its members in a fixed order and time, so the same catalogue gives the same bytes):
    the agencies `me` administers, and the staff file for an administrator of every agency."""
    agency_ids = me.visible()
    files = await catalogue_export.export(session, agency_ids=agency_ids, staff=agency_ids is None)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in files:
            info = zipfile.ZipInfo(item.name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, item.text().encode("utf-8"))
    return out.getvalue()


def _refused(message: str) -> ContentInvalid:
    return ContentInvalid([ContentError(UPLOAD, "", message)])


def unpack(data: bytes, root: Path) -> None:
    """The ZIP's `.toml` files written under `root`; raises `ContentInvalid` for anything unsafe or too big."""
    if not data:
        raise _refused("is empty: choose the ZIP of catalogue files to upload")
    if len(data) > MAX_ZIP_BYTES:
        raise _refused(f"is larger than {MAX_ZIP_BYTES // (1024 * 1024)} MB")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _refused("is not a ZIP file") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_FILES:
            raise _refused(f"holds more than {MAX_FILES} files")
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise _refused(f"unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB")
        for member in members:
            name = PurePosixPath(member.filename)
            if name.is_absolute() or ".." in name.parts or "\\" in member.filename or name.suffix != ".toml":
                raise _refused(f"holds {member.filename!r}: only .toml files, in plain folders, belong in it")
            if member.file_size > MAX_RATIO * max(member.compress_size, 1) + 1024:
                raise _refused(f"holds {member.filename!r}, which unpacks to far more than it packs")
            target = root.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source:
                content = source.read(MAX_UNPACKED_BYTES + 1)
            if len(content) > member.file_size:  # the size the ZIP declared was a lie
                raise _refused(f"holds {member.filename!r}, which unpacks to more than it declares")
            target.write_bytes(content)


def digest(planned: Plan) -> str:
    """What the person reviewed, to apply exactly that (and not what the catalogue became meanwhile)."""
    return hashlib.sha256("\n".join(planned.diff.text()).encode("utf-8")).hexdigest()


async def review(session: AsyncSession, data: bytes, *, me: Principal) -> Plan:
    """The uploaded ZIP compared with the database, within what `me` administers; raises `ContentInvalid` with
    every problem. Writes nothing."""
    with tempfile.TemporaryDirectory(prefix="townsquare-catalogue-") as directory:
        root = Path(directory)
        unpack(data, root)
        return await catalogue_plan.plan(session, root, agency_ids=me.visible(), actor_id=me.id)


async def apply_upload(session: AsyncSession, data: bytes, *, me: Principal, reviewed: str) -> Plan:
    """Apply the uploaded ZIP in the caller's transaction, audited with the diff, if it still changes exactly what
    `reviewed` (the digest of the diff shown) says."""
    planned = await review(session, data, me=me)
    if digest(planned) != reviewed:
        raise _refused("changes something other than what you reviewed (the catalogue changed since): review it again")
    try:
        await catalogue_plan.apply(session, planned)
    except IntegrityError:
        raise _refused("holds a value that clashes with one already in the database") from None
    me.audit(
        session,
        action="catalogue.imported",
        subject_kind="catalogue",
        detail={"changes": sum(1 for line in planned.diff.lines if line.changes), "diff": planned.diff.text()[:200]},
    )
    return planned
