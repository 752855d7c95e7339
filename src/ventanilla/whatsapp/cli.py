"""`ventanilla whatsapp configure|show ENTITY_ID` (also `ventanilla entities whatsapp ENTITY_ID ...`)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from ventanilla.cli import _run, digits, with_uow

if TYPE_CHECKING:
    from ventanilla.settings import Settings


def _token(args: argparse.Namespace) -> str:
    """The access token: `-` reads it from standard input, so it stays out of shell history and `ps`."""
    value: str = args.access_token
    return sys.stdin.readline().strip() if value == "-" else value


def _describe(account: Any) -> dict[str, Any]:
    return {
        "entity_id": account.entity_id,
        "phone_number_id": account.phone_number_id,
        "template": account.template_name,
        "template_language": account.template_language,
        "access_token": "configurado",
    }


def cmd_configure(args: argparse.Namespace, settings: Settings) -> int:
    """Store the entity's number, token and optional template (the token is never printed)."""
    from ventanilla.cli import upgrade_database
    from ventanilla.entities import service as entities
    from ventanilla.whatsapp import service

    token = _token(args)
    upgrade_database(settings)

    async def work(uow: Any) -> dict[str, Any]:
        entity = await entities.require(uow.session, args.entity_id)
        account = await service.configure_account(
            uow,
            entity,
            phone_number_id=args.phone_number_id,
            access_token=token,
            template_name=args.template,
            template_language=args.template_lang,
        )
        return _describe(account)

    data = _run(with_uow(settings, work))
    template = (
        f", plantilla {data['template']} ({data['template_language']})" if data["template"] else ", sin plantilla"
    )
    human = f"WhatsApp configurado para la entidad {data['entity_id']}: número {data['phone_number_id']}{template}."
    print(json.dumps(data, ensure_ascii=False) if args.json else human)
    return 0


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    """Show an entity's WhatsApp configuration without the token."""
    from ventanilla.entities import service as entities
    from ventanilla.errors import NotFound
    from ventanilla.whatsapp import repository

    async def work(uow: Any) -> dict[str, Any]:
        await entities.require(uow.session, args.entity_id)
        account = await repository.account_for_entity(uow.session, args.entity_id)
        if account is None:
            raise NotFound(f"La entidad {args.entity_id} no tiene WhatsApp configurado.")
        return _describe(account)

    data = _run(with_uow(settings, work))
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    template = f"{data['template']} ({data['template_language']})" if data["template"] else "ninguna"
    print(
        f"WhatsApp de la entidad {data['entity_id']}\n"
        f"  número (phone_number_id): {data['phone_number_id']}\n"
        f"  plantilla:                {template}\n"
        f"  token de acceso:          {data['access_token']}"
    )
    return 0


def _configure_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("entity_id", type=int)
    parser.add_argument(
        "--phone-number-id", type=digits, required=True, help="phone_number_id de la Cloud API (dígitos)"
    )
    parser.add_argument("--access-token", required=True, help="token de acceso; '-' lo lee de la entrada estándar")
    parser.add_argument("--template", help="plantilla aprobada para escribir fuera de la ventana de 24 h")
    parser.add_argument("--template-lang", default="es_AR", help="idioma de la plantilla (es_AR)")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=cmd_configure)


def register(subparsers: Any) -> None:
    """`ventanilla whatsapp configure ENTITY_ID ...` and `ventanilla whatsapp show ENTITY_ID`."""
    whatsapp = subparsers.add_parser("whatsapp", help="canal de WhatsApp (Cloud API)")
    commands = whatsapp.add_subparsers(dest="whatsapp_command", required=True)
    _configure_arguments(commands.add_parser("configure", help="asocia un número de WhatsApp a una entidad"))
    show = commands.add_parser("show", help="muestra la configuración de WhatsApp de una entidad")
    show.add_argument("entity_id", type=int)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show)


def add_entities_subcommand(entities_subparsers: Any) -> None:
    """`ventanilla entities whatsapp ENTITY_ID ...` (same as `ventanilla whatsapp configure`)."""
    _configure_arguments(entities_subparsers.add_parser("whatsapp", help="asocia un número de WhatsApp a la entidad"))
