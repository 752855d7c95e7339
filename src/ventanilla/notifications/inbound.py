"""Replies by email: parse, refuse auto-replies, bounces and loops, strip quotes, post on the right ticket."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from ventanilla.chat import service as livechat
from ventanilla.context import AppContext
from ventanilla.db import UnitOfWork
from ventanilla.entities import repository as entities_repo
from ventanilla.errors import BadRequest, Forbidden, NotFound, TooLarge, Unprocessable
from ventanilla.notifications import emails
from ventanilla.text import MAX_MESSAGE_CHARS, clean
from ventanilla.tickets import repository as tickets_repo
from ventanilla.users import repository as users_repo

log = logging.getLogger(__name__)

EXTERNAL_PREFIX = "email:"
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic|mático)?[\s_-]*(reply|response|respuesta)|respuesta autom[aá]tica|out of (the )?office"
    r"|fuera de (la )?oficina|ausente|ausencia|auto:|autoreply|vacaciones|r[ée]ponse automatique|abwesenheit)",
    re.IGNORECASE,
)
_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})
_ATTRIBUTION = (
    re.compile(r"^\s*El\s.+escribi[óo]\s*:\s*$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^\s*On\s.+wrote\s*:\s*$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^\s*Le\s.+a\s[ée]crit\s*:\s*$", re.IGNORECASE | re.DOTALL),
)
_SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(original message|mensaje original|forwarded message|mensaje reenviado)\s*-{2,}|_{10,})\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^\s*\**(de|from)\s*:\**\s*\S", re.IGNORECASE)
_HEADER_NEXT = re.compile(r"^\s*\**(enviado|sent|fecha|date|para|to|asunto|subject)\s*:", re.IGNORECASE)
_SIGNATURE = re.compile(r"^--\s*$")
_MOBILE = re.compile(r"^\s*(enviado desde mi|sent from my|obtener outlook para|get outlook for)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class InboundResult:
    """What happened to an inbound email."""

    status: str
    reason: str | None = None
    ticket_id: int | None = None
    message_id: int | None = None
    author: str | None = None

    def to_wire(self) -> dict[str, object]:
        """The JSON answer of the webhook."""
        if self.status == "ignored":
            return {"ok": True, "ignorado": self.reason, "ticket_id": self.ticket_id}
        return {"ok": True, "ticket_id": self.ticket_id, "mensaje_id": self.message_id, "autor": self.author}


def parse(raw: bytes) -> EmailMessage:
    """An RFC 822 message, or BadRequest when the bytes are not one."""
    if not raw or not raw.strip():
        raise BadRequest("El cuerpo está vacío: se esperaba un email (RFC 822).")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    if not message.keys() or not parseaddr(str(message.get("From", "")))[1]:
        raise BadRequest("El cuerpo no es un email válido (RFC 822): falta el remitente o los encabezados.")
    return message


def drop_reason(message: EmailMessage, reply_domain: str, envelope_from: str | None = None) -> str | None:
    """Why a message must never be posted (auto-reply, bounce, our own mail coming back), or None."""
    if message.get(emails.LOOP_HEADER) is not None:
        return "bucle"
    _, _, msgid_domain = str(message.get("Message-ID", "")).strip().strip("<>").rpartition("@")
    if msgid_domain and msgid_domain.lower() == reply_domain.lower():
        return "bucle"
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    return_path = str(message.get("Return-Path", "")).strip()
    if (
        envelope_from == ""
        or return_path == "<>"
        or sender.split("@")[0] in _BOUNCE_SENDERS
        or message.get_content_type() == "multipart/report"
    ):
        return "rebote"
    auto_submitted = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    if (
        not auto_submitted.startswith("no")
        or any(message.get(h) is not None for h in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"))
        or precedence in ("bulk", "auto_reply", "junk", "list")
        or _AUTO_SUBJECT.match(str(message.get("Subject", "")))
    ):
        return "respuesta_automatica"
    return None


class _HtmlText(HTMLParser):
    """HTML to plain text, leaving out quoted blocks (blockquote, Gmail/Outlook quote containers)."""

    _SKIP = frozenset({"blockquote", "style", "script", "head", "title"})
    _BREAK = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = " ".join(v or "" for k, v in attrs if k in ("class", "id"))
        if self._skipping:
            if tag == self._skipping[0]:
                self._skipping.append(tag)
            return
        if tag in self._SKIP or "gmail_quote" in values or "divRplyFwdMsg" in values or "appendonsend" in values:
            self._skipping.append(tag)
            return
        if tag in self._BREAK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag == self._skipping[0]:
                self._skipping.pop()
            return
        if tag in self._BREAK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML body without its quoted parts."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    return "\n".join(line.strip() for line in text.splitlines())


def body_text(message: EmailMessage) -> str:
    """The text of the message: its plain part, else its HTML part as text."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    assert isinstance(part, EmailMessage)
    try:
        content = part.get_content()
    except (LookupError, ValueError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    return html_to_text(content) if part.get_content_type() == "text/html" else content


def _cut_at(lines: Sequence[str]) -> int:
    for i, line in enumerate(lines):
        joined = f"{line} {lines[i + 1]}" if i + 1 < len(lines) else line
        if any(p.match(line) for p in _ATTRIBUTION):
            return i
        if re.match(r"^\s*(El|On|Le)\s", line) and any(p.match(joined) for p in _ATTRIBUTION):
            return i
        if _SEPARATOR.match(line) or _SIGNATURE.match(line) or _MOBILE.match(line):
            return i
        if _HEADER_FROM.match(line) and any(_HEADER_NEXT.match(n) for n in lines[i + 1 : i + 5]):
            return i
    return len(lines)


def strip_quoted(text: str) -> str:
    """The new text of a reply: no quoted lines, no "El ... escribió:" tail, no signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = lines[: _cut_at(lines)]
    kept = [line.rstrip() for line in lines if not line.lstrip().startswith(">")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def _addresses(message: EmailMessage, envelope_to: Iterable[str]) -> list[str]:
    headers = [str(v) for h in ("To", "Cc", "Delivered-To", "X-Original-To") for v in message.get_all(h, [])]
    return [*envelope_to, *(address for _, address in getaddresses(headers) if address)]


def _referenced(message: EmailMessage) -> list[str]:
    return [str(v) for h in ("In-Reply-To", "References") for v in message.get_all(h, [])]


async def receive(
    ctx: AppContext,
    uow: UnitOfWork,
    raw: bytes,
    *,
    envelope_from: str | None = None,
    envelope_to: Sequence[str] = (),
) -> InboundResult:
    """Post a reply on its ticket (the caller commits); auto-replies, bounces and loops are dropped."""
    settings = ctx.settings
    if len(raw) > settings.max_inbound_email_bytes:
        raise TooLarge(f"El email supera el máximo de {settings.max_inbound_email_bytes} bytes.")
    message = parse(raw)
    reason = drop_reason(message, settings.mail_reply_domain, envelope_from)
    if reason is not None:
        log.info("inbound email %s dropped: %s", message.get("Message-ID"), reason)
        return InboundResult("ignored", reason)
    routed = next(
        (r for a in _addresses(message, envelope_to) if (r := emails.parse_reply_address(settings, ctx.signer, a))),
        None,
    )
    ticket_id = routed[0] if routed else emails.ticket_of_message_ids(settings, _referenced(message))
    ticket = await tickets_repo.get(uow.session, ticket_id) if ticket_id else None
    entity = await entities_repo.get(uow.session, ticket.entity_id) if ticket else None
    if ticket is None or entity is None:
        log.warning("inbound email %s matches no ticket", message.get("Message-ID"))
        raise NotFound("El email no corresponde a ningún reclamo (dirección de respuesta o referencias desconocidas).")
    # Decoded mail is this channel's edge: its text is cleaned once, here (headers can carry NUL, and bytes
    # that are not UTF-8 decode to lone surrogates).
    external_id = clean(f"{EXTERNAL_PREFIX}{str(message.get('Message-ID', '')).strip()[:190]}")
    if message.get("Message-ID") and await tickets_repo.message_by_external_id(uow.session, external_id):
        return InboundResult("ignored", "duplicado", ticket.id)
    text = strip_quoted(clean(body_text(message)))
    if not text:
        raise Unprocessable("El email no tiene texto nuevo (solo texto citado o vacío).")
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[: MAX_MESSAGE_CHARS - 1].rstrip() + "…"
    sender = emails.normalize_address(clean(str(message.get("From", ""))))
    staff = await users_repo.by_entity_email(uow.session, entity.id, sender) if sender else None
    if staff is not None and staff.is_staff:
        posted = await livechat.agent_message(
            ctx,
            uow,
            entity,
            ticket,
            agent=staff,
            text=text,
            origen="email",
            external_id=external_id if message.get("Message-ID") else None,
        )
        log.info("inbound email from agent %s posted on ticket %s", staff.id, ticket.id)
        return InboundResult("posted", None, ticket.id, posted.id, "agente")
    is_citizen = sender is not None and sender == emails.normalize_address(ticket.email)
    if routed is not None and routed[1] == "a" and not is_citizen:
        log.warning("inbound email to the entity side of ticket %s from a non-agent refused", ticket.id)
        raise Forbidden("Solo el personal registrado de la entidad puede responder por email a este aviso.")
    if routed is None and not is_citizen:
        log.warning("inbound email for ticket %s from an unknown sender refused", ticket.id)
        raise Forbidden("El remitente no corresponde a este reclamo; respondé desde el email del aviso.")
    outcome = await livechat.citizen_message(
        ctx,
        uow,
        entity,
        ticket,
        text=text,
        origen="email",
        citizen=None,
        external_id=external_id if message.get("Message-ID") else None,
    )
    log.info("inbound email posted on ticket %s", ticket.id)
    return InboundResult("posted", None, ticket.id, int(outcome["mensaje_id"]), "vecino")
