"""The `ventanilla` command: serve, worker, demo, entities, users, urgency, db.

`--help` and a bad argument must answer at once: this module and the parsers of the extensions import nothing
heavy (no pydantic, FastAPI or SQLAlchemy); each command imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from ventanilla.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger("ventanilla")

Handler = Callable[[argparse.Namespace, "Settings"], int]
_EXTENSIONS = (
    "ventanilla.notifications.cli",
    "ventanilla.whatsapp.cli",
    "ventanilla.knowledge.cli",
    "ventanilla.jobs.cli",
)


def fail(message: str) -> NoReturn:
    """Stop the command with a one-line error (a DomainError: printed as JSON on stderr, exit 2)."""
    from ventanilla.errors import BadRequest

    raise BadRequest(message)


# --- argument types: a bad value is refused where it is typed -------------------------------------------------


def int_between(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer in [low, high]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"se esperaba un número entero, no {text!r}") from None
        if value < low or (high is not None and value > high):
            bounds = f"entre {low} y {high}" if high is not None else f"mayor o igual a {low}"
            raise argparse.ArgumentTypeError(f"debe ser un número {bounds}, no {value}")
        return value

    return parse


port_number = int_between(1, 65535)


def digits(text: str) -> str:
    """An argparse type: an identifier made of digits only (WhatsApp's phone_number_id)."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"debe tener solo dígitos, no {text!r}")
    return text


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error (the same JSON as every other error of the command), exit 2."""

    def error(self, message: str) -> NoReturn:
        error = f"{self.prog}: {message} (ver {self.prog} --help)"
        print(json.dumps({"error": error}, ensure_ascii=False), file=sys.stderr)
        sys.exit(2)


def _print(data: Any, as_json: bool, human: str) -> None:
    print(json.dumps(data, ensure_ascii=False) if as_json else human)


def _run(coro: Coroutine[Any, Any, Any]) -> Any:
    import asyncio

    return asyncio.run(coro)


def upgrade_database(settings: Settings) -> None:
    """Apply every Alembic migration (all branches) to the configured database."""
    from alembic import command
    from alembic.config import Config

    if settings.is_sqlite:
        path = settings.database_url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    command.upgrade(config, "heads")


async def with_uow(settings: Settings, work: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run `work(uow)` in one committed unit of work on its own engine (for commands)."""
    from ventanilla.db import make_engine, make_sessionmaker, unit_of_work
    from ventanilla.events import EventCollector

    engine = make_engine(settings.database_url)
    try:
        async with unit_of_work(make_sessionmaker(engine), EventCollector()) as uow:
            result = await work(uow)
            await uow.commit()
            return result
    finally:
        await engine.dispose()


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    """ventanilla db upgrade"""
    upgrade_database(settings)
    print("Base de datos actualizada.")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """ventanilla serve"""
    import os

    if args.workers > 1 and not settings.redis_url:
        fail(
            f"--workers {args.workers} necesita Redis (VENTANILLA_REDIS_URL=redis://...): sin él cada proceso ve "
            "solo sus propios sockets y los mensajes en vivo no llegan a los demás."
        )
    import uvicorn

    from ventanilla.settings import get_settings

    if args.port:
        # The app is built by uvicorn from the environment: the port it serves is the one links point at.
        os.environ["VENTANILLA_PORT"] = str(args.port)
        get_settings.cache_clear()
    if settings.secret_key is None:
        log.warning(
            "VENTANILLA_SECRET_KEY is not set: using a random key kept in %s (development only)", settings.data_dir
        )
    upgrade_database(settings)
    uvicorn.run(
        "ventanilla.app:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers,
        # uvloop and httptools (from uvicorn[standard]) when installed, else asyncio and h11.
        loop="auto",
        http="auto",
        # Engine.IO pings every socket itself (VENTANILLA_SOCKET_PING_INTERVAL); a second, websocket-level ping
        # would add a timer and a wake-up per idle socket for nothing.
        ws_ping_interval=None,
        # Forwarded headers are read by the app itself, from VENTANILLA_TRUSTED_PROXIES only (uvicorn's own
        # default would believe any loopback peer).
        proxy_headers=False,
        log_level=args.log_level,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=5,
        # Compressing every frame once per recipient costs CPU and ~40 KiB per idle socket; Node's
        # socket.io has it off by default too.
        ws_per_message_deflate=False,
    )
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """ventanilla worker: every job runner (emails, WhatsApp, Pusher) without HTTP; SIGTERM stops it cleanly."""
    import asyncio
    import signal

    from ventanilla.app import create_app, shutdown, start_background
    from ventanilla.events import AfterCommitQueue

    upgrade_database(settings)
    app = create_app(settings, serving=False)

    async def main() -> None:
        ctx = app.ctx
        if not len(ctx.jobs) and not ctx.workers:
            print("No hay servicios de fondo configurados.")
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        ctx.after_commit = AfterCommitQueue(ctx.publishers)
        tasks = start_background(ctx)
        log.info("worker running: %s", ", ".join(runner.kind for runner in ctx.jobs))
        await stop.wait()
        log.info(
            "worker stopping: no new jobs; waiting up to %.0f s for the running ones", settings.shutdown_grace_seconds
        )
        await shutdown(ctx, tasks)
        log.info("worker stopped")

    asyncio.run(main())
    return 0


def _demo_credentials(settings: Settings) -> dict[str, str]:
    """One random password per demo account, generated once per install (older installs shared one)."""
    import secrets

    path = settings.data_dir / "demo-credentials.json"
    data: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if data.get("agent") and data.get("admin") and data["agent"] != data["admin"]:
        return data
    data = {"agent": data.get("password") or secrets.token_urlsafe(9), "admin": secrets.token_urlsafe(9)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    return data


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """ventanilla demo: one municipio, one agent and one admin, created once."""
    from sqlalchemy import select

    from ventanilla.entities import hours
    from ventanilla.entities import service as entities
    from ventanilla.entities.models import Entity
    from ventanilla.knowledge import service as knowledge
    from ventanilla.knowledge.cli import demo_csv
    from ventanilla.security import hash_password, verify_password
    from ventanilla.users import repository as users_repo
    from ventanilla.users import service as users

    upgrade_database(settings)
    passwords = _demo_credentials(settings)
    agent_email, admin_email = "agente@demo.ventanilla.local", "admin@demo.ventanilla.local"

    async def seed(uow: Any) -> dict[str, Any]:
        stmt = select(Entity).where(Entity.name == "Municipalidad de Demo").limit(1)
        entity = (await uow.session.execute(stmt)).scalar_one_or_none()
        if entity is None:
            entity = await entities.create(
                uow.session,
                "Municipalidad de Demo",
                "municipio",
                inbox_email="reclamos@demo.ventanilla.local",
                oncall_email="guardia@demo.ventanilla.local",
            )
            # An emergency puts a person on the chat at once (while someone is connected to answer).
            entity.config = {**(entity.config or {}), "auto_open_live_chat": True}
        if args.always_open:
            entities.set_schedule(entity, hours.always_open())
        accounts = (
            (agent_email, "empleado", "Agente Demo", passwords["agent"]),
            (admin_email, "admin", "Admin Demo", passwords["admin"]),
        )
        for email, rol, name, password in accounts:
            user = await users_repo.by_entity_email(uow.session, entity.id, email)
            if user is None:
                await users.create(
                    uow.session,
                    entity_id=entity.id,
                    email=email,
                    password=password,
                    rol=rol,
                    profile=users.Profile(name=name),
                )
            elif not user.password_hash or not await verify_password(password, user.password_hash):
                # An install from before each account had its own password: the printed one must work.
                user.password_hash = await hash_password(password)
                user.token_version += 1
        if not await knowledge.list_entries(uow.session, entity.id):
            await knowledge.import_entries(uow.session, entity.id, knowledge.parse_csv(demo_csv()))
        return {
            "entity": {
                "id": entity.id,
                "name": entity.name,
                "tipo": entity.tipo,
                "token": entity.token,
                "slug": entity.slug,
            },
            "agent": {"email": agent_email, "password": passwords["agent"], "rol": "empleado"},
            "admin": {"email": admin_email, "password": passwords["admin"], "rol": "admin"},
        }

    data = _run(with_uow(settings, seed))
    human = (
        f"Entidad: {data['entity']['name']} (id {data['entity']['id']})\n"
        f"Token de la entidad: {data['entity']['token']}\n"
        "Ingresos al panel (cada cuenta con su contraseña):\n"
        f"  Agente: {agent_email} / {passwords['agent']}\n"
        f"  Admin:  {admin_email} / {passwords['admin']}\n"
        f"Guardadas en {settings.data_dir / 'demo-credentials.json'}"
    )
    _print(data, args.json, human)
    return 0


def cmd_entities_create(args: argparse.Namespace, settings: Settings) -> int:
    """ventanilla entities create NAME --tipo municipio|pyme"""
    from ventanilla.entities import service as entities

    async def work(uow: Any) -> dict[str, Any]:
        entity = await entities.create(
            uow.session, args.name, args.tipo, inbox_email=args.inbox_email, oncall_email=args.oncall_email
        )
        return {"id": entity.id, "token": entity.token}

    data = _run(with_uow(settings, work))
    _print(data, args.json, f"Entidad {data['id']} creada. Token: {data['token']}")
    return 0


def cmd_entities_hours(args: argparse.Namespace, settings: Settings) -> int:
    """ventanilla entities hours ENTITY_ID --days lun-vie --range 09:00-17:00 [--tz TZ] [--closed DATE]"""
    from ventanilla.entities import hours
    from ventanilla.entities import service as entities
    from ventanilla.errors import BadRequest

    try:
        schedule = hours.parse_cli(args.days, args.range or ["09:00-17:00"], args.tz, args.closed or [])
    except hours.HoursError as exc:
        raise BadRequest(str(exc)) from exc

    async def work(uow: Any) -> dict[str, Any]:
        entity = await entities.require(uow.session, args.entity_id)
        entities.set_schedule(entity, schedule)
        return hours.to_json(schedule)

    data = _run(with_uow(settings, work))
    _print(data, args.json, hours.describe(schedule, hours.utcnow()))
    return 0


def cmd_entities_slug(args: argparse.Namespace, settings: Settings) -> int:
    """ventanilla entities slug ENTITY_ID SLUG"""
    from ventanilla.entities import service as entities

    async def work(uow: Any) -> dict[str, Any]:
        entity = await entities.require(uow.session, args.entity_id)
        await entities.set_slug(uow.session, entity, args.slug)
        return {"id": entity.id, "slug": entity.slug}

    data = _run(with_uow(settings, work))
    _print(data, args.json, f"Entidad {data['id']}: slug {data['slug']}")
    return 0


def cmd_users_categories(args: argparse.Namespace, settings: Settings) -> int:
    """ventanilla users categories USER_ID [--categoria NOMBRE]... (none: clears them)"""
    from ventanilla.entities import service as entities
    from ventanilla.errors import NotFound
    from ventanilla.users import repository as users_repo

    async def work(uow: Any) -> dict[str, Any]:
        user = await users_repo.get(uow.session, args.user_id)
        if user is None or not user.is_staff or user.entity_id is None:
            raise NotFound("No existe ese agente.")
        entity = await entities.require(uow.session, user.entity_id)
        user.categories = entities.category_names(entity, [], args.categoria or [])
        return {"id": user.id, "categorias": entities.category_wire(entity, user.categories)}

    data = _run(with_uow(settings, work))
    names = ", ".join(c["nombre"] for c in data["categorias"]) or "ninguna"
    _print(data, args.json, f"Usuario {data['id']}: categorías {names}")
    return 0


def cmd_users_create(args: argparse.Namespace, settings: Settings) -> int:
    """ventanilla users create --entity ID --email E --password P --rol R"""
    from ventanilla.entities import service as entities
    from ventanilla.users import service as users

    async def work(uow: Any) -> dict[str, Any]:
        await entities.require(uow.session, args.entity)
        user = await users.create(
            uow.session,
            entity_id=args.entity,
            email=args.email,
            password=args.password,
            rol=args.rol,
            profile=users.Profile(name=args.name),
        )
        if args.capacity is not None:
            user.live_capacity = args.capacity
        return {"id": user.id}

    data = _run(with_uow(settings, work))
    _print(data, args.json, f"Usuario {data['id']} creado.")
    return 0


def _urgency_report(report: dict[str, Any]) -> str:
    """The human-readable summary of `urgency eval`."""
    lines = [
        f"n={report['n']}  precision={report['precision']}  recall={report['recall']}  f1={report['f1']}",
        f"recall counting 'unsure' (the bot asks) as detected: {report['recall_with_asked']}"
        f"  calm messages asked about: {report['asked_calm']}",
    ]
    latency = report.get("latency") or {}
    if latency:
        lines.append(f"latency: median {latency['median_ms']} ms, p99 {latency['p99_ms']} ms")
    support = report["support"]
    lines.append("recall by category:")
    lines += [f"  {c:<16} {r:.3f}  (n={support['categories'][c]})" for c, r in report["recall_by_category"].items()]
    lines.append("false-positive rate by trap:")
    lines += [f"  {t:<16} {r:.3f}  (n={support['traps'][t]})" for t, r in report["false_positive_rate_by_trap"].items()]
    misses = report.get("misses") or []
    if misses:
        lines.append("misses:")
        lines += [f"  {m['label']} -> {m['level']:<6} [{m['category']}] {m['text']}" for m in misses]
    return "\n".join(lines)


def cmd_urgency(args: argparse.Namespace, settings: Settings) -> int:
    """ventanilla urgency "texto" | eval FILE.tsv [--rules] [--json] | train [--output FILE] | cv [--json]"""
    from ventanilla import urgency
    from ventanilla.urgency.evaluation import DataError

    words: list[str] = args.text
    try:
        if words[0] == "eval" and len(words) == 2:
            classifier = urgency.classify_rules if args.rules else urgency.classify
            report = urgency.evaluate(urgency.load_tsv(Path(words[1])), classifier)
            print(json.dumps(report, ensure_ascii=False) if args.json else _urgency_report(report))
            return 0
        if words == ["train"]:
            from ventanilla.urgency import training

            path, data = training.train(Path(args.output) if args.output else None)
            print(f"Modelo entrenado con {data['examples']} ejemplos ({len(data['vocabulary'])} rasgos): {path}")
            return 0
        if words == ["cv"]:
            from ventanilla.urgency import training

            pairs = training.cross_validate()
            report = urgency.evaluate([e for e, _ in pairs], verdicts=[v for _, v in pairs])
            print(json.dumps(report, ensure_ascii=False) if args.json else _urgency_report(report))
            return 0
    except DataError as exc:
        print(json.dumps({"error": str(exc)}, ensure_ascii=False), file=sys.stderr)
        return 2
    except ImportError as exc:
        print(
            json.dumps({"error": f"falta {exc.name}: instalá el extra de entrenamiento, pip install -e '.[train]'"}),
            file=sys.stderr,
        )
        return 2
    if words[0] == "eval":
        print(json.dumps({"error": "uso: ventanilla urgency eval FILE.tsv"}, ensure_ascii=False), file=sys.stderr)
        return 2
    print(json.dumps(urgency.classify(" ".join(words)).to_dict(), ensure_ascii=False))
    return 0


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    """The argument parser and the handler of each command path."""
    from ventanilla import __version__

    parser = Parser(prog="ventanilla", description="Backend de reclamos municipales con chat en vivo.")
    parser.add_argument("--version", action="version", version=f"ventanilla {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMANDO")
    handlers: dict[str, Handler] = {}

    serve = sub.add_parser("serve", help="aplica migraciones y sirve HTTP + Socket.IO")
    serve.add_argument("--host")
    serve.add_argument("--port", type=port_number)
    serve.add_argument("--workers", type=int_between(1), default=1, help="procesos; más de uno necesita Redis")
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(handler=cmd_serve)

    sub.add_parser("worker", help="corre los procesos de fondo (emails, WhatsApp)").set_defaults(handler=cmd_worker)

    demo = sub.add_parser("demo", help="crea (una sola vez) una entidad de demo con agente y admin")
    demo.add_argument("--json", action="store_true")
    demo.add_argument(
        "--always-open", action="store_true", help="chat en vivo atendido 24/7 (para probarlo a cualquier hora)"
    )
    demo.set_defaults(handler=cmd_demo)

    db = sub.add_parser("db", help="base de datos").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="aplica las migraciones").set_defaults(handler=cmd_db_upgrade)

    ents = sub.add_parser("entities", help="entidades").add_subparsers(dest="entities_command", required=True)
    create = ents.add_parser("create", help="crea una entidad")
    create.add_argument("name")
    create.add_argument("--tipo", choices=["municipio", "pyme"], required=True)
    create.add_argument("--inbox-email")
    create.add_argument("--oncall-email")
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=cmd_entities_create)
    hours_cmd = ents.add_parser("hours", help="define el horario del chat en vivo")
    hours_cmd.add_argument("entity_id", type=int)
    hours_cmd.add_argument("--days", default="lun-vie")
    hours_cmd.add_argument("--range", action="append", help="HH:MM-HH:MM; repetible")
    hours_cmd.add_argument("--tz", default="America/Argentina/Buenos_Aires")
    hours_cmd.add_argument("--closed", action="append", help="fecha cerrada YYYY-MM-DD; repetible")
    hours_cmd.add_argument("--json", action="store_true")
    hours_cmd.set_defaults(handler=cmd_entities_hours)
    slug_cmd = ents.add_parser("slug", help="cambia el slug (la dirección) de una entidad")
    slug_cmd.add_argument("entity_id", type=int)
    slug_cmd.add_argument("slug")
    slug_cmd.add_argument("--json", action="store_true")
    slug_cmd.set_defaults(handler=cmd_entities_slug)
    with contextlib.suppress(ModuleNotFoundError):
        from ventanilla.whatsapp.cli import add_entities_subcommand

        add_entities_subcommand(ents)

    usrs = sub.add_parser("users", help="usuarios").add_subparsers(dest="users_command", required=True)
    ucreate = usrs.add_parser("create", help="crea un usuario")
    ucreate.add_argument("--entity", type=int, required=True)
    ucreate.add_argument("--email", required=True)
    ucreate.add_argument("--password", required=True)
    ucreate.add_argument("--rol", choices=["vecino", "empleado", "admin"], required=True)
    ucreate.add_argument("--name")
    ucreate.add_argument("--capacity", type=int_between(0), help="chats en vivo simultáneos (agentes), 0 o más")
    ucreate.add_argument("--json", action="store_true")
    ucreate.set_defaults(handler=cmd_users_create)
    ucats = usrs.add_parser("categories", help="define las categorías de reclamos que atiende un agente")
    ucats.add_argument("user_id", type=int)
    ucats.add_argument("--categoria", action="append", help="nombre de la categoría; repetible")
    ucats.add_argument("--json", action="store_true")
    ucats.set_defaults(handler=cmd_users_categories)

    urg = sub.add_parser(
        "urgency",
        help='clasifica un texto; "eval FILE.tsv" mide; "train" reentrena el modelo; "cv" lo valida',
        usage='ventanilla urgency "texto" | eval FILE.tsv [--rules] [--json] | train [--output FILE] | cv [--json]',
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Urgencia de un mensaje de un vecino (reglas + modelo, sin red).\n\n"
            '  ventanilla urgency "texto"       el veredicto, en JSON\n'
            "  ventanilla urgency eval FILE.tsv mide contra un TSV etiquetado (label, category, text)\n"
            "  ventanilla urgency train         reentrena el modelo del paquete desde el corpus (extra [train])\n"
            "  ventanilla urgency cv            valida la receta de entrenamiento en 5 particiones (extra [train])"
        ),
    )
    urg.add_argument("text", nargs="+", metavar="TEXTO | eval FILE.tsv | train | cv")
    urg.add_argument("--json", action="store_true", help="eval/cv: informe en JSON")
    urg.add_argument("--rules", action="store_true", help="eval: solo las reglas, sin el modelo")
    urg.add_argument("--output", help="train: dónde escribir el modelo (por defecto, el del paquete)")
    urg.set_defaults(handler=cmd_urgency)

    for module_name in _EXTENSIONS:
        try:
            module = __import__(module_name, fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        module.register(sub)
    return parser, handlers


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: every failure the operator can fix is one line on stderr and a non-zero exit."""
    parser, _ = build_parser()
    args = parser.parse_args(argv)
    from pydantic import ValidationError

    from ventanilla.errors import DomainError
    from ventanilla.logs import configure_logging
    from ventanilla.settings import get_settings

    try:
        settings = get_settings()
    except ValidationError as exc:
        problems = "; ".join(f"VENTANILLA_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        print(json.dumps({"error": f"configuración inválida: {problems}"}, ensure_ascii=False), file=sys.stderr)
        return 2
    configure_logging(settings.log_format)
    try:
        code: int = args.handler(args, settings)
    except DomainError as exc:
        print(json.dumps({"error": exc.message}, ensure_ascii=False), file=sys.stderr)
        return 2
    except OSError as exc:
        # A folder that cannot be made, a port taken or not allowed: the operator's to fix, not a traceback.
        where = f" ({exc.filename})" if exc.filename else ""
        print(json.dumps({"error": f"{exc.strerror or exc}{where}"}, ensure_ascii=False), file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
