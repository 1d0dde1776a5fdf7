"""channels: SMS opt-outs, the identity each contact came from, contact verification codes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 11:53:58.655925
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "verification_challenges",
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("code_hash", sa.String(length=128), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_verification_challenges_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_challenges")),
    )
    with op.batch_alter_table("verification_challenges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_verification_challenges_citizen_id"), ["citizen_id"], unique=False)

    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("identity_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_interactions_identity_id_identities"), "identities", ["identity_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_interactions_identity_id_identities"), type_="foreignkey")
        batch_op.drop_column("identity_id")

    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.drop_column("opted_out_at")

    with op.batch_alter_table("verification_challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_challenges_citizen_id"))

    op.drop_table("verification_challenges")
