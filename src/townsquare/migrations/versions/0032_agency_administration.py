"""Administration on the desk: agencies active and branded (short name, accent colour, a logo apart), canned
replies active or not, and the synonyms people use for a service.

Revision ID: 0032
Revises: 0029
Create Date: 2026-12-05 19:19:46.978270
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0032"
down_revision: str | None = "0029"
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
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("short_name", sa.String(length=40), server_default="", nullable=False))
        batch_op.add_column(sa.Column("accent_colour", sa.String(length=7), nullable=True))

    with op.batch_alter_table("canned_responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "synonyms",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                server_default="[]",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_column("synonyms")

    with op.batch_alter_table("canned_responses", schema=None) as batch_op:
        batch_op.drop_column("active")

    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_column("accent_colour")
        batch_op.drop_column("short_name")
        batch_op.drop_column("active")

    op.drop_table("agency_logos")
