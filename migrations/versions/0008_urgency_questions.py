"""urgency questions the bot asked ("¿Hay alguien en peligro ahora mismo?") and the message they are about

Revision ID: 0010_urg12
Revises: 0010_ops15
Create Date: 2026-12-01 10:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_urg12"
down_revision: str | Sequence[str] | None = "0010_ops15"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "urgency_questions",
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("session_key", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_urgency_questions_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entity_id", "session_key", name=op.f("pk_urgency_questions")),
    )


def downgrade() -> None:
    op.drop_table("urgency_questions")
