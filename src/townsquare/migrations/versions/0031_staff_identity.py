"""staff identity: single sign-on link, MFA, password resets, session activity

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05 19:20:05.118679
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_password_resets",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_accounts.id"],
            name=op.f("fk_staff_password_resets_staff_id_staff_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_password_resets")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_password_resets_token_hash")),
    )
    op.create_index(op.f("ix_staff_password_resets_staff_id"), "staff_password_resets", ["staff_id"], unique=False)
    op.create_table(
        "staff_recovery_codes",
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_accounts.id"],
            name=op.f("fk_staff_recovery_codes_staff_id_staff_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_recovery_codes")),
    )
    op.create_index(op.f("ix_staff_recovery_codes_staff_id"), "staff_recovery_codes", ["staff_id"], unique=False)

    # Plain ALTER TABLE (never a batch rebuild): rebuilding staff_accounts on SQLite would fire the foreign keys
    # of every table that points at it (work_item_transfers' SET NULL among them).
    op.add_column("staff_accounts", sa.Column("oidc_issuer", sa.String(length=500), nullable=True))
    op.add_column("staff_accounts", sa.Column("oidc_subject", sa.String(length=255), nullable=True))
    op.add_column("staff_accounts", sa.Column("mfa_secret", sa.String(length=64), nullable=True))
    op.add_column("staff_accounts", sa.Column("mfa_enabled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("staff_accounts", sa.Column("mfa_last_step", sa.Integer(), nullable=True))
    op.create_index("ix_staff_accounts_oidc", "staff_accounts", ["oidc_issuer", "oidc_subject"], unique=True)

    op.add_column("staff_sessions", sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("staff_sessions", sa.Column("browser", sa.String(length=120), server_default="", nullable=False))
    op.add_column(
        "staff_sessions", sa.Column("method", sa.String(length=16), server_default="password", nullable=False)
    )
    op.add_column("staff_sessions", sa.Column("step", sa.String(length=8), server_default="", nullable=False))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), for the same reason as above.
    for name in ("step", "method", "browser", "last_seen_at"):
        op.drop_column("staff_sessions", name)
    op.drop_index("ix_staff_accounts_oidc", table_name="staff_accounts")
    for name in ("mfa_last_step", "mfa_enabled_at", "mfa_secret", "oidc_subject", "oidc_issuer"):
        op.drop_column("staff_accounts", name)
    op.drop_index(op.f("ix_staff_recovery_codes_staff_id"), table_name="staff_recovery_codes")
    op.drop_table("staff_recovery_codes")
    op.drop_index(op.f("ix_staff_password_resets_staff_id"), table_name="staff_password_resets")
    op.drop_table("staff_password_resets")
