"""`townsquare knowledge import DIR`: every article file under DIR (Markdown with TOML front matter, one file per
article and language) published through the knowledge workflow, in the caller's transaction.

A new article is created, submitted by its author and published by the system; a changed one gets a new version
the same way, so its history is kept; one whose newest version already says what the file says is left alone.
An article with a draft or a version in review on the desk is refused rather than overwritten. Never commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.content.files import (
    ContentError,
    ContentInvalid,
    ImportReport,
    files,
    parse,
    problem_errors,
    read_markdown,
    relative,
)
from townsquare.db import Change
from townsquare.errors import Problem
from townsquare.knowledge import service as knowledge
from townsquare.knowledge.models import LANGUAGES, Article, ArticleVersion, VersionStatus
from townsquare.staff.models import StaffAccount, StaffAgency, StaffRole

CHANGE_NOTE = "Imported from {file}"
KIND = "articles"


class ArticleMeta(BaseModel):
    """An article file's front matter; its body is the Markdown after it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: str = Field(pattern=f"^{knowledge.SLUG_PATTERN.pattern}$")
    language: str
    agency: Annotated[str, Field(min_length=1)]
    group: str | None = None  # articles sharing a group are one answer's language variants
    title: Annotated[str, Field(min_length=1)]
    summary: str = ""
    short_answer: str = ""
    voice_script: str = ""
    keywords: str | list[str] = ""
    services: list[str] = Field(default_factory=list)
    effective_from: date | None = None
    effective_until: date | None = None
    review_by: date | None = None

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"must be one of: {', '.join(LANGUAGES)}")
        return value


@dataclass(frozen=True)
class ArticleFile:
    name: str
    meta: ArticleMeta
    fields: knowledge.ArticleFields


def _fields(meta: ArticleMeta, body: str) -> knowledge.ArticleFields:
    keywords = ", ".join(meta.keywords) if isinstance(meta.keywords, list) else meta.keywords
    return knowledge.validate_fields(
        knowledge.ArticleFields(
            title=meta.title,
            summary=meta.summary,
            body=body,
            short_answer=meta.short_answer,
            voice_script=meta.voice_script,
            keywords=keywords,
            service_codes=tuple(meta.services),
            effective_from=meta.effective_from,
            effective_until=meta.effective_until,
            review_by=meta.review_by,
        )
    )


def load(root: Path) -> list[ArticleFile]:
    """Every `*.md` under `root`; raises `ContentInvalid` with every problem found in every file."""
    errors: list[ContentError] = []
    loaded: list[ArticleFile] = []
    paths = files(root, "*.md")
    if not paths:
        raise ContentInvalid([ContentError(str(root), "", "holds no .md files")])
    slugs: dict[str, str] = {}
    for path in paths:
        name = relative(path, root)
        try:
            data, body = read_markdown(path, name)
        except ContentInvalid as invalid:
            errors.extend(invalid.errors)
            continue
        meta = parse(ArticleMeta, data, name, errors)
        if meta is None:
            continue
        if not body:
            errors.append(ContentError(name, "body", "the article has no text after its front matter"))
            continue
        try:
            fields = _fields(meta, body)
        except Problem as problem:
            errors.extend(problem_errors(name, problem))
            continue
        if meta.slug in slugs:
            errors.append(ContentError(name, "slug", f"{meta.slug!r} is also the slug of {slugs[meta.slug]}"))
        slugs.setdefault(meta.slug, name)
        loaded.append(ArticleFile(name, meta, fields))
    errors.extend(_groups(loaded))
    if errors:
        raise ContentInvalid(errors)
    return loaded


def _groups(loaded: list[ArticleFile]) -> list[ContentError]:
    seen: dict[tuple[str, str], str] = {}
    errors = []
    for item in loaded:
        if item.meta.group is None:
            continue
        key = (item.meta.group, item.meta.language)
        if key in seen:
            errors.append(ContentError(item.name, "group", f"{seen[key]} is already {item.meta.language!r} in it"))
        seen.setdefault(key, item.name)
    return errors


def _same(version: ArticleVersion, fields: knowledge.ArticleFields) -> bool:
    return (
        version.title == fields.title
        and version.summary == fields.summary
        and version.body == fields.body
        and version.short_answer == fields.short_answer
        and version.voice_script == fields.voice_script
        and version.keywords == fields.keywords
        and list(version.service_codes) == list(fields.service_codes)
        and version.effective_from == fields.effective_from
        and version.effective_until == fields.effective_until
        and version.review_by == fields.review_by
    )


async def import_knowledge(session: AsyncSession, root: Path, *, author_email: str | None = None) -> ImportReport:
    """Publish every article file under `root` that is new or changed; raises `ContentInvalid` naming every file
    that cannot be (unknown agency or service, a draft in the way) so the caller rolls the whole import back."""
    loaded = load(root)
    agency_ids = {a.slug: a.id for a in await agencies.list_agencies(session)}
    errors = await _unknown_references(session, loaded, agency_ids)
    author = await _named_author(session, author_email, errors)
    if errors:
        raise ContentInvalid(errors)
    report = ImportReport()
    existing = {
        a.slug: a
        for a in (await session.scalars(select(Article).where(Article.slug.in_([i.meta.slug for i in loaded]))))
    }
    group_of: dict[str, uuid.UUID] = {}  # a file group → an article already in it
    for item in loaded:
        if item.meta.group and item.meta.slug in existing:
            group_of.setdefault(item.meta.group, existing[item.meta.slug].id)
    writers: dict[uuid.UUID, uuid.UUID | None] = {}
    for item in loaded:
        agency_id = agency_ids[item.meta.agency]
        if agency_id not in writers:
            writers[agency_id] = author or await _author(session, agency_id)
        writer = writers[agency_id]
        if writer is None:
            errors.append(ContentError(item.name, "agency", "no active staff account can write its articles"))
            continue
        try:
            report.add(KIND, await _write(session, item, existing, group_of, agency_id, writer), item.meta.slug)
        except _Refused as refused:
            errors.append(ContentError(item.name, refused.field, refused.message))
        except Problem as problem:
            errors.extend(problem_errors(item.name, problem))
    if errors:
        raise ContentInvalid(errors)
    return report


async def _unknown_references(
    session: AsyncSession, loaded: list[ArticleFile], agency_ids: dict[str, uuid.UUID]
) -> list[ContentError]:
    """Each file that names an agency or a service the catalogue does not have."""
    errors: list[ContentError] = []
    codes = {s.code for s in await agencies.list_services(session, include_inactive=True)}
    for item in loaded:
        if item.meta.agency not in agency_ids:
            errors.append(ContentError(item.name, "agency", f"no agency has slug {item.meta.agency!r}"))
        unknown = [c for c in item.meta.services if c not in codes]
        if unknown:
            errors.append(ContentError(item.name, "services", f"no service has code {', '.join(map(repr, unknown))}"))
    return errors


async def _write(
    session: AsyncSession,
    item: ArticleFile,
    existing: dict[str, Article],
    group_of: dict[str, uuid.UUID],
    agency_id: uuid.UUID,
    writer: uuid.UUID,
) -> Change:
    """Create the file's article (in its group, if one of the group's articles exists) or update it."""
    article = existing.get(item.meta.slug)
    if article is not None:
        return await _update(session, item, article, agency_id, writer)
    variant_of = group_of.get(item.meta.group) if item.meta.group else None
    version = await _create(session, item, agency_id, writer, variant_of)
    if item.meta.group:
        group_of.setdefault(item.meta.group, version.article_id)
    return Change.created


class _Refused(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


async def _create(
    session: AsyncSession, item: ArticleFile, agency_id: uuid.UUID, writer: uuid.UUID, variant_of: uuid.UUID | None
) -> ArticleVersion:
    version = await knowledge.create_article(
        session,
        agency_id=agency_id,
        language=item.meta.language,
        slug=item.meta.slug,
        fields=item.fields,
        author_id=writer,
        change_note=CHANGE_NOTE.format(file=item.name)[: knowledge.NOTE_MAX],
        variant_of=variant_of,
    )
    await knowledge.submit(session, version_id=version.id, staff_id=writer)
    return await knowledge.publish(session, version_id=version.id, staff_id=None)


async def _update(
    session: AsyncSession, item: ArticleFile, article: Article, agency_id: uuid.UUID, writer: uuid.UUID
) -> Change:
    if article.agency_id != agency_id:
        raise _Refused("agency", "the article belongs to another agency; an import does not move it")
    if article.language != item.meta.language:
        raise _Refused("language", f"the article at this slug is in {article.language!r}")
    newest = (await knowledge.versions(session, article_id=article.id))[0]
    if _same(newest, item.fields):
        return Change.unchanged
    if newest.status in (VersionStatus.draft, VersionStatus.review):
        raise _Refused(
            "slug",
            f"version {newest.number} of this article is a {newest.status.value} on the desk; publish or send it "
            "back there first, so the import does not overwrite it",
        )
    version = await knowledge.save_draft(
        session,
        article_id=article.id,
        fields=item.fields,
        author_id=writer,
        change_note=CHANGE_NOTE.format(file=item.name)[: knowledge.NOTE_MAX],
    )
    await knowledge.submit(session, version_id=version.id, staff_id=writer)
    await knowledge.publish(session, version_id=version.id, staff_id=None)
    return Change.updated


async def _named_author(session: AsyncSession, email: str | None, errors: list[ContentError]) -> uuid.UUID | None:
    if email is None:
        return None
    account = await session.scalar(
        select(StaffAccount).where(StaffAccount.email == email.strip().lower(), StaffAccount.active.is_(True))
    )
    if account is None:
        errors.append(ContentError("--author", "", f"no active staff account signs in as {email}"))
        return None
    return account.id


async def _author(session: AsyncSession, agency_id: uuid.UUID) -> uuid.UUID | None:
    """The agency's first active agent (by email), else its supervisor, else the first active administrator."""
    in_agency = await session.scalar(
        select(StaffAccount.id)
        .join(StaffAgency, StaffAgency.staff_id == StaffAccount.id)
        .where(StaffAgency.agency_id == agency_id, StaffAccount.active.is_(True))
        .order_by(StaffAccount.role != StaffRole.agent, StaffAccount.email)  # a front-line writer first
        .limit(1)
    )
    if in_agency is not None:
        return in_agency
    return await session.scalar(
        select(StaffAccount.id)
        .where(StaffAccount.role == StaffRole.admin, StaffAccount.active.is_(True))
        .order_by(StaffAccount.email)
        .limit(1)
    )
