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
# What alembic_version held on main over time, while the migrations were branches off 0001, then after each merge.
EARLIER_HEADS = [
    ("0001",),
    ("0002",),
    ("0002", "0003"),
    ("0002", "0003", "0004"),
    ("0002", "0003", "0004", "0010_bot13"),
    ("0002", "0003", "0004", "0010_bot13", "0010_fe10"),
    ("0002", "0004", "0010_bot13", "0010_fe10", "0010_ops15"),
    ("0002", "0004", "0010_bot13", "0010_fe10", "0010_ops15", "0010_urg12"),
    ("0011_ticket_followers",),
    (REVISION,),
]


def _config(url: str) -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _schema_drift(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def test_the_migrations_are_one_chain_with_descriptive_file_names() -> None:
    script = ScriptDirectory.from_config(_config("sqlite://"))
    revisions = list(script.walk_revisions())
    assert script.get_heads() == [REVISION]
    assert all(not isinstance(r.down_revision, tuple) for r in revisions)  # no merge points, no branches
    names = sorted(Path(r.path).name for r in revisions)
    assert len({name[:4] for name in names}) == len(names)  # one file per number
    assert all(name[4] == "_" and name[5:-3].replace("_", "").isalpha() for name in names), names


async def _at_earlier_heads(config: Config, url: str, heads: tuple[str, ...]) -> None:
    """A database as the migrations of that time left it: the same tables, one alembic_version row per head."""
    chain = [r.revision for r in reversed(list(ScriptDirectory.from_config(config).walk_revisions()))]
    await asyncio.to_thread(command.upgrade, config, max(heads, key=chain.index))
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM alembic_version"))
            for head in heads:
                await connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": head})
    finally:
        await engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
@pytest.mark.parametrize("heads", [None, *EARLIER_HEADS], ids=["fresh", *("+".join(h) for h in EARLIER_HEADS)])
async def test_every_earlier_head_and_a_fresh_install_upgrade_to_the_models(
    kind: str, heads: tuple[str, ...] | None, tmp_root: Path
) -> None:
    async with fresh_database(kind, tmp_root) as url:
        config = _config(url)
        if heads is not None:
            await _at_earlier_heads(config, url, heads)
        await asyncio.to_thread(command.upgrade, config, "heads")
        engine = make_engine(url)
        try:
            async with engine.connect() as connection:
                versions = [row[0] for row in await connection.execute(text("SELECT version_num FROM alembic_version"))]
                drift = await connection.run_sync(_schema_drift)
        finally:
            await engine.dispose()
    assert versions == [REVISION]
    assert drift == []


async def test_a_branch_state_no_release_had_is_refused_with_what_is_missing(tmp_root: Path) -> None:
    async with fresh_database("sqlite", tmp_root) as url:
        config = _config(url)
        await _at_earlier_heads(config, url, ("0002", "0010_ops15"))  # 0003 is applied (ops15's parent), 0004 not
        with pytest.raises(RuntimeError, match=r"lacks \['0004', '0010_bot13', '0010_fe10'\]"):
            await asyncio.to_thread(command.upgrade, config, "heads")


async def test_models_and_migrations_agree(server: Server) -> None:
    async with server.ctx.engine.connect() as connection:
        assert await connection.run_sync(_schema_drift) == []


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_existing_session_keys_move_into_their_namespaces(kind: str, tmp_root: Path) -> None:
    """WhatsApp keys `wa-<id>` become `whatsapp:<id>`, browser UUIDs `web:<uuid>` (so they keep working), and a
    `wa-...` key a browser once made on a web row stays in the web namespace."""
    web_uuid = str(uuid.uuid4())
    async with fresh_database(kind, tmp_root) as url:
        config = _config(url)
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
