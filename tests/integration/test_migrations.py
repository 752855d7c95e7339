"""The Alembic migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

import ventanilla.models  # noqa: F401
from tests.conftest import fresh_database
from tests.support import Server
from ventanilla.bot.models import UrgencyQuestion
from ventanilla.chat import keys
from ventanilla.chat.models import ChatSession
from ventanilla.cli import REPO_ROOT
from ventanilla.db import Base, make_engine, make_sessionmaker, unit_of_work
from ventanilla.entities import service as entities
from ventanilla.events import EventCollector
from ventanilla.tickets import service as tickets

REVISION = "0012_session_namespaces"


async def test_models_and_migrations_agree(server: Server) -> None:
    def diff(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with server.ctx.engine.connect() as connection:
        assert await connection.run_sync(diff) == []


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_existing_session_keys_move_into_their_namespaces(kind: str, tmp_root: Path) -> None:
    """WhatsApp keys `wa-<id>` become `whatsapp:<id>`, browser UUIDs `web:<uuid>` (so they keep working), and a
    `wa-...` key a browser once made on a web row stays in the web namespace."""
    web_uuid = str(uuid.uuid4())
    async with fresh_database(kind, tmp_root) as url:
        config = Config(str(REPO_ROOT / "alembic.ini"))
        config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        parents = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
        for parent in parents if isinstance(parents, tuple) else (parents,):
            await asyncio.to_thread(command.upgrade, config, parent)
        engine = make_engine(url)
        try:
            async with unit_of_work(make_sessionmaker(engine), EventCollector()) as uow:
                entity = await entities.create(uow.session, "Municipio de migración", "municipio")
                made = {}
                for name, key, channel in (
                    ("whatsapp", "wa-5492610000001", "whatsapp"),
                    ("web", web_uuid, "web"),
                    ("forged", "wa-5492610000002", "web"),
                ):
                    ticket, _ = await tickets.create_ticket(
                        uow, entity, tickets.NewTicket(asunto=name, chat_session_key=key, channel=channel)
                    )
                    uow.session.add(
                        ChatSession(entity_id=entity.id, session_key=key, channel=channel, ticket_id=ticket.id)
                    )
                    made[name] = ticket.id
                for key in ("wa-5492610000001", web_uuid):
                    uow.session.add(UrgencyQuestion(entity_id=entity.id, session_key=key, text="¿?", category="x"))
                await uow.commit()
            await asyncio.to_thread(command.upgrade, config, "heads")
            async with engine.connect() as connection:
                tickets_now = dict(
                    (await connection.execute(text("SELECT asunto, chat_session_key FROM tickets"))).all()
                )
                chats = {
                    (row[0], row[1])
                    for row in await connection.execute(text("SELECT session_key, channel FROM chat_sessions"))
                }
                questions = {
                    row[0] for row in await connection.execute(text("SELECT session_key FROM urgency_questions"))
                }
        finally:
            await engine.dispose()
    assert tickets_now == {
        "whatsapp": keys.whatsapp("5492610000001"),
        "web": keys.web(web_uuid),
        "forged": "web:wa-5492610000002",
    }
    assert chats == {
        (keys.whatsapp("5492610000001"), "whatsapp"),
        (keys.web(web_uuid), "web"),
        ("web:wa-5492610000002", "web"),
    }
    assert questions == {keys.whatsapp("5492610000001"), keys.web(web_uuid)}
    assert keys.channel_of("web:wa-5492610000002") is None  # no browser can present it again
