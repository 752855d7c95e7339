"""tenant slugs, agent categories, profile opt-in, anonymous visitor ids, reply buttons

Revision ID: 0010_fe10
Revises: 0010_bot13
Create Date: 2026-12-01 10:00:00
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_fe10"
down_revision: str | Sequence[str] | None = "0010_bot13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _slug(name: str) -> str:
    # The same rule as entities.service.slugify, frozen here so the migration never changes meaning.
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:56].strip("-") or "entidad"


def upgrade() -> None:
    op.add_column("entities", sa.Column("slug", sa.String(length=64), nullable=True))
    entities = sa.table("entities", sa.column("id", sa.Integer()), sa.column("name"), sa.column("slug"))
    bind = op.get_bind()
    taken: set[str] = set()
    for entity_id, name in bind.execute(sa.select(entities.c.id, entities.c.name).order_by(entities.c.id)).all():
        base = _slug(str(name or ""))
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        bind.execute(sa.update(entities).where(entities.c.id == entity_id).values(slug=slug))
    with op.batch_alter_table("entities") as batch:
        batch.alter_column("slug", existing_type=sa.String(length=64), nullable=False)
    op.create_index("uq_entities_slug", "entities", ["slug"], unique=True)
    op.add_column("users", sa.Column("categories", sa.JSON(), nullable=True))
    op.add_column("users", sa.Column("marketing_opt_in", sa.Boolean(), nullable=True))
    op.add_column("chat_sessions", sa.Column("anon_id", sa.String(length=64), nullable=True))
    op.create_index("ix_chat_sessions_anon", "chat_sessions", ["entity_id", "anon_id"])
    op.add_column("ticket_messages", sa.Column("buttons", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("ticket_messages", "buttons")
    op.drop_index("ix_chat_sessions_anon", table_name="chat_sessions")
    op.drop_column("chat_sessions", "anon_id")
    op.drop_column("users", "marketing_opt_in")
    op.drop_column("users", "categories")
    op.drop_index("uq_entities_slug", table_name="entities")
    with op.batch_alter_table("entities") as batch:
        batch.drop_column("slug")
