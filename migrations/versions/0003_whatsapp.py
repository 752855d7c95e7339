"""whatsapp: accounts, webhook inbox, outbound queue

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "whatsapp_accounts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("phone_number_id", sa.String(length=64), nullable=False),
        sa.Column("access_token", sa.String(length=1024), nullable=False),
        sa.Column("template_name", sa.String(length=200), nullable=True),
        sa.Column("template_language", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_whatsapp_accounts_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_accounts")),
        sa.UniqueConstraint("entity_id", name=op.f("uq_whatsapp_accounts_entity_id")),
        sa.UniqueConstraint("phone_number_id", name=op.f("uq_whatsapp_accounts_phone_number_id")),
    )
    op.create_table(
        "whatsapp_inbound_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("wamid", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("phone_number_id", sa.String(length=64), nullable=False),
        sa.Column("wa_id", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_inbound_events")),
    )
    with op.batch_alter_table("whatsapp_inbound_events", schema=None) as batch_op:
        batch_op.create_index("uq_whatsapp_inbound_events_key", ["kind", "wamid", "status"], unique=True)
        batch_op.create_index("ix_whatsapp_inbound_events_pending", ["processed_at", "next_attempt_at"], unique=False)
        batch_op.create_index(
            "ix_whatsapp_inbound_events_contact", ["phone_number_id", "wa_id", "occurred_at"], unique=False
        )

    op.create_table(
        "whatsapp_outbound_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("wa_id", sa.String(length=32), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("parts_sent", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("wamid", sa.String(length=200), nullable=True),
        sa.Column("delivery_status", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_whatsapp_outbound_messages_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_whatsapp_outbound_messages_ticket_id_tickets"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["ticket_messages.id"],
            name=op.f("fk_whatsapp_outbound_messages_message_id_ticket_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_outbound_messages")),
    )
    with op.batch_alter_table("whatsapp_outbound_messages", schema=None) as batch_op:
        batch_op.create_index("ix_whatsapp_outbound_messages_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_whatsapp_outbound_messages_recipient", ["entity_id", "wa_id", "id"], unique=False)
        batch_op.create_index("ix_whatsapp_outbound_messages_wamid", ["wamid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("whatsapp_outbound_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_whatsapp_outbound_messages_wamid")
        batch_op.drop_index("ix_whatsapp_outbound_messages_recipient")
        batch_op.drop_index("ix_whatsapp_outbound_messages_due")
    op.drop_table("whatsapp_outbound_messages")
    with op.batch_alter_table("whatsapp_inbound_events", schema=None) as batch_op:
        batch_op.drop_index("ix_whatsapp_inbound_events_contact")
        batch_op.drop_index("ix_whatsapp_inbound_events_pending")
        batch_op.drop_index("uq_whatsapp_inbound_events_key")
    op.drop_table("whatsapp_inbound_events")
    op.drop_table("whatsapp_accounts")
