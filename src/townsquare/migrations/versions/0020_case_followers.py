"""Cases: people who follow a report or say "me too"

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_followers",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("me_too", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_followers_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_case_followers_citizen_id_citizens"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_followers")),
        sa.UniqueConstraint("case_id", "citizen_id", name=op.f("uq_case_followers_case_id_citizen_id")),
    )
    op.create_index(op.f("ix_case_followers_case_id"), "case_followers", ["case_id"], unique=False)
    op.create_index(op.f("ix_case_followers_citizen_id"), "case_followers", ["citizen_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_followers_citizen_id"), table_name="case_followers")
    op.drop_index(op.f("ix_case_followers_case_id"), table_name="case_followers")
    op.drop_table("case_followers")
