"""Administration on the desk: agencies active and branded (short name, accent colour, a logo apart), canned
replies active or not, and the synonyms people use for a service.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05 19:19:46.978270
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agency_logos",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("content_type", sa.String(length=16), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_agency_logos_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_agency_logos")),
    )
    # Added in place: recreating `agencies` in batch mode would break the foreign keys of every table that points
    # to it on SQLite.
    op.add_column("agencies", sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column("agencies", sa.Column("short_name", sa.String(length=40), server_default="", nullable=False))
    op.add_column("agencies", sa.Column("accent_colour", sa.String(length=7), nullable=True))
    op.add_column("canned_responses", sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column(
        "services",
        sa.Column(
            "synonyms", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), server_default="[]", nullable=False
        ),
    )


def downgrade() -> None:
    # Dropped in place (SQLite 3.35+ can): recreating `agencies` in batch mode would break the foreign keys of
    # every table that points to it.
    op.drop_column("services", "synonyms")
    op.drop_column("canned_responses", "active")
    for column in ("accent_colour", "short_name", "active"):
        op.drop_column("agencies", column)
    op.drop_table("agency_logos")
