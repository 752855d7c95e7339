"""ticket followers (neighbours who joined an identical open ticket) and their count on the ticket; one-time
codes that prove a phone number across channels

Revision ID: 0011_ticket_followers
Revises: 0010_urg12
Create Date: 2026-12-07 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_ticket_followers"
down_revision: str | Sequence[str] | None = "0010_urg12"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tickets", sa.Column("followers_count", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "ticket_followers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_session_key", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("nombre", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("telefono", sa.String(length=32), nullable=True),
        sa.Column("wa_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_followers_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_followers")),
    )
    op.create_index(op.f("ix_ticket_followers_ticket_id"), "ticket_followers", ["ticket_id"], unique=False)
    op.create_index(
        "uq_ticket_followers_ticket_session", "ticket_followers", ["ticket_id", "chat_session_key"], unique=True
    )
    op.create_table(
        "phone_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("session_key", sa.String(length=128), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_phone_codes_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_codes")),
    )
    op.create_index("ix_phone_codes_session", "phone_codes", ["entity_id", "session_key"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_phone_codes_session", table_name="phone_codes")
    op.drop_table("phone_codes")
    op.drop_index("uq_ticket_followers_ticket_session", table_name="ticket_followers")
    op.drop_index(op.f("ix_ticket_followers_ticket_id"), table_name="ticket_followers")
    op.drop_table("ticket_followers")
    op.drop_column("tickets", "followers_count")
