"""one citizen account per WhatsApp number and entity

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("uq_users_entity_whatsapp", "users", ["entity_id", "whatsapp_id"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_users_entity_whatsapp", table_name="users")
