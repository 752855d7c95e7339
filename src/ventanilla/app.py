"""create_app(settings): FastAPI wrapped by the Socket.IO ASGI app; the lifespan runs background services."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
import socketio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from ventanilla.attachments.http import router as attachments_router
from ventanilla.bot.http import router as bot_router
from ventanilla.chat import jobs as urgent_watch
from ventanilla.chat import known as known_sessions
from ventanilla.chat import service as livechat
from ventanilla.context import AppContext, BackgroundService, Clock
from ventanilla.db import make_engine, make_sessionmaker, utcnow
from ventanilla.entities.http import router as entities_router
from ventanilla.events import AfterCommitQueue
from ventanilla.knowledge.http import router as knowledge_router
from ventanilla.ops import UrgencyCounter, configure_logging, install_docs, log_request
from ventanilla.ops import router as ops_router
from ventanilla.ratelimit import RateLimits
from ventanilla.realtime import socket as realtime_socket
from ventanilla.realtime.caps import LocalSocketCap, RedisSocketCap, SocketCap
from ventanilla.realtime.listener import RealtimeListener
from ventanilla.realtime.presence import LocalPresence, Presence, RedisPresence
from ventanilla.realtime.publisher import SocketPublisher
from ventanilla.security import TokenSigner
from ventanilla.settings import Settings, get_settings
from ventanilla.stats.http import router as stats_router
from ventanilla.tickets import list_cache
from ventanilla.tickets.http import MAX_REPLY_FILES
from ventanilla.tickets.http import router as tickets_router
from ventanilla.users.http import router as users_router
from ventanilla.web import (
    Edge,
    ORJSONResponse,
    WireOut,
    install_error_handlers,
    install_openapi,
)

log = logging.getLogger(__name__)

ALLOWED_HEADERS = [
    "Authorization",
    "Content-Type",
    "X-Entity-Token",
    "X-Chat-Session-Id",
    "Anon-Id",
    "X-Anon-Id",
    "X-Tenant",
    "X-Widget-Token",
]

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
    return realtime_socket.Server(
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
    cap: SocketCap | None = getattr(ctx.sio, "socket_cap", None)
    while True:
        await asyncio.sleep(20)
        try:
            await ctx.presence.heartbeat()
            if cap is not None:
                await cap.heartbeat()
        except Exception:
            log.exception("presence heartbeat failed")



def _warm_up() -> None:
    """Build what the first message would otherwise build in its request: the urgency model and its spelling
    index, and the bot's intent model (a few hundred ms of CPU, once per process, before the port opens)."""
    from ventanilla.bot import intent_model
    from ventanilla.urgency import classify

    classify("Hola, hay una pérdida de agua en la vereda desde ayer")
    intent_model.shipped()


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock = utcnow,
    extra_services: list[BackgroundService] | None = None,
    serving: bool = True,
) -> socketio.ASGIApp:
    """Build the whole ASGI application for one process (`serving=False`: a `worker` process, which serves no
    widget)."""
    settings = settings or get_settings()
    if not logging.getLogger().handlers:  # a process uvicorn spawned (`serve --workers N`) logs like its parent
        configure_logging(settings.log_format)
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    if serving and not settings.redis_url:  # the one serving process (more need Redis) inserts every web session
        known_sessions.trust(engine.sync_engine)
        list_cache.install(engine.sync_engine)
    sio = _socket_server(settings)
    presence: Presence = (
        RedisPresence(settings.redis_url, prefix=f"{settings.redis_channel}:presence")
        if settings.redis_url
        else LocalPresence()
    )
    ctx = AppContext(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        sio=sio,
        signer=TokenSigner(settings.signing_secret()),
        presence=presence,
        clock=clock,
        rate_limits=RateLimits.from_settings(settings.redis_url, settings.redis_channel),
    )
    if settings.max_sockets_per_address > 0:
        sio.socket_cap = (
            RedisSocketCap(settings.redis_url, settings.max_sockets_per_address, f"{settings.redis_channel}:sockets")
            if settings.redis_url
            else LocalSocketCap(settings.max_sockets_per_address)
        )
    ctx.publishers.append(SocketPublisher(sio))
    ctx.listeners.extend([RealtimeListener(presence), UrgencyCounter()])
    realtime_socket.register(ctx, presence)

    async def agent_online(entity_id: int, user_id: int) -> None:
        await livechat.on_agent_online(ctx, entity_id, user_id)

    ctx.agent_online_hooks.append(agent_online)
    urgent_watch.install(ctx)
    ctx.workers.extend(extra_services or [])
    plugin_routers = []
    for plugin in _plugins():
        ctx.workers.extend(plugin.install(ctx))
        if getattr(plugin, "router", None) is not None:
            plugin_routers.append(plugin.router)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        ctx.after_commit = AfterCommitQueue(ctx.publishers)
        await asyncio.to_thread(_warm_up)
        tasks = start_background(ctx, with_workers=settings.run_workers)
        tasks.append(asyncio.create_task(_presence_heartbeat(ctx)))
        try:
            yield
        finally:
            await shutdown(ctx, tasks)

    api = FastAPI(
        title="Ventanilla",
        version="0.1.0",
        description="Reclamos municipales con chat en vivo, WhatsApp y email.",
        default_response_class=ORJSONResponse,
        lifespan=lifespan,
        docs_url=None,
    )
    install_docs(api)
    api.state.ctx = ctx
    install_error_handlers(api)
    # The hottest routes first: a request is matched against the routes in order, twice (FastAPI's router), and no
    # other router has a path under /ask/ or one the tickets router's paths can match.
    api.include_router(bot_router)
    api.include_router(tickets_router)
    api.include_router(knowledge_router)
    # Channel routes first: `/archivos/whatsapp/{id}` must win over the generic `/archivos/{key}/{name}`.
    for router in (
        *plugin_routers,
        users_router,
        entities_router,
        stats_router,
        attachments_router,
    ):
        api.include_router(router)
    api.include_router(ops_router)

    @api.get("/health", tags=["operaciones"], response_model=HealthOut)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    install_openapi(api)

    allow_all = "*" in settings.cors_origins
    edge = Edge(
        api,
        default_limit=settings.max_body_bytes,
        per_prefix={
            "/webhooks/email": settings.max_inbound_email_bytes,
            "/webhooks/whatsapp": 1024 * 1024,
            # Multipart framing on top of the file itself.
            "/archivos/upload": settings.max_upload_bytes + 64 * 1024,
        },
        streamed=("/archivos/upload",),
        # An agent's multipart reply: up to MAX_REPLY_FILES files, each within the upload limit.
        per_suffix={"/responder": MAX_REPLY_FILES * settings.max_upload_bytes + 64 * 1024},
        observe=log_request,
        cors=functools.partial(
            CORSMiddleware,
            allow_origins=[] if allow_all else settings.cors_origins,
            allow_origin_regex=".*" if allow_all else None,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=ALLOWED_HEADERS,
            expose_headers=["X-Anon-Id"],
            max_age=600,
        ),
    )
    app = realtime_socket.App(sio, other_asgi_app=edge, socketio_path="socket.io")
    app.ctx = ctx
    app.api = api
    if settings.trusted_proxies:
        # The client address (rate limits, socket caps) comes from X-Forwarded-For only when the peer is one of
        # these proxies; anyone else is the TCP peer, whatever headers they send.
        app.trust_proxies(settings.trusted_proxies)
    return app


class HealthOut(WireOut):
    """The process is up."""

    status: str


def start_background(ctx: AppContext, *, with_workers: bool = True) -> list[asyncio.Task[None]]:
    """Start every job runner and background worker of the process (`serve` and `worker` alike)."""
    if not with_workers:
        return []
    tasks = [asyncio.create_task(runner.run(), name=f"jobs-{runner.kind}") for runner in ctx.jobs]
    tasks.extend(asyncio.create_task(service(ctx)) for service in ctx.workers)
    return tasks


async def shutdown(ctx: AppContext, tasks: list[asyncio.Task[None]]) -> None:
    """Stop taking jobs, let the claimed ones finish (or release them), deliver queued events, close everything."""
    await ctx.jobs.stop(ctx.settings.shutdown_grace_seconds)
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    if ctx.after_commit is not None:
        await ctx.after_commit.close(ctx.settings.shutdown_grace_seconds)
    for closer in ctx.closers:
        with contextlib.suppress(Exception):
            await closer(ctx)
    with contextlib.suppress(Exception):
        await ctx.presence.close()
    with contextlib.suppress(Exception):
        await ctx.rate_limits.close()
    cap: SocketCap | None = getattr(ctx.sio, "socket_cap", None)
    if cap is not None:
        with contextlib.suppress(Exception):
            await cap.close()
    await ctx.engine.dispose()


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
