"""Knowledge articles: when a language version was last checked against the others

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE (SQLite has had ADD and DROP COLUMN since 3.35): a batch rebuild would drop a table that
# knowledge versions refer to.
def upgrade() -> None:
    op.add_column("knowledge_articles", sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("knowledge_articles", "checked_at")
