"""chat-session keys in one namespace per channel (`web:<uuid>`, `whatsapp:<wa_id>`); inbound emails once

Revision ID: 0012_session_namespaces
Revises: 0011_ticket_followers
Create Date: 2026-12-07 14:00:00

WhatsApp keys `wa-<wa_id>` (rows whose channel is WhatsApp) become `whatsapp:<wa_id>`; every other key becomes
`web:<key>`, so existing browser sessions (UUIDs) keep working, and a key a browser once chose to look like a
WhatsApp one (`wa-...` on a web row) is left in the web namespace, where it names nothing of WhatsApp. Web keys
too long for the prefix cannot be a UUID, so can never be presented again: their chat sessions go, their
tickets keep a truncated key.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_session_namespaces"
down_revision: str | Sequence[str] | None = "0011_ticket_followers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None



def _unprefixed(column: str) -> str:
    return f"NOT ({column} LIKE 'web:%' OR {column} LIKE 'whatsapp:%')"


def upgrade() -> None:
    op.create_table(
        "inbound_emails",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("recipient", sa.String(length=40), nullable=True),
        sa.Column("sender", sa.String(length=320), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_inbound_emails_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_emails")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_inbound_emails_dedup_key")),
    )
    op.create_index("ix_inbound_emails_ticket_status", "inbound_emails", ["ticket_id", "status"])

    # Urgency questions have no channel of their own: their chat session's tells.
    op.execute(
        "UPDATE urgency_questions SET session_key = 'whatsapp:' || substr(session_key, 4) "
        "WHERE session_key LIKE 'wa-%' AND EXISTS (SELECT 1 FROM chat_sessions c "
        "WHERE c.entity_id = urgency_questions.entity_id AND c.session_key = urgency_questions.session_key "
        "AND c.channel = 'whatsapp')"
    )
    op.execute(f"DELETE FROM urgency_questions WHERE {_unprefixed('session_key')} AND length(session_key) > 124")
    op.execute(f"UPDATE urgency_questions SET session_key = 'web:' || session_key WHERE {_unprefixed('session_key')}")

    op.execute(
        "UPDATE chat_sessions SET session_key = 'whatsapp:' || substr(session_key, 4) "
        "WHERE channel = 'whatsapp' AND session_key LIKE 'wa-%'"
    )
    op.execute(f"DELETE FROM chat_sessions WHERE {_unprefixed('session_key')} AND length(session_key) > 124")
    op.execute(f"UPDATE chat_sessions SET session_key = 'web:' || session_key WHERE {_unprefixed('session_key')}")

    op.execute(
        "UPDATE tickets SET chat_session_key = 'whatsapp:' || substr(chat_session_key, 4) "
        "WHERE channel = 'whatsapp' AND chat_session_key LIKE 'wa-%'"
    )
    op.execute(
        "UPDATE tickets SET chat_session_key = 'web:' || substr(chat_session_key, 1, 124) "
        f"WHERE chat_session_key IS NOT NULL AND {_unprefixed('chat_session_key')}"
    )


def downgrade() -> None:
    for table, column in (("urgency_questions", "session_key"), ("chat_sessions", "session_key")):
        op.execute(f"UPDATE {table} SET {column} = 'wa-' || substr({column}, 10) WHERE {column} LIKE 'whatsapp:%'")
        op.execute(f"UPDATE {table} SET {column} = substr({column}, 5) WHERE {column} LIKE 'web:%'")
    op.execute(
        "UPDATE tickets SET chat_session_key = 'wa-' || substr(chat_session_key, 10) "
        "WHERE chat_session_key LIKE 'whatsapp:%'"
    )
    op.execute("UPDATE tickets SET chat_session_key = substr(chat_session_key, 5) WHERE chat_session_key LIKE 'web:%'")
    op.drop_index("ix_inbound_emails_ticket_status", table_name="inbound_emails")
    op.drop_table("inbound_emails")
