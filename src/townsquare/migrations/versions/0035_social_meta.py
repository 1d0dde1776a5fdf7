"""social meta: codes recently sent to one phone or address, counted when a social account asks for one

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-12 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("verification_challenges", schema=None) as batch_op:
        batch_op.create_index("ix_verification_challenges_value", ["value", "kind", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("verification_challenges", schema=None) as batch_op:
        batch_op.drop_index("ix_verification_challenges_value")
