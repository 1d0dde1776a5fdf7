"""Letters by post and the daily print batches that carry them to the print supplier

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 16:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "print_batches",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("letter_count", sa.Integer(), nullable=False),
        sa.Column("zip_sha256", sa.String(length=64), nullable=False),
        sa.Column("zip_size_bytes", sa.Integer(), nullable=False),
        sa.Column("manifest", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_batches")),
        sa.UniqueConstraint("day", "sequence", name=op.f("uq_print_batches_day_sequence")),
    )
    op.create_table(
        "letters",
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("interaction_id", sa.Uuid(), nullable=True),
        sa.Column("citizen_id", sa.Uuid(), nullable=True),
        sa.Column("agency_id", sa.Uuid(), nullable=True),
        sa.Column("address_lines", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("paper", sa.String(length=8), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf_size_bytes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("printed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("return_reason", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_letters_agency_id_agencies")),
        sa.ForeignKeyConstraint(["batch_id"], ["print_batches.id"], name=op.f("fk_letters_batch_id_print_batches")),
        sa.ForeignKeyConstraint(["citizen_id"], ["citizens.id"], name=op.f("fk_letters_citizen_id_citizens")),
        sa.ForeignKeyConstraint(
            ["interaction_id"], ["interactions.id"], name=op.f("fk_letters_interaction_id_interactions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letters")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_letters_idempotency_key")),
    )
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letters_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_letters_interaction_id"), ["interaction_id"], unique=False)
        batch_op.create_index("ix_letters_reference", ["reference"], unique=False)
        batch_op.create_index("ix_letters_status_created", ["status", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.drop_index("ix_letters_status_created")
        batch_op.drop_index("ix_letters_reference")
        batch_op.drop_index(batch_op.f("ix_letters_interaction_id"))
        batch_op.drop_index(batch_op.f("ix_letters_batch_id"))
    op.drop_table("letters")
    op.drop_table("print_batches")
