"""Bare FastAPI + python-socketio under uvicorn: the reference of the CPU-per-request comparison (harness/cpu.py).

    POST /ask/{tipo} {pregunta?, action?}  -> a pydantic body parsed, a small JSON answered
    POST /emit {room, comentario}           -> the message broadcast to a Socket.IO room and, as `new_comment`, to
                                               the panel room of every listener, and answered
    GET  /list                              -> a small JSON (the panel list's reference)
    GET  /health                            -> {"status": "ok"}
    socket event `join {room}`              -> enter the room and the panel room, ack {"ok": true}

The panel broadcast is Ventanilla's live fan-out of an agent reply: `new_comment` to the entity's panel room (every
agent socket: the listeners of the comparison are all agents, in widget ticket rooms, so none is skipped as the
author's own view of the conversation) and `new_chat_message` to the ticket room. Without it the reference delivered
3 frames per reply and Ventanilla 63.

Usage: python py_bare_api.py PORT [--db URL]   (--db: every route but /health also runs one `SELECT 1` on that
database through SQLAlchemy's async engine: the bare-framework-plus-one-query reference for PostgreSQL)
"""

from __future__ import annotations

import sys
from typing import Any

import socketio
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

DB_URL = sys.argv[sys.argv.index("--db") + 1] if "--db" in sys.argv else None
engine = create_async_engine(DB_URL, pool_size=10) if DB_URL else None

sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins="*")
api = FastAPI()


class Ask(BaseModel):
    pregunta: str | None = None
    action: str | None = None


class Emit(BaseModel):
    room: str
    comentario: str


async def one_query() -> None:
    if engine is not None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))


PANEL = "panel"


@sio.event
async def join(sid: str, data: Any = None) -> dict[str, bool]:
    await sio.enter_room(sid, data["room"])
    await sio.enter_room(sid, PANEL)
    return {"ok": True}


@api.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@api.get("/list")
async def listing() -> dict[str, str]:
    await one_query()
    return {"status": "ok"}


@api.post("/ask/{tipo}")
async def ask(tipo: str, body: Ask) -> dict[str, Any]:
    await one_query()
    return {
        "respuesta": "Hola, ¿en qué te ayudo?",
        "botones": [{"texto": "Hacer un reclamo", "action": "reclamo"}],
        "tipo": tipo,
        "echo": body.pregunta,
    }


@api.post("/emit")
async def emit(body: Emit) -> dict[str, Any]:
    await one_query()
    msg = {"id": 1, "comentario": body.comentario, "texto": body.comentario, "es_admin": True, "autor": "Agente"}
    await sio.emit("new_comment", {"ticket_id": 1, **msg}, room=PANEL)
    await sio.emit("new_chat_message", msg, room=body.room)
    return {"ok": True, "mensaje": msg}


app = socketio.ASGIApp(sio, other_asgi_app=api)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
