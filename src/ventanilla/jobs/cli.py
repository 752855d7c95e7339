"""`ventanilla jobs list [--failed]` and `ventanilla jobs retry KIND (ID... | --all)`: see and retry dead letters."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ventanilla.settings import Settings

# The queues of `ventanilla worker` (ventanilla.app builds one runner per kind).
JOB_KINDS = ("email", "whatsapp_inbox", "whatsapp_outbox", "pusher")


def _with_runners(settings: Settings, work: Any) -> Any:
    from ventanilla.app import create_app
    from ventanilla.cli import _run, upgrade_database

    upgrade_database(settings)
    app = create_app(settings.model_copy(update={"run_workers": False}), serving=False)

    async def main() -> Any:
        try:
            return await work(app.ctx.jobs)
        finally:
            await app.ctx.engine.dispose()

    return _run(main())


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    """The backlog of every queue; with --failed, each dead letter and its last error."""

    async def work(jobs: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for runner in jobs:
            if args.kind and runner.kind != args.kind:
                continue
            backlog = await runner.queue.backlog()
            entry: dict[str, Any] = {
                "pending": backlog.pending,
                "oldest_seconds": round(backlog.oldest_seconds, 1),
                "failed": backlog.failed,
            }
            if args.failed:
                entry["dead"] = [
                    {
                        "id": d.id,
                        "attempts": d.attempts,
                        "error": d.error,
                        "created_at": d.created_at.isoformat(),
                        "summary": d.summary,
                    }
                    for d in await runner.queue.dead(args.limit)
                ]
            out[runner.kind] = entry
        return out

    data = _with_runners(settings, work)
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    for kind, entry in data.items():
        print(f"{kind}: {entry['pending']} pendientes (el más viejo hace {entry['oldest_seconds']:.0f} s), "
              f"{entry['failed']} fallidos")  # fmt: skip
        for dead in entry.get("dead", []):
            print(f"  #{dead['id']} {dead['summary']} ({dead['attempts']} intentos): {dead['error']}")
    return 0


def cmd_retry(args: argparse.Namespace, settings: Settings) -> int:
    """Make dead letters due again (after fixing what made them fail)."""
    if not args.all and not args.ids:
        print(json.dumps({"error": "Indicá los ids a reintentar, o --all."}, ensure_ascii=False))
        return 2

    async def work(jobs: Any) -> int | None:
        runner = jobs.get(args.kind)
        if runner is None:
            return None
        count: int = await runner.queue.retry(None if args.all else args.ids)
        return count

    count = _with_runners(settings, work)
    if count is None:
        print(json.dumps({"error": f"No hay una cola {args.kind!r} en este proceso."}, ensure_ascii=False))
        return 2
    print(
        json.dumps({"kind": args.kind, "retried": count})
        if args.json
        else f"{count} trabajos {args.kind} reintentados."
    )
    return 0


def register(subparsers: Any) -> None:
    """Add `jobs` to the `ventanilla` command."""
    from ventanilla.cli import int_between

    jobs = subparsers.add_parser("jobs", help="trabajos de fondo: pendientes, fallidos, reintentos")
    sub = jobs.add_subparsers(dest="jobs_command", required=True)
    listing = sub.add_parser("list", help="cuántos trabajos esperan, por tipo; con --failed, cada fallido y su error")
    listing.add_argument("--failed", action="store_true")
    listing.add_argument("--kind", choices=JOB_KINDS)
    listing.add_argument("--limit", type=int_between(1), default=50)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_list)
    retry = sub.add_parser("retry", help="vuelve a encolar trabajos fallidos (después de corregir la causa)")
    retry.add_argument("kind", choices=JOB_KINDS, help="email, whatsapp_inbox, whatsapp_outbox o pusher")
    retry.add_argument("ids", nargs="*", type=int)
    retry.add_argument("--all", action="store_true")
    retry.add_argument("--json", action="store_true")
    retry.set_defaults(handler=cmd_retry)
