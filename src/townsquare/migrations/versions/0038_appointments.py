"""appointments

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-05 22:48:52.517838
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0038"
down_revision: str | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "appointment_waitlist",
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_appointment_waitlist_citizen_id_citizens")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_appointment_waitlist_office_id_offices"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_appointment_waitlist_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_waitlist")),
    )
    with op.batch_alter_table("appointment_waitlist", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointment_waitlist_citizen_id"), ["citizen_id"], unique=False)
        batch_op.create_index(
            "ix_appointment_waitlist_office_day", ["office_id", "day", "status", "created_at"], unique=False
        )

    op.create_table(
        "appointments",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("conversation_id", sa.Uuid(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("occupied_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("occupied_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("hold_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("booked_via", sa.String(length=32), nullable=False),
        sa.Column("booked_by_id", sa.Uuid(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("reminder_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("no_show_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("waitlist_entry_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_appointments_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["booked_by_id"], ["staff_accounts.id"], name=op.f("fk_appointments_booked_by_id_staff_accounts")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_appointments_case_id_cases")),
        sa.ForeignKeyConstraint(["citizen_id"], ["citizens.id"], name=op.f("fk_appointments_citizen_id_citizens")),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversations.id"], name=op.f("fk_appointments_conversation_id_conversations")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_appointments_office_id_offices"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_appointments_service_id_services"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["waitlist_entry_id"],
            ["appointment_waitlist.id"],
            name=op.f("fk_appointments_waitlist_entry_id_appointment_waitlist"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointments_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_appointments_citizen_time", ["citizen_id", "starts_at"], unique=False)
        batch_op.create_index("ix_appointments_office_time", ["office_id", "occupied_from"], unique=False)
        batch_op.create_index("ix_appointments_status_end", ["status", "ends_at"], unique=False)
        batch_op.create_index("ix_appointments_status_reminder", ["status", "reminder_due_at"], unique=False)
        batch_op.create_index(
            "uq_appointments_citizen_start",
            ["citizen_id", "starts_at"],
            unique=True,
            postgresql_where=sa.text("status IN ('held', 'booked', 'arrived')"),
            sqlite_where=sa.text("status IN ('held', 'booked', 'arrived')"),
        )
    with op.batch_alter_table("counter_tickets", schema=None) as batch_op:  # a ticket for an appointment names it
        batch_op.create_foreign_key(
            batch_op.f("fk_counter_tickets_appointment_id_appointments"),
            "appointments",
            ["appointment_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("counter_tickets", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_counter_tickets_appointment_id_appointments"), type_="foreignkey")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_appointments_citizen_start",
            postgresql_where=sa.text("status IN ('held', 'booked', 'arrived')"),
            sqlite_where=sa.text("status IN ('held', 'booked', 'arrived')"),
        )
        batch_op.drop_index("ix_appointments_status_reminder")
        batch_op.drop_index("ix_appointments_status_end")
        batch_op.drop_index("ix_appointments_office_time")
        batch_op.drop_index("ix_appointments_citizen_time")
        batch_op.drop_index(batch_op.f("ix_appointments_case_id"))

    op.drop_table("appointments")
    with op.batch_alter_table("appointment_waitlist", schema=None) as batch_op:
        batch_op.drop_index("ix_appointment_waitlist_office_day")
        batch_op.drop_index(batch_op.f("ix_appointment_waitlist_citizen_id"))

    op.drop_table("appointment_waitlist")
