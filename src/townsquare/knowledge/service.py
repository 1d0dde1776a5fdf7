"""The knowledge base's one door: callers import every knowledge function from here.

Writing articles (drafts, review, publication, withdrawal, the editor's lists) lives in `knowledge.workflow`;
what is live today, the revision counter and the record of answers in `knowledge.published`. Nothing here
commits, and nothing caches a version: `live*` read the database every time, and every change to what is live
bumps `KnowledgeRevision` in the caller's transaction so search indexes rebuild before their next query.
"""

from __future__ import annotations

from townsquare.knowledge.published import (
    LiveArticle,
    bump_revision,
    current_revision,
    live,
    live_all,
    live_by_slug,
    live_many,
    live_variant,
    record_answer,
    record_feedback,
    today_utc,
)
from townsquare.knowledge.workflow import (
    KEYWORDS_MAX,
    NOTE_MAX,
    PUBLISHERS,
    SERVICE_CODE_MAX,
    SLUG_PATTERN,
    SUMMARY_MAX,
    TITLE_MAX,
    ArticleFields,
    ArticleRow,
    create_article,
    get_article,
    get_version,
    list_articles,
    publish,
    save_draft,
    send_back,
    submit,
    validate_fields,
    versions,
    withdraw,
)

__all__ = [
    "KEYWORDS_MAX",
    "NOTE_MAX",
    "PUBLISHERS",
    "SERVICE_CODE_MAX",
    "SLUG_PATTERN",
    "SUMMARY_MAX",
    "TITLE_MAX",
    "ArticleFields",
    "ArticleRow",
    "LiveArticle",
    "bump_revision",
    "create_article",
    "current_revision",
    "get_article",
    "get_version",
    "list_articles",
    "live",
    "live_all",
    "live_by_slug",
    "live_many",
    "live_variant",
    "publish",
    "record_answer",
    "record_feedback",
    "save_draft",
    "send_back",
    "submit",
    "today_utc",
    "validate_fields",
    "versions",
    "withdraw",
]
