"""Trust and limits: why each audited read happened, and staff accounts locked after repeated failed sign-ins

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 21:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # audit_log keeps its append-only triggers: a plain ADD COLUMN, never a batch copy of the table.
    op.add_column("audit_log", sa.Column("purpose", sa.String(length=160), nullable=False, server_default=""))
    op.add_column(
        "audit_log",
        sa.Column("actor_agency_ids", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
    )
    with op.batch_alter_table("staff_accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("staff_accounts", schema=None) as batch_op:
        batch_op.drop_column("failed_sign_ins")
        batch_op.drop_column("locked_at")
    op.drop_column("audit_log", "actor_agency_ids")
    op.drop_column("audit_log", "purpose")
