"""Knowledge tables: articles (one per answer and language), their versions, the revision counter, answers given.

An article is one answer in one language; its language variants share a `group_id`. Its text lives in
versions, each written by someone with a change note, moving draft → review → published. The version a
channel gives is the newest published one in effect today (`effective_from`/`effective_until`), read from the
database at answer time; `KnowledgeRevision` is bumped in the same transaction as every publication or
withdrawal, so every process's search index knows it must rebuild before its next query.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.clock import utcnow
from townsquare.db import Base, IdMixin, TimestampMixin

LANGUAGES = ("en", "fr")
SHORT_ANSWER_MAX = 320


class VersionStatus(StrEnum):
    draft = "draft"  # being written; only its author's team sees it
    review = "review"  # submitted; waiting for a second person to publish or send back
    published = "published"  # live from `effective_from` (or at once), until a newer version is in effect
    withdrawn = "withdrawn"  # taken down, or sent back / abandoned before publication


class Article(IdMixin, TimestampMixin, Base):
    """One answer in one language; `group_id` links its variants in other languages."""

    __tablename__ = "knowledge_articles"
    __table_args__ = (UniqueConstraint("group_id", "language"),)

    slug: Mapped[str] = mapped_column(String(120), unique=True)  # the public address: /help/{slug}
    language: Mapped[str] = mapped_column(String(8))
    group_id: Mapped[uuid.UUID] = mapped_column(index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # When staff last confirmed this language version says what the others say (publishing it confirms it too).
    checked_at: Mapped[datetime | None]


class ArticleVersion(IdMixin, Base):
    """One version of an article's text, with who wrote it and why."""

    __tablename__ = "knowledge_versions"
    __table_args__ = (
        UniqueConstraint("article_id", "number"),
        Index("ix_knowledge_versions_live", "status", "article_id"),
    )

    article_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("knowledge_articles.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[VersionStatus] = mapped_column(default=VersionStatus.draft)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown; sanitised when rendered
    short_answer: Mapped[str] = mapped_column(String(SHORT_ANSWER_MAX), default="")  # SMS and chat
    voice_script: Mapped[str] = mapped_column(Text, default="")  # plain sentences for speech
    keywords: Mapped[str] = mapped_column(String(500), default="")  # other words people use for it
    service_codes: Mapped[list[str]] = mapped_column(default=list)  # related services
    effective_from: Mapped[date | None] = mapped_column(Date)
    effective_until: Mapped[date | None] = mapped_column(Date)
    review_by: Mapped[date | None] = mapped_column(Date)
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    change_note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    withdrawn_at: Mapped[datetime | None]


class KnowledgeRevision(Base):
    """A single row counting changes to what is live; search indexes rebuild when it moves."""

    __tablename__ = "knowledge_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    revision: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class AnswerRecord(IdMixin, Base):
    """An answer given from the knowledge base on any channel: which version, how sure, whether it helped."""

    __tablename__ = "knowledge_answers"
    __table_args__ = (Index("ix_knowledge_answers_article", "article_id", "created_at"),)

    article_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("knowledge_articles.id", ondelete="CASCADE"))
    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("knowledge_versions.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float | None] = mapped_column(Float)
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("interactions.id"))  # the reply sent
    helpful: Mapped[bool | None] = mapped_column(Boolean)  # the person's answer to "did that answer it?"
    feedback_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
