"""create_app(settings): FastAPI wrapped by the Socket.IO ASGI app; the lifespan runs background services."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import orjson
import socketio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from ventanilla.attachments.http import router as attachments_router
from ventanilla.bot.http import router as bot_router
from ventanilla.chat import service as livechat
from ventanilla.context import AppContext, Clock
from ventanilla.db import SnapshotCache, make_engine, make_sessionmaker, utcnow
from ventanilla.entities.http import router as entities_router
from ventanilla.entities.models import Entity
from ventanilla.knowledge.http import router as knowledge_router
from ventanilla.ratelimit import RateLimits
from ventanilla.realtime import socket as realtime_socket
from ventanilla.realtime.listener import RealtimeListener
from ventanilla.realtime.presence import LocalPresence, Presence, RedisPresence
from ventanilla.realtime.publisher import SocketPublisher
from ventanilla.security import TokenSigner
from ventanilla.settings import Settings, get_settings
from ventanilla.tickets.http import router as tickets_router
from ventanilla.users.http import router as users_router
from ventanilla.users.models import User
from ventanilla.web import ApiPrefix, BodyLimit, ORJSONResponse, install_error_handlers

log = logging.getLogger(__name__)

ALLOWED_HEADERS = ["Authorization", "Content-Type", "X-Entity-Token", "X-Chat-Session-Id", "Anon-Id", "X-Anon-Id"]

BackgroundService = Callable[[AppContext], Coroutine[Any, Any, None]]
PLUGINS = ("ventanilla.notifications.plugin", "ventanilla.whatsapp.plugin", "ventanilla.adapters.pusher")


class _OrjsonForSocketIO:
    """python-socketio's pluggable JSON module, backed by orjson (compact, and several times faster)."""

    @staticmethod
    def dumps(obj: Any, **_: Any) -> str:
        return orjson.dumps(obj).decode()

    @staticmethod
    def loads(data: str | bytes, **_: Any) -> Any:
        return orjson.loads(data)


def _socket_server(settings: Settings) -> socketio.AsyncServer:
    manager = (
        socketio.AsyncRedisManager(settings.redis_url, channel=settings.redis_channel) if settings.redis_url else None
    )
    origins: str | list[str] = "*" if "*" in settings.cors_origins else settings.cors_origins
    return socketio.AsyncServer(
        async_mode="asgi",
        client_manager=manager,
        cors_allowed_origins=origins,
        cors_credentials=True,
        ping_interval=settings.socket_ping_interval,
        ping_timeout=settings.socket_ping_timeout,
        max_http_buffer_size=settings.max_body_bytes,
        json=_OrjsonForSocketIO,
        logger=False,
        engineio_logger=False,
    )


async def _presence_heartbeat(ctx: AppContext) -> None:
    presence: Presence = ctx.services["presence"]
    while True:
        await asyncio.sleep(20)
        try:
            await presence.heartbeat()
        except Exception:
            log.exception("presence heartbeat failed")


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock = utcnow,
    extra_services: list[BackgroundService] | None = None,
) -> socketio.ASGIApp:
    """Build the whole ASGI application for one process."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    sio = _socket_server(settings)
    ctx = AppContext(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        sio=sio,
        signer=TokenSigner(settings.signing_secret()),
        clock=clock,
        rate_limits=RateLimits.from_settings(settings.redis_url, settings.redis_channel),
    )
    presence: Presence = (
        RedisPresence(settings.redis_url, prefix=f"{settings.redis_channel}:presence")
        if settings.redis_url
        else LocalPresence()
    )
    ctx.services["presence"] = presence
    ctx.services["entity_cache"] = SnapshotCache(Entity)
    ctx.services["user_cache"] = SnapshotCache(User)
    ctx.publishers.append(SocketPublisher(sio))
    ctx.listeners.append(RealtimeListener())
    realtime_socket.register(ctx, presence)

    async def agent_online(entity_id: int, user_id: int) -> None:
        await livechat.on_agent_online(ctx, entity_id, user_id)

    ctx.services["agent_online_hooks"].append(agent_online)
    workers: list[BackgroundService] = [*(extra_services or [])]
    plugin_routers = []
    for plugin in _plugins():
        workers.extend(plugin.install(ctx))
        if getattr(plugin, "router", None) is not None:
            plugin_routers.append(plugin.router)
    ctx.services["workers"] = workers

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        background = [_presence_heartbeat, *(workers if settings.run_workers else [])]
        tasks: list[asyncio.Task[None]] = [asyncio.create_task(service(ctx)) for service in background]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            with contextlib.suppress(Exception):
                await presence.close()
            with contextlib.suppress(Exception):
                await ctx.rate_limits.close()
            await engine.dispose()

    api = FastAPI(
        title="Ventanilla",
        version="0.1.0",
        description="Reclamos municipales con chat en vivo, WhatsApp y email.",
        default_response_class=ORJSONResponse,
        lifespan=lifespan,
    )
    api.state.ctx = ctx
    install_error_handlers(api)
    allow_all = "*" in settings.cors_origins
    api.add_middleware(
        CORSMiddleware,
        allow_origins=[] if allow_all else settings.cors_origins,
        allow_origin_regex=".*" if allow_all else None,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=ALLOWED_HEADERS,
        expose_headers=["X-Anon-Id"],
        max_age=600,
    )
    api.include_router(knowledge_router)
    # Channel routes first: `/archivos/whatsapp/{id}` must win over the generic `/archivos/{key}/{name}`.
    for router in (*plugin_routers, users_router, entities_router, tickets_router, bot_router, attachments_router):
        api.include_router(router)

    @api.get("/health", tags=["salud"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    limited = BodyLimit(
        ApiPrefix(api),
        default=settings.max_body_bytes,
        per_prefix={
            "/webhooks/email": settings.max_inbound_email_bytes,
            "/webhooks/whatsapp": 1024 * 1024,
            # Multipart framing on top of the file itself.
            "/archivos/upload": settings.max_upload_bytes + 64 * 1024,
        },
        streamed=("/archivos/upload",),
    )
    app = socketio.ASGIApp(sio, other_asgi_app=limited, socketio_path="socket.io")
    app.ctx = ctx
    app.api = api
    return app


def _plugins() -> list[Any]:
    """Channel modules (email, WhatsApp, Pusher): each has `install(ctx) -> workers` and may have a `router`."""
    found: list[Any] = []
    for module_name in PLUGINS:
        try:
            found.append(importlib.import_module(module_name))
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
    return found
