"""Bare python-socketio server under uvicorn: the same protocol as node_server.mjs, no database, no auth.

    socket event `join {room}`      -> enter the room, ack {"ok": true}
    POST /emit {room, event, data}  -> sio.emit(event, data, room=room)

Usage: python py_bare_server.py PORT [--no-deflate]   (--no-deflate: uvicorn ws_per_message_deflate=False)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import socketio
import uvicorn

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins="*", ping_interval=25, ping_timeout=20)


@sio.event
async def join(sid: str, data: Any = None) -> dict[str, bool]:
    room = data.get("room") if isinstance(data, dict) else data
    if isinstance(room, str) and room:
        await sio.enter_room(sid, room)
    return {"ok": True}


async def _respond(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


async def http_app(scope: Scope, receive: Receive, send: Send) -> None:
    """POST /emit and GET /health."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    if scope["path"] == "/health":
        await _respond(send, 200, b'{"status":"ok"}')
        return
    if scope["method"] != "POST" or scope["path"] != "/emit":
        await _respond(send, 404, b"{}")
        return
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = json.loads(b"".join(chunks))
    await sio.emit(body.get("event", "new_chat_message"), body.get("data"), room=body["room"])
    await _respond(send, 200, b'{"ok":true}')


app = socketio.ASGIApp(sio, other_asgi_app=http_app)

if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
        ws_per_message_deflate="--no-deflate" not in sys.argv[2:],
    )
