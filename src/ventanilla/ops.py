"""Operations: /healthz, /readyz, /metrics, one log line per request, JSON logs, and /docs served offline."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
from pathlib import Path

import redis.asyncio as aioredis
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest
from pydantic import BaseModel
from sqlalchemy import text
from starlette.types import Scope

from ventanilla.chat import service as chat
from ventanilla.context import AppContext
from ventanilla.db import UnitOfWork
from ventanilla.domain import Prioridad
from ventanilla.entities.models import Entity
from ventanilla.errors import Forbidden
from ventanilla.jobs.runner import Backlog
from ventanilla.logs import JsonFormatter, configure_logging
from ventanilla.tickets.hooks import BaseListener
from ventanilla.tickets.models import Ticket
from ventanilla.web import Ctx

log = logging.getLogger("ventanilla.http")

REQUESTS = Counter(
    "ventanilla_http_requests_total", "HTTP requests, by method, route and status", ["method", "route", "status"]
)
LATENCY = Histogram("ventanilla_http_request_seconds", "HTTP request latency, by method and route", ["method", "route"])
SOCKETS = Gauge("ventanilla_sockets_connected", "Socket.IO connections open in this process")
JOBS_PENDING = Gauge("ventanilla_jobs_pending", "Durable jobs waiting (due or not), by kind", ["kind"])
JOBS_OLDEST = Gauge("ventanilla_jobs_oldest_pending_seconds", "Age of the oldest waiting job, by kind", ["kind"])
JOBS_FAILED = Gauge("ventanilla_jobs_failed", "Dead letters (failed for good, kept to retry), by kind", ["kind"])
LIVE_WAITING = Gauge("ventanilla_live_chats_waiting", "Live chats waiting for an agent")
URGENT_OPENED = Counter("ventanilla_urgent_tickets_total", "Tickets opened as, or turned, urgent")

_DOCS_ASSETS = "/docs-assets"


class Health(BaseModel):
    """The process answers."""

    status: str


class JobBacklog(BaseModel):
    """One queue's backlog: jobs waiting (due or not), the oldest one's age, and dead letters."""

    pending: int
    oldest_seconds: float
    failed: int


class Readiness(BaseModel):
    """Each dependency's state and the job backlog."""

    status: str
    checks: dict[str, str]
    jobs: dict[str, JobBacklog]


router = APIRouter(tags=["operaciones"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up (no dependency is checked)."""
    return Health(status="ok")


async def _check_database(ctx: AppContext) -> str:
    try:
        async with ctx.engine.connect() as connection:
            await asyncio.wait_for(connection.execute(text("SELECT 1")), 3)
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


async def _check_redis(ctx: AppContext) -> str | None:
    if not ctx.settings.redis_url:
        return None
    client = aioredis.from_url(ctx.settings.redis_url, socket_timeout=3, socket_connect_timeout=3)
    try:
        await client.ping()
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    finally:
        await client.aclose()


def _backlog_json(backlog: Backlog) -> JobBacklog:
    return JobBacklog(pending=backlog.pending, oldest_seconds=round(backlog.oldest_seconds, 1), failed=backlog.failed)


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness, "description": "Not ready"}})
async def readyz(ctx: Ctx) -> Response:
    """Database and (when configured) Redis reachable, else 503; the job backlog for information."""
    checks = {"database": await _check_database(ctx)}
    redis_state = await _check_redis(ctx)
    if redis_state is not None:
        checks["redis"] = redis_state
    jobs: dict[str, JobBacklog] = {}
    if checks["database"] == "ok":
        try:
            jobs = {kind: _backlog_json(b) for kind, b in (await ctx.jobs.backlog()).items()}
        except Exception as exc:
            checks["jobs"] = f"error: {type(exc).__name__}"
    ready = all(state == "ok" for state in checks.values())
    body = Readiness(status="ok" if ready else "unavailable", checks=checks, jobs=jobs)
    return Response(body.model_dump_json(), status_code=200 if ready else 503, media_type="application/json")


def _metrics_allowed(ctx: AppContext, request: Request) -> bool:
    token = ctx.settings.metrics_token
    if token is not None and token.get_secret_value():
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.get_secret_value().encode())
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format"},
        403: {"description": "Without the metrics token (or, with none set, from outside loopback)"},
    },
)
async def metrics(request: Request, ctx: Ctx) -> Response:
    """Prometheus metrics; needs `Authorization: Bearer VENTANILLA_METRICS_TOKEN`, or a loopback client without one."""
    if not _metrics_allowed(ctx, request):
        raise Forbidden("Las métricas requieren el token de métricas.")
    SOCKETS.set(len(getattr(ctx.sio.eio, "sockets", {})))
    try:
        for kind, backlog in (await ctx.jobs.backlog()).items():
            JOBS_PENDING.labels(kind).set(backlog.pending)
            JOBS_OLDEST.labels(kind).set(backlog.oldest_seconds)
            JOBS_FAILED.labels(kind).set(backlog.failed)
        async with ctx.sessions() as session:
            LIVE_WAITING.set(await chat.waiting_count(session))
    except Exception:
        log.exception("metrics: reading the database failed")
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


class UrgencyCounter(BaseListener):
    """Counts tickets that open urgent or turn urgent, once their transaction commits."""

    async def ticket_created(self, uow: UnitOfWork, entity: Entity, ticket: Ticket) -> None:
        """An urgent new ticket."""
        if ticket.prioridad == Prioridad.URGENTE:
            uow.events.after_commit(_count_urgent)

    async def escalated(self, uow: UnitOfWork, entity: Entity, ticket: Ticket) -> None:
        """A ticket turned urgent."""
        uow.events.after_commit(_count_urgent)


async def _count_urgent() -> None:
    URGENT_OPENED.inc()


def log_request(scope: Scope, status: int, seconds: float) -> None:
    """One log line and the metrics of an HTTP request, labelled by route template (never the raw path)."""
    route = getattr(scope.get("route"), "path", None) or "unmatched"
    method = scope.get("method", "")
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)
    ms = seconds * 1000
    log.info(
        "%s %s %d %.1fms",
        method,
        route,
        status,
        ms,
        extra={"method": method, "route": route, "status": status, "ms": round(ms, 1)},
    )


def install_docs(api: FastAPI) -> None:
    """Swagger UI 5 at /docs from the `fastapi-offline` package's assets, so it works without internet.

    Swagger UI 4 (the `swagger-ui-bundle` package) cannot read the OpenAPI 3.1 FastAPI writes.
    """
    import fastapi_offline

    assets = Path(fastapi_offline.__file__).parent / "static"
    api.mount(_DOCS_ASSETS, StaticFiles(directory=assets), name="docs-assets")

    @api.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Ventanilla: API",
            swagger_js_url=f"{_DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{_DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{_DOCS_ASSETS}/favicon.png",
        )


__all__ = ["JsonFormatter", "UrgencyCounter", "configure_logging", "install_docs", "log_request", "router"]
