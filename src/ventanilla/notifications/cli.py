"""`ventanilla mail-in` (SMTP receiver for replies) and `ventanilla emails render-examples DIR`.

Imported by every `ventanilla` command to build the parser: SMTP, the models and the chat stack are imported only
when a command of this module runs.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio
    from email.message import EmailMessage

    from aiosmtpd.smtp import SMTP, Envelope, Session

    from ventanilla.context import AppContext
    from ventanilla.settings import Settings
    from ventanilla.tickets.models import Ticket, TicketMessage

log = logging.getLogger(__name__)

_SMTP_REPLIES = {
    400: "550 5.6.0",
    401: "550 5.7.1",
    403: "550 5.7.1",
    404: "550 5.1.1",
    409: "550 5.7.0",
    413: "552 5.3.4",
    422: "550 5.6.0",
}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()[:200]


class MailInHandler:
    """aiosmtpd handler: every accepted message goes through the same path as the webhook."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Post the reply; answer 250, a permanent 5xx for bad mail, or 451 when we failed."""
        from ventanilla.errors import DomainError
        from ventanilla.notifications import inbound

        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "replace")
        mail_from = envelope.mail_from if envelope.mail_from not in (None, "<>") else ""
        try:
            async with self.ctx.uow() as uow:
                result = await inbound.receive(
                    self.ctx, uow, raw, envelope_from=mail_from, envelope_to=list(envelope.rcpt_tos)
                )
                await uow.commit()
        except DomainError as exc:
            log.warning("mail-in refused a message from %s: %s", mail_from, exc.message)
            return f"{_SMTP_REPLIES.get(exc.status_code, '550 5.0.0')} {_ascii(exc.message)}"
        except Exception:
            log.exception("mail-in failed on a message from %s", mail_from)
            return "451 4.3.0 Error temporal; reintente mas tarde"
        if result.status == "ignored":
            return f"250 2.0.0 Aceptado e ignorado ({result.reason})"
        if result.status == "held":
            return f"250 2.0.0 Aceptado y retenido para revision ({result.reason})"
        return "250 2.0.0 Aceptado"


async def start_mail_in(ctx: AppContext, host: str, port: int) -> asyncio.AbstractServer:
    """An SMTP server for replies on this event loop (shares the app's database engine)."""
    import asyncio

    from aiosmtpd.smtp import SMTP

    loop = asyncio.get_running_loop()
    handler = MailInHandler(ctx)
    return await loop.create_server(
        lambda: SMTP(
            handler,
            data_size_limit=ctx.settings.max_inbound_email_bytes,
            enable_SMTPUTF8=True,
            hostname=ctx.settings.mail_reply_domain,
            ident="Ventanilla mail-in",
        ),
        host,
        port,
    )


def cmd_mail_in(args: argparse.Namespace, settings: Settings) -> int:
    """ventanilla mail-in [--host H] [--port P]"""
    from ventanilla.app import create_app
    from ventanilla.cli import _run, fail, upgrade_database

    upgrade_database(settings)
    app = create_app(settings, serving=False)

    async def main() -> None:
        try:
            server = await start_mail_in(app.ctx, args.host, args.port)
        except OSError as exc:
            fail(f"No pude escuchar en {args.host}:{args.port}: {exc.strerror or exc}.")
        log.info("mail-in listening on %s:%s", args.host, args.port)
        async with server:
            await server.serve_forever()

    with contextlib.suppress(KeyboardInterrupt):
        _run(main())
    return 0


# --- examples ------------------------------------------------------------------------------------------------

EXAMPLE_SETTINGS: dict[str, Any] = {
    "panel_url": "https://panel.ejemplo.gob.ar",
    "public_url": "https://api.ejemplo.gob.ar",
    "mail_reply_domain": "ventanilla.ejemplo.gob.ar",
    "mail_from": "Ventanilla <avisos@ventanilla.ejemplo.gob.ar>",
}


def _example_ticket(urgent: bool = False) -> Ticket:
    from ventanilla.domain import Estado
    from ventanilla.tickets.models import Ticket

    created = dt.datetime(2026, 3, 2, 13, 5, tzinfo=dt.UTC)
    return Ticket(
        id=4_503_599_627_370_517,
        entity_id=1,
        nro_ticket=1042 if not urgent else 1043,
        pin="482913",
        tipo="municipio",
        asunto="URGENTE: escape de gas" if urgent else "Alumbrado: luminaria apagada en Av. San Martín 1234",
        descripcion="Hay olor a gas muy fuerte en la esquina" if urgent else "Luminaria apagada hace una semana",
        estado=Estado.NUEVO if urgent else Estado.EN_PROCESO,
        prioridad="urgente" if urgent else "media",
        direccion="Av. San Martín 1234",
        nombre_usuario="Ana Gómez",
        email="ana@example.org",
        telefono="2615551234",
        urgency={"category": "gas", "notify_oncall": True} if urgent else None,
        created_at=created,
        updated_at=created,
    )


def _example_messages(ticket: Ticket) -> list[TicketMessage]:
    from ventanilla.tickets.models import TicketMessage

    base = ticket.created_at
    rows = [
        ("citizen", "Ana Gómez", "Hola, la luminaria de la esquina está apagada hace una semana."),
        ("bot", "Asistente virtual", "Registramos tu reclamo. Te avisamos cuando haya novedades."),
        ("agent", "Laura (Alumbrado)", "Gracias Ana. ¿La luminaria es la del lado de la plaza?"),
        ("citizen", "Ana Gómez", "Sí, la del lado de la plaza, frente al kiosco."),
        ("agent", "Laura (Alumbrado)", "Perfecto. Mañana pasa la cuadrilla entre las 8 y las 12 h."),
    ]
    return [
        TicketMessage(
            id=index + 1,
            ticket_id=ticket.id,
            author_kind=kind,
            author_name=name,
            text=text,
            origen="chat",
            created_at=base + dt.timedelta(minutes=7 * index),
        )
        for index, (kind, name, text) in enumerate(rows)
    ]


def example_messages() -> dict[str, EmailMessage]:
    """One example of each template (citizen, agent, on-call), with fixed data, ids and dates."""
    from ventanilla.notifications import emails
    from ventanilla.security import TokenSigner
    from ventanilla.settings import Settings

    settings = Settings(**EXAMPLE_SETTINGS)
    signer = TokenSigner("ejemplo-no-usar-en-produccion")
    entity_name = "Municipalidad de Ejemplo"
    cases = {
        "ciudadano-respuesta": ("citizen", {"message"}, {5}, False),
        "agente-mensaje-del-vecino": ("agent", {"message"}, {4}, False),
        "guardia-urgente": ("oncall", {"urgent"}, set(), True),
    }
    out: dict[str, EmailMessage] = {}
    for name, (role, kinds, new_ids, urgent) in cases.items():
        ticket = _example_ticket(urgent)
        history = [] if urgent else _example_messages(ticket)
        if not urgent:
            history = [m for m in history if m.id <= max(new_ids)]
        recipient = {"citizen": "ana@example.org", "agent": "laura@ejemplo.gob.ar", "oncall": "guardia@ejemplo.gob.ar"}
        view = emails.build_view(
            settings,
            signer,
            ticket,
            emails.Addressee(entity_name, 1, role, recipient[role], ticket.nombre_usuario),
            emails.News(kinds, new_ids, history),
        )
        message = emails.build_message(
            settings,
            emails.render(view),
            emails.Envelope(
                entity_name=entity_name,
                ticket_id=ticket.id,
                to=recipient[role],
                msg_id=emails.message_id(settings, ticket.id, 7),
                reply_to=emails.reply_address(settings, signer, ticket.id, role, 12 if role == "agent" else None),
                unsubscribe=view.unsubscribe_url,
                date=dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC),
            ),
        )
        message.set_boundary(f"ventanilla-ejemplo-{name}")
        out[name] = message
    return out


def render_examples(folder: Path) -> list[Path]:
    """Write `<name>.eml` and `<name>.html` for each example; the written paths."""
    from email.message import EmailMessage

    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, message in example_messages().items():
        eml = folder / f"{name}.eml"
        eml.write_bytes(bytes(message))
        html_part = message.get_body(preferencelist=("html",))
        assert isinstance(html_part, EmailMessage)
        html = folder / f"{name}.html"
        html.write_text(str(html_part.get_content()), encoding="utf-8")
        written += [eml, html]
    return written


def cmd_render_examples(args: argparse.Namespace, settings: Settings) -> int:
    """ventanilla emails render-examples DIR"""
    from ventanilla.cli import fail

    try:
        written = render_examples(Path(args.dir))
    except OSError as exc:
        fail(f"No pude escribir los ejemplos en {args.dir}: {exc.strerror or exc}.")
    for path in written:
        print(path)
    return 0


def cmd_held(args: argparse.Namespace, settings: Settings) -> int:
    """ventanilla emails held [--entity ID] [--limit N]: replies held for review (never posted as anyone)."""
    from ventanilla.cli import _run, upgrade_database, with_uow
    from ventanilla.notifications import repository

    upgrade_database(settings)

    async def work(uow: Any) -> list[dict[str, Any]]:
        held = await repository.held_emails(uow.session, args.entity, args.limit)
        return [
            {
                "id": row.id,
                "ticket_id": row.ticket_id,
                "motivo": row.reason,
                "direccion": row.recipient,
                "remitente": row.sender,
                "recibido": row.created_at.isoformat(),
                "texto": row.text,
            }
            for row in held
        ]

    for row in _run(with_uow(settings, work)):
        print(json.dumps(row, ensure_ascii=False))
    return 0


def register(subparsers: Any) -> None:
    """Add `mail-in` and `emails` to the `ventanilla` command."""
    from ventanilla.cli import port_number

    mail_in = subparsers.add_parser("mail-in", help="recibe por SMTP las respuestas a los emails de reclamos")
    mail_in.add_argument("--host", default="127.0.0.1")
    mail_in.add_argument("--port", type=port_number, default=2525)
    mail_in.set_defaults(handler=cmd_mail_in)

    emails_cmd = subparsers.add_parser("emails", help="emails de reclamos")
    sub = emails_cmd.add_subparsers(dest="emails_command", required=True)
    render = sub.add_parser("render-examples", help="escribe un ejemplo de cada plantilla (.eml y .html) en DIR")
    render.add_argument("dir")
    render.set_defaults(handler=cmd_render_examples)
    held = sub.add_parser("held", help="respuestas por email retenidas para revisar (una por línea, JSON)")
    held.add_argument("--entity", type=int, default=None)
    held.add_argument("--limit", type=int, default=100)
    held.set_defaults(handler=cmd_held)
