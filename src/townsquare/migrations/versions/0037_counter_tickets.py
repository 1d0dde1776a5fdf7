"""counter tickets: walk-in tickets, their periods, the day's numbers, who is at which counter; office slugs unique

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-05 22:45:49.900807
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0037"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "counter_ticket_numbers",
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("prefix", sa.String(length=3), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_counter_ticket_numbers_office_id_offices"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("office_id", "service_day", "prefix", name=op.f("pk_counter_ticket_numbers")),
    )
    op.create_table(
        "counter_staffing",
        sa.Column("counter_id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counters.id"], name=op.f("fk_counter_staffing_counter_id_counters"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_accounts.id"],
            name=op.f("fk_counter_staffing_staff_id_staff_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("counter_id", name=op.f("pk_counter_staffing")),
        sa.UniqueConstraint("staff_id", name=op.f("uq_counter_staffing_staff_id")),
    )
    op.create_table(
        "counter_tickets",
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("prefix", sa.String(length=3), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=12), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("via", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("citizen_id", sa.Uuid(), nullable=True),
        sa.Column("conversation_id", sa.Uuid(), nullable=True),
        sa.Column("interaction_id", sa.Uuid(), nullable=True),
        sa.Column("work_item_id", sa.Uuid(), nullable=True),
        sa.Column("sms_identity_id", sa.Uuid(), nullable=True),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("booked_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counter_id", sa.Uuid(), nullable=True),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("target_counter_id", sa.Uuid(), nullable=True),
        sa.Column("ticketed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recalls", sa.Integer(), nullable=False),
        sa.Column("estimated_wait_seconds", sa.Integer(), nullable=True),
        sa.Column("actual_wait_seconds", sa.Integer(), nullable=True),
        sa.Column("wait_seconds", sa.Integer(), nullable=True),
        sa.Column("walk_up_seconds", sa.Integer(), nullable=True),
        sa.Column("service_seconds", sa.Integer(), nullable=True),
        sa.Column("hold_seconds", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["citizen_id"], ["citizens.id"], name=op.f("fk_counter_tickets_citizen_id_citizens")),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversations.id"], name=op.f("fk_counter_tickets_conversation_id_conversations")
        ),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counters.id"], name=op.f("fk_counter_tickets_counter_id_counters"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"], ["interactions.id"], name=op.f("fk_counter_tickets_interaction_id_interactions")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_counter_tickets_office_id_offices"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], name=op.f("fk_counter_tickets_service_id_services")),
        sa.ForeignKeyConstraint(
            ["sms_identity_id"], ["identities.id"], name=op.f("fk_counter_tickets_sms_identity_id_identities")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_accounts.id"],
            name=op.f("fk_counter_tickets_staff_id_staff_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["target_counter_id"],
            ["counters.id"],
            name=op.f("fk_counter_tickets_target_counter_id_counters"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["work_item_id"], ["work_items.id"], name=op.f("fk_counter_tickets_work_item_id_work_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counter_tickets")),
        sa.UniqueConstraint("interaction_id", name=op.f("uq_counter_tickets_interaction_id")),
        sa.UniqueConstraint(
            "office_id",
            "service_day",
            "prefix",
            "number",
            name=op.f("uq_counter_tickets_office_id_service_day_prefix_number"),
        ),
    )
    with op.batch_alter_table("counter_tickets", schema=None) as batch_op:
        batch_op.create_index("ix_counter_tickets_finished", ["finished_at"], unique=False)
        batch_op.create_index("ix_counter_tickets_line", ["office_id", "state", "ticketed_at"], unique=False)
        batch_op.create_index("ix_counter_tickets_served", ["office_id", "service_id", "finished_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_counter_tickets_work_item_id"), ["work_item_id"], unique=False)

    op.create_table(
        "counter_ticket_periods",
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("counter_id", sa.Uuid(), nullable=True),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"],
            ["counters.id"],
            name=op.f("fk_counter_ticket_periods_counter_id_counters"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_counter_ticket_periods_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_accounts.id"],
            name=op.f("fk_counter_ticket_periods_staff_id_staff_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["counter_tickets.id"],
            name=op.f("fk_counter_ticket_periods_ticket_id_counter_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counter_ticket_periods")),
    )
    with op.batch_alter_table("counter_ticket_periods", schema=None) as batch_op:
        batch_op.create_index("ix_counter_ticket_periods_ticket", ["ticket_id", "started_at"], unique=False)

    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_offices_slug"), ["slug"])


def downgrade() -> None:
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_offices_slug"), type_="unique")

    with op.batch_alter_table("counter_ticket_periods", schema=None) as batch_op:
        batch_op.drop_index("ix_counter_ticket_periods_ticket")

    op.drop_table("counter_ticket_periods")
    with op.batch_alter_table("counter_tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_counter_tickets_work_item_id"))
        batch_op.drop_index("ix_counter_tickets_served")
        batch_op.drop_index("ix_counter_tickets_line")
        batch_op.drop_index("ix_counter_tickets_finished")

    op.drop_table("counter_tickets")
    op.drop_table("counter_staffing")
    op.drop_table("counter_ticket_numbers")
