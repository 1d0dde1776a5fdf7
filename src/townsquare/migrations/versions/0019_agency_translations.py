"""Agencies: their name and description in other languages

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 21:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE (SQLite has had ADD and DROP COLUMN since 3.35): rebuilding `agencies` in batch mode would
# drop a table every other table refers to.
def upgrade() -> None:
    op.add_column(
        "agencies",
        sa.Column(
            "translations",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
            server_default=sa.text("'{}'"),
        ),
    )


def downgrade() -> None:
    op.drop_column("agencies", "translations")
