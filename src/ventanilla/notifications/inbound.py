"""Replies by email: parse, refuse auto-replies, bounces and loops, strip quotes, post on the right ticket."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from ventanilla.chat import service as livechat
from ventanilla.context import AppContext
from ventanilla.db import UnitOfWork, utcnow
from ventanilla.entities import repository as entities_repo
from ventanilla.errors import BadRequest, Forbidden, NotFound, TooLarge, Unprocessable
from ventanilla.notifications import emails, repository
from ventanilla.notifications.models import INBOUND_HELD, INBOUND_POSTED
from ventanilla.text import MAX_MESSAGE_CHARS, clean, one_line
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets.models import Ticket
from ventanilla.users.models import User

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
        if self.status == "held":
            return {"ok": True, "retenido": self.reason, "ticket_id": self.ticket_id}
        return {"ok": True, "ticket_id": self.ticket_id, "mensaje_id": self.message_id, "autor": self.author}


def header_values(message: EmailMessage, name: str) -> list[str]:
    """Every value of a header, RFC 2047 decoded, on one line, without control characters.

    Read from the raw header lines: the structured parse of `policy.default` raises on an encoded CR/LF in an
    address (`=?utf-8?q?Bob=0D=0ABcc:...?=`), and a decoded CR/LF must never reach a name or a header we write.
    """
    found = []
    for key, raw in message.raw_items():
        if key.lower() != name.lower():
            continue
        try:
            text = str(make_header(decode_header(str(raw))))
        except (ValueError, LookupError, UnicodeError, TypeError):
            text = str(raw)
        found.append(one_line(clean(text), 2000))
    return found


def header(message: EmailMessage, name: str) -> str:
    """The first value of a header (see `header_values`), or ""."""
    values = header_values(message, name)
    return values[0] if values else ""


def parse(raw: bytes) -> EmailMessage:
    """An RFC 822 message, or BadRequest when the bytes are not one."""
    if not raw or not raw.strip():
        raise BadRequest("El cuerpo está vacío: se esperaba un email (RFC 822).")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    if not message.keys() or not parseaddr(header(message, "From"))[1]:
        raise BadRequest("El cuerpo no es un email válido (RFC 822): falta el remitente o los encabezados.")
    return message


def drop_reason(message: EmailMessage, reply_domain: str, envelope_from: str | None = None) -> str | None:
    """Why a message must never be posted (auto-reply, bounce, our own mail coming back), or None."""
    if header_values(message, emails.LOOP_HEADER):
        return "bucle"
    _, _, msgid_domain = header(message, "Message-ID").strip().strip("<>").rpartition("@")
    if msgid_domain and msgid_domain.lower() == reply_domain.lower():
        return "bucle"
    sender = parseaddr(header(message, "From"))[1].lower()
    return_path = header(message, "Return-Path").strip()
    if (
        envelope_from == ""
        or return_path == "<>"
        or sender.split("@")[0] in _BOUNCE_SENDERS
        or message.get_content_type() == "multipart/report"
    ):
        return "rebote"
    auto_submitted = (header(message, "Auto-Submitted") or "no").strip().lower()
    precedence = header(message, "Precedence").strip().lower()
    if (
        not auto_submitted.startswith("no")
        or any(header_values(message, h) for h in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"))
        or precedence in ("bulk", "auto_reply", "junk", "list")
        or _AUTO_SUBJECT.match(header(message, "Subject"))
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


_ADDRESS_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")


def _addresses(message: EmailMessage, envelope_to: Iterable[str]) -> list[str]:
    headers = [v for h in _ADDRESS_HEADERS for v in header_values(message, h)]
    return [*envelope_to, *(address for _, address in getaddresses(headers) if address)]


def _referenced(message: EmailMessage) -> list[str]:
    return [v for h in ("In-Reply-To", "References") for v in header_values(message, h)]


def dedup_key(message: EmailMessage) -> str:
    """The key an email is recorded once by: its Message-ID without case or spacing, else a hash of its content.

    A mail system may redeliver a message without Message-ID; the hash covers the headers a redelivery keeps
    (From, To, Cc, Subject, Date, In-Reply-To, References; not Received or Delivered-To) and the body text, so the
    same email counts once while a new one (another Date or text) is new.
    """
    normalized = re.sub(r"\s+", "", header(message, "Message-ID")).strip("<>").lower()
    if normalized and len(normalized) <= 180:
        return f"{EXTERNAL_PREFIX}{normalized}"
    if normalized:
        return f"{EXTERNAL_PREFIX}sha256:{hashlib.sha256(normalized.encode()).hexdigest()}"
    digest = hashlib.sha256()
    for name in ("From", "To", "Cc", "Subject", "Date", "In-Reply-To", "References"):
        digest.update(f"{name.lower()}:{' '.join(header(message, name).split())}\n".encode())
    digest.update(" ".join(body_text(message).split()).encode("utf-8", "replace"))
    return f"{EXTERNAL_PREFIX}content:{digest.hexdigest()}"


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who an inbound email speaks for: the citizen, a staff user, or nobody (held for review, with why)."""

    author: str
    agent: User | None = None
    held: str | None = None


async def attribute(uow: UnitOfWork, ticket: Ticket, route: emails.ReplyRoute) -> Attribution:
    """The author a signed reply address stands for, checked against who may write on the ticket now.

    The address alone decides, never `From:`. Refused (403): a staff address whose user is gone, no longer staff,
    or staff of another entity. Held for review: the entity's shared inbox or on-call address (no person), an
    address of the old per-side format, and an agent who is still staff but no longer assigned (the conversation
    moved on: their reply waits for whoever has it now, instead of taking the ticket back).
    """
    if route.legacy:
        return Attribution("retenido", held="direccion_antigua")
    if route.recipient == "c":
        return Attribution("vecino")
    if route.recipient in ("i", "o"):
        return Attribution("retenido", held="buzon_compartido")
    user = await uow.session.get(User, route.user_id) if route.user_id is not None else None
    if user is None or not user.is_staff or (user.entity_id != ticket.entity_id and user.rol != "super_admin"):
        raise Forbidden("La dirección de respuesta es de alguien que ya no tiene acceso a este reclamo.")
    if ticket.assigned_agent_id is not None and ticket.assigned_agent_id != user.id:
        return Attribution("retenido", agent=user, held="agente_no_asignado")
    return Attribution("agente", agent=user)


async def receive(
    ctx: AppContext,
    uow: UnitOfWork,
    raw: bytes,
    *,
    envelope_from: str | None = None,
    envelope_to: Sequence[str] = (),
) -> InboundResult:
    """Post a reply on its ticket as whom its signed reply address names (the caller commits).

    Only a valid `reply+<ticket>.<recipient>.<mac>@` address (envelope recipient, or To/Cc/Delivered-To as the
    transport gives it) routes and attributes a reply; `From:`, `In-Reply-To` and `References` prove nothing.
    Auto-replies, bounces, loops and repeats are dropped; replies that name no person are held for review.
    """
    settings = ctx.settings
    if len(raw) > settings.max_inbound_email_bytes:
        raise TooLarge(f"El email supera el máximo de {settings.max_inbound_email_bytes} bytes.")
    message = parse(raw)
    message_id = header(message, "Message-ID")
    reason = drop_reason(message, settings.mail_reply_domain, envelope_from)
    if reason is not None:
        log.info("inbound email %s dropped: %s", message_id, reason)
        return InboundResult("ignored", reason)
    addresses = _addresses(message, envelope_to)
    route = next((r for a in addresses if (r := emails.parse_reply_address(settings, ctx.signer, a))), None)
    sender = emails.normalize_address(header(message, "From"))
    if route is None:
        threaded = emails.ticket_of_message_ids(settings, _referenced(message))
        log.warning(
            "inbound email %s from %s refused: no valid signed reply address (threads ticket %s)",
            message_id,
            sender,
            threaded,
        )
        if threaded is None and not any(emails.looks_like_reply_address(settings, a) for a in addresses):
            raise NotFound("El email no corresponde a ningún reclamo (dirección de respuesta desconocida).")
        raise Forbidden("La dirección de respuesta no es válida; respondé al email del aviso.")
    ticket = await tickets_repo.get(uow.session, route.ticket_id)
    entity = await entities_repo.get(uow.session, ticket.entity_id) if ticket else None
    if ticket is None or entity is None:
        log.warning("inbound email %s signed for ticket %s, which no longer exists", message_id, route.ticket_id)
        raise NotFound("El email no corresponde a ningún reclamo.")
    who = await attribute(uow, ticket, route)
    # Decoded mail is this channel's edge: its text is cleaned once, here (bytes that are not UTF-8 decode to
    # lone surrogates).
    text = strip_quoted(clean(body_text(message)))
    if not text:
        raise Unprocessable("El email no tiene texto nuevo (solo texto citado o vacío).")
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[: MAX_MESSAGE_CHARS - 1].rstrip() + "…"
    key = dedup_key(message)
    # Replies posted before keys were normalized carry the Message-ID as it came.
    legacy_key = f"{EXTERNAL_PREFIX}{message_id.strip()[:190]}" if message_id else None
    for known in (key, legacy_key):
        if known and await tickets_repo.message_by_external_id(uow.session, known):
            return InboundResult("ignored", "duplicado", ticket.id)
    record = await repository.claim_inbound_email(
        uow.session, key, ticket_id=ticket.id, status=INBOUND_HELD if who.held else INBOUND_POSTED, now=utcnow()
    )
    if record is None:
        return InboundResult("ignored", "duplicado", ticket.id)
    record.recipient, record.sender = route.recipient, sender
    if who.held is not None:
        record.reason, record.text = who.held, text
        log.warning(
            "inbound email %s for ticket %s held for review (%s, address of %s)",
            message_id,
            ticket.id,
            who.held,
            route.recipient,
        )
        return InboundResult("held", who.held, ticket.id)
    if who.agent is not None:
        posted = await livechat.agent_message(
            ctx, uow, entity, ticket, livechat.AgentReply(agent=who.agent, text=text, origen="email", external_id=key)
        )
        record.message_id = posted.id
        log.info("inbound email from agent %s posted on ticket %s", who.agent.id, ticket.id)
        return InboundResult("posted", None, ticket.id, posted.id, "agente")
    outcome = await livechat.citizen_message(
        ctx, uow, entity, ticket, livechat.CitizenLine(text=text, origen="email", citizen=None, external_id=key)
    )
    record.message_id = int(outcome["mensaje_id"])
    log.info("inbound email posted on ticket %s", ticket.id)
    return InboundResult("posted", None, ticket.id, int(outcome["mensaje_id"]), "vecino")
