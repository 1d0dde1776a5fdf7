"""contact centre administration: a skills catalogue, teams, calendars and SLA targets that can be deactivated,
queue names and wrap-up labels in French, and the indexes of the administrators' view of the audit log

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 19:19:47.200589
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = ("business_calendars", "sla_targets", "teams")
FRENCH = (("queues", "name_fr"), ("wrap_up_codes", "label_fr"))
AUDIT_INDEXES = {
    "ix_audit_log_time": ["occurred_at", "id"],
    "ix_audit_log_agency_time": ["agency_id", "occurred_at", "id"],
    "ix_audit_log_actor_time": ["actor_id", "occurred_at", "id"],
    "ix_audit_log_action_time": ["action", "occurred_at", "id"],
    "ix_audit_log_subject_time": ["subject_kind", "subject_id", "occurred_at", "id"],
}


def upgrade() -> None:
    op.create_table(
        "skills",
        sa.Column("agency_id", sa.Uuid(), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("label_fr", sa.String(length=200), server_default="", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_skills_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skills")),
        sa.UniqueConstraint("agency_id", "code", name=op.f("uq_skills_agency_id_code")),
    )
    op.create_index(op.f("ix_skills_agency_id"), "skills", ["agency_id"], unique=False)
    for name, columns in AUDIT_INDEXES.items():
        op.create_index(name, "audit_log", columns, unique=False)
    # Plain ALTERs, never a batch copy: SQLite would drop the old table, and rows pointing at it (a transfer to a
    # team) would lose their reference.
    for table in ACTIVE:
        op.add_column(table, sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
    for table, column in FRENCH:
        op.add_column(table, sa.Column(column, sa.String(length=200), server_default="", nullable=False))


def downgrade() -> None:
    for table, column in FRENCH:
        op.drop_column(table, column)
    for table in ACTIVE:
        op.drop_column(table, "active")
    for name in AUDIT_INDEXES:
        op.drop_index(name, table_name="audit_log")
    op.drop_index(op.f("ix_skills_agency_id"), table_name="skills")
    op.drop_table("skills")
