"""Importing notification templates from TOML files (`[[template]]` tables: type, channel, language, subject,
body), as the demo city does and a city moving its existing letters and messages in would.

Each template is checked as the desk's editor checks it; any problem leaves the database unchanged. Importing the
same words twice adds no version. Never commits.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.content.files import ContentError, ContentInvalid, files, read_toml, relative
from townsquare.errors import Problem
from townsquare.notify import templates
from townsquare.notify.models import MessageType


class TemplateFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: MessageType
    channel: str
    language: str
    subject: str = ""
    body: str


async def import_notification_templates(session: AsyncSession, root: Path) -> int:
    """Every `*.toml` under `root`; returns how many new template versions were saved."""
    documents: list[tuple[str, TemplateFile]] = []
    errors: list[ContentError] = []
    for path in files(root, "*.toml"):
        name = relative(path, root)
        for n, raw in enumerate(read_toml(path, name).get("template", [])):
            try:
                doc = TemplateFile.model_validate(raw)
                templates.check(doc.type, doc.channel, doc.language, doc.subject.strip(), doc.body.strip())
            except ValidationError as error:
                errors += [
                    ContentError(name, f"template[{n}].{'.'.join(map(str, e['loc']))}", e["msg"])
                    for e in error.errors()
                ]
                continue
            except Problem as problem:
                errors.append(ContentError(name, f"template[{n}]", problem.detail))
                continue
            documents.append((name, doc))
    if errors:
        raise ContentInvalid(errors)
    return await templates.load(session, [doc.model_dump(mode="json") for _, doc in documents])
