"""`ventanilla kb import --entity ID FILE.csv` and `ventanilla kb list --entity ID`."""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ventanilla.errors import BadRequest, NotFound

if TYPE_CHECKING:
    from ventanilla.settings import Settings


async def _entity_or_fail(session: Any, entity_id: int) -> None:
    from ventanilla.entities import repository as entities_repo

    if await entities_repo.get(session, entity_id) is None:
        raise NotFound(f"No existe la entidad {entity_id}.")


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import a CSV into an entity's knowledge base, all rows or none."""
    from ventanilla.cli import _print, _run, upgrade_database, with_uow
    from ventanilla.knowledge import service

    path = Path(args.file)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BadRequest(f"No pude leer {path}: {exc.strerror}.") from None
    entries = service.parse_csv(raw)
    upgrade_database(settings)

    async def work(uow: Any) -> dict[str, int]:
        await _entity_or_fail(uow.session, args.entity)
        result = await service.import_entries(uow.session, args.entity, entries)
        return {"creadas": result.created, "actualizadas": result.updated}

    data = _run(with_uow(settings, work))
    _print(data, args.json, f"Importadas: {data['creadas']} nuevas, {data['actualizadas']} reemplazadas.")
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    """Print an entity's knowledge base."""
    from ventanilla.cli import _print, _run, upgrade_database, with_uow
    from ventanilla.knowledge import service

    upgrade_database(settings)

    async def work(uow: Any) -> list[dict[str, Any]]:
        await _entity_or_fail(uow.session, args.entity)
        entries = await service.list_entries(uow.session, args.entity)
        return [
            {"id": e.id, "titulo": e.title, "respuesta": e.answer, "palabras_clave": list(e.keywords or ())}
            for e in entries
        ]

    data = _run(with_uow(settings, work))
    human = "\n".join(f"{e['id']:>4}  {e['titulo']}  [{', '.join(e['palabras_clave'])}]" for e in data)
    _print(data, args.json, human or "La base de conocimiento está vacía.")
    return 0


def demo_csv() -> bytes:
    """The demo municipio's knowledge base."""
    return resources.files("ventanilla.knowledge").joinpath("data/demo_municipio.csv").read_bytes()


def register(subparsers: Any) -> None:
    """Add the `kb` command."""
    kb = subparsers.add_parser("kb", help="base de conocimiento de una entidad")
    commands = kb.add_subparsers(dest="kb_command", required=True)
    imp = commands.add_parser("import", help="importa un CSV (titulo, respuesta, palabras_clave), UTF-8")
    imp.add_argument("--entity", type=int, required=True)
    imp.add_argument("file")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=cmd_import)
    lst = commands.add_parser("list", help="lista las entradas")
    lst.add_argument("--entity", type=int, required=True)
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=cmd_list)


__all__ = ["demo_csv", "register"]
