"""Ticket emails: what they say (Jinja2 templates, text + HTML) and their headers (threading, reply, unsubscribe)."""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ventanilla.security import TokenSigner, same_text
from ventanilla.settings import Settings
from ventanilla.tickets.models import Ticket, TicketMessage
from ventanilla.tickets.schemas import author_label
from ventanilla.tickets.service import ESTADO_LABELS

MESSAGE_POLICY = policy.default.clone(refold_source="none")
LOCAL_TZ = ZoneInfo("America/Argentina/Buenos_Aires")
REPLY_LOCAL = "reply"
LEGACY_REPLY_LOCAL = "reclamo"
REPLY_MAC_HEX = 20
REPLY_PURPOSE = "email-reply"
UNSUBSCRIBE_PURPOSE = "email-unsubscribe"
LOOP_HEADER = "X-Ventanilla-Ticket"
CONTEXT_MESSAGES = 3
MAX_NEW_MESSAGES = 30
TEMPLATES = ("citizen", "agent", "oncall", "follower")
_ROLE_TEMPLATE = {"citizen": "citizen", "agent": "agent", "inbox": "agent", "oncall": "oncall", "follower": "follower"}
_OUR_ID = re.compile(r"<ticket-(\d{1,16})(?:\.\d+)?@([^>\s]+)>")
_TOKEN = re.compile(r"^(\d{1,16})\.(c|i|o|u\d{1,16})\.([0-9a-f]{20})$")
_LEGACY_TOKEN = re.compile(r"^(\d{1,16})-([ca])-([0-9a-f]{16})$")
_URGENCY_LABELS = {
    "medical": "emergencia médica",
    "health": "salud",
    "fire": "incendio",
    "violence": "violencia",
    "gas": "escape de gas",
    "electric": "riesgo eléctrico",
    "flood": "inundación",
    "structure": "riesgo de derrumbe",
    "traffic": "accidente de tránsito",
    "missing": "persona desaparecida",
    "animal": "animal peligroso",
    "explicit": "emergencia",
    "self_harm": "riesgo de autolesión o suicidio",
    "gender_violence": "violencia de género",
    "child": "niña o niño en riesgo",
}


@dataclass(frozen=True, slots=True)
class MessageView:
    """One message as an email shows it."""

    author: str
    when: str
    text: str
    is_new: bool = False


@dataclass(frozen=True, slots=True)
class EmailView:
    """Everything a template needs, already in words (no database objects)."""

    template: str
    entity_name: str
    ticket_id: int
    tipo: str
    nro_ticket: int
    asunto: str
    estado_label: str
    headline: str
    intro: str
    button_label: str
    ticket_url: str
    unsubscribe_url: str
    last: MessageView | None = None
    earlier: Sequence[MessageView] = field(default_factory=tuple)
    recipient_name: str | None = None
    pin: str | None = None
    contact: str | None = None
    direccion: str | None = None
    urgency_label: str | None = None


@dataclass(frozen=True, slots=True)
class Rendered:
    """Subject and both bodies of one email."""

    subject: str
    text: str
    html: str


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("ventanilla.notifications", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def local_time(value: dt.datetime) -> str:
    """`dd/mm/aaaa HH:MM` in Buenos Aires time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def subject_of(nro_ticket: int, asunto: str) -> str:
    """The stable subject of every email of a ticket."""
    clean = " ".join((asunto or "Reclamo").split())
    if len(clean) > 140:
        clean = clean[:139].rstrip() + "…"
    return f"[Reclamo #{nro_ticket}] {clean}"


def render(view: EmailView) -> Rendered:
    """Subject, plain text and HTML of a view."""
    subject = subject_of(view.nro_ticket, view.asunto)
    env = _env()
    text = env.get_template(f"{view.template}.txt.j2").render(v=view, subject=subject)
    html = env.get_template(f"{view.template}.html.j2").render(v=view, subject=subject)
    return Rendered(subject, re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", html)


# --- addresses and threading ---------------------------------------------------------------------------------


def normalize_address(raw: str | None) -> str | None:
    """A lower-cased bare address, or None when it is not a plausible email address."""
    _, address = parseaddr(raw or "")
    address = address.strip().lower()
    if not re.fullmatch(r"[^@\s<>(),;:\"\[\]]+@[a-z0-9-]+(\.[a-z0-9-]+)+", address) or len(address) > 320:
        return None
    return address


def root_id(settings: Settings, ticket_id: int) -> str:
    """The deterministic id every email of a ticket replies to."""
    return f"<ticket-{ticket_id}@{settings.mail_reply_domain}>"


def message_id(settings: Settings, ticket_id: int, first_row_id: int) -> str:
    """A stable Message-ID for the email that carries outbox row `first_row_id` (same on every retry)."""
    return f"<ticket-{ticket_id}.{first_row_id}@{settings.mail_reply_domain}>"


def ticket_of_message_ids(settings: Settings, values: Iterable[str]) -> int | None:
    """The ticket named by one of our Message-IDs in In-Reply-To / References."""
    domain = settings.mail_reply_domain.lower()
    for value in values:
        for match in _OUR_ID.finditer(value or ""):
            if match.group(2).lower() == domain:
                return int(match.group(1))
    return None


def is_our_message_id(settings: Settings, value: str | None) -> bool:
    """Whether a Message-ID was minted by us (a mail loop when it comes back as a new message)."""
    _, _, domain = (value or "").strip().strip("<>").rpartition("@")
    return bool(domain) and domain.lower() == settings.mail_reply_domain.lower()


@dataclass(frozen=True, slots=True)
class ReplyRoute:
    """What a genuine signed reply address names: the ticket and the one recipient it was given to.

    `recipient` is `c` (the ticket's citizen), `u<id>` (a staff user), `i` (the entity's inbox) or `o` (its on-call
    address); a `legacy` route is an address of the old per-side format, which names no person.
    """

    ticket_id: int
    recipient: str
    legacy: bool = False

    @property
    def user_id(self) -> int | None:
        """The staff user the address was given to, if it was one."""
        return int(self.recipient[1:]) if self.recipient.startswith("u") else None


# A follower's reply names no person of the ticket: it is held for the agents (`i`), never posted as the citizen.
_ROLE_RECIPIENT = {"citizen": "c", "inbox": "i", "oncall": "o", "follower": "i"}


def reply_recipient(role: str, user_id: int | None = None) -> str:
    """The recipient part of a reply address: `u<id>` for an agent, else the role's letter."""
    if role == "agent" and user_id is not None:
        return f"u{user_id}"
    return _ROLE_RECIPIENT.get(role, "i" if role == "agent" else "c")


def reply_mac(signer: TokenSigner, ticket_id: int, recipient: str) -> str:
    """80 bits of HMAC-SHA256 (hex, so a mail system that lower-cases the local part changes nothing)."""
    return signer.short_mac(REPLY_PURPOSE, f"{ticket_id}.{recipient}", REPLY_MAC_HEX)


def reply_address(
    settings: Settings, signer: TokenSigner, ticket_id: int, role: str, user_id: int | None = None
) -> str:
    """The per-recipient, per-ticket signed Reply-To: `reply+<ticket>.<recipient>.<mac>@<MAIL_REPLY_DOMAIN>`."""
    recipient = reply_recipient(role, user_id)
    return (
        f"{REPLY_LOCAL}+{ticket_id}.{recipient}.{reply_mac(signer, ticket_id, recipient)}@{settings.mail_reply_domain}"
    )


def parse_reply_address(settings: Settings, signer: TokenSigner, address: str) -> ReplyRoute | None:
    """The route of a genuine reply address of ours (constant-time MAC check), else None."""
    _, bare = parseaddr(address or "")
    local, _, domain = bare.strip().lower().rpartition("@")
    if domain != settings.mail_reply_domain.lower() or "+" not in local:
        return None
    prefix, _, token = local.partition("+")
    match = _TOKEN.match(token)
    if prefix == REPLY_LOCAL and match is not None:
        ticket_id, recipient, mac = int(match.group(1)), match.group(2), match.group(3)
        expected = reply_mac(signer, ticket_id, recipient)
        return ReplyRoute(ticket_id, recipient) if hmac.compare_digest(mac, expected) else None
    legacy = _LEGACY_TOKEN.match(token)
    if prefix == LEGACY_REPLY_LOCAL and legacy is not None:
        ticket_id, side, mac = int(legacy.group(1)), legacy.group(2), legacy.group(3)
        expected = signer.short_mac(REPLY_PURPOSE, f"{ticket_id}-{side}")
        return ReplyRoute(ticket_id, side, legacy=True) if hmac.compare_digest(mac, expected) else None
    return None


def looks_like_reply_address(settings: Settings, address: str) -> bool:
    """Whether an address is at our reply domain with a `+` token (genuine or not)."""
    _, bare = parseaddr(address or "")
    local, _, domain = bare.strip().lower().rpartition("@")
    return domain == settings.mail_reply_domain.lower() and "+" in local


def unsubscribe_token(signer: TokenSigner, entity_id: int, address: str) -> str:
    """`<entity id>.<address, base64url>.<mac>`: deterministic, so every email to an address carries the same link."""
    encoded = base64.urlsafe_b64encode(address.encode()).decode().rstrip("=")
    return f"{entity_id}.{encoded}.{signer.short_mac(UNSUBSCRIBE_PURPOSE, f'{entity_id}.{encoded}', 32)}"


def read_unsubscribe_token(signer: TokenSigner, token: str) -> tuple[int, str] | None:
    """(entity id, address) of a genuine unsubscribe token."""
    entity, _, rest = (token or "").partition(".")
    encoded, _, mac = rest.partition(".")
    if not entity.isdigit() or len(entity) > 12 or not encoded or len(encoded) > 600:
        return None
    if not entity.isascii() or not same_text(mac, signer.short_mac(UNSUBSCRIBE_PURPOSE, f"{entity}.{encoded}", 32)):
        return None
    try:
        address = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except ValueError:
        return None
    return int(entity), address


def unsubscribe_url(settings: Settings, signer: TokenSigner, entity_id: int, address: str) -> str:
    """The one-click unsubscribe link (served by this service)."""
    return f"{settings.public_url.rstrip('/')}/emails/baja/{quote(unsubscribe_token(signer, entity_id, address))}"


def ticket_url(settings: Settings, ticket: Ticket) -> str:
    """The ticket's own page for its citizen: `/ticket/{nro}?pin=` (the lookup page, which opens the named ticket in
    both versions, logged in or not; agents and the on-call address get `panel_ticket_url`, followers no link)."""
    base = settings.panel_url.rstrip("/")
    return f"{base}/ticket/{ticket.nro_ticket}?{urlencode({'pin': ticket.pin})}"


def panel_ticket_url(settings: Settings, ticket: Ticket) -> str:
    """An agent's link: the backend's `/panel/tickets/{id}`, which opens the panel's list on this ticket."""
    base = settings.public_url.rstrip("/")
    return f"{base}/panel/tickets/{ticket.id}"


@dataclass(frozen=True, slots=True)
class Envelope:
    """The headers of one email: the sender's name, its ticket's thread, recipient, reply and unsubscribe
    addresses, and date."""

    entity_name: str
    ticket_id: int
    to: str
    msg_id: str
    reply_to: str
    unsubscribe: str
    date: dt.datetime


def build_message(settings: Settings, rendered: Rendered, envelope: Envelope) -> EmailMessage:
    """The multipart (text + HTML) message with threading, reply, loop and unsubscribe headers."""
    entity_name, ticket_id, to, msg_id = envelope.entity_name, envelope.ticket_id, envelope.to, envelope.msg_id
    reply_to, unsubscribe, date = envelope.reply_to, envelope.unsubscribe, envelope.date
    _, from_address = parseaddr(settings.mail_from)
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["From"] = formataddr((entity_name[:120], from_address or f"no-reply@{settings.mail_reply_domain}"))
    message["To"] = to
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(date.astimezone(dt.UTC))
    message["Message-ID"] = msg_id
    message["In-Reply-To"] = root_id(settings, ticket_id)
    message["References"] = root_id(settings, ticket_id)
    message["Reply-To"] = reply_to
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    # Raw, so the long URL is never folded or RFC 2047-encoded (mail clients would not read it back).
    message.set_raw("List-Unsubscribe", f"<{unsubscribe}>")
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message[LOOP_HEADER] = str(ticket_id)
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


# --- from tickets to views -----------------------------------------------------------------------------------


def _message_view(message: TicketMessage, new_ids: set[int]) -> MessageView:
    text = message.text or ""
    if message.attachment and not text:
        text = f"(adjunto: {message.attachment.get('name') or message.attachment.get('url') or 'archivo'})"
    return MessageView(author_label(message), local_time(message.created_at), text, message.id in new_ids)


def _headline(role: str, kinds: set[str], estado_label: str) -> tuple[str, str]:
    if role == "follower":
        return (
            f"El reclamo al que te sumaste está «{estado_label}»",
            f"hay novedades en el reclamo que también informaste: ahora está «{estado_label}».",
        )
    if role == "oncall":
        return "Reclamo URGENTE fuera de horario", "Un vecino informó una urgencia cuando no hay agentes en línea."
    if role == "citizen":
        if "history" in kinds:
            return "Historial de tu reclamo", "te enviamos el historial completo de tu reclamo, como pediste."
        if "history_staff" in kinds:
            return "Historial de tu reclamo", "te enviamos el historial completo de tu reclamo."
        if "message" in kinds:
            return "Tenés una respuesta sobre tu reclamo", "hay novedades en tu reclamo."
        if "status" in kinds:
            return f"Tu reclamo está «{estado_label}»", f"tu reclamo cambió de estado: ahora está «{estado_label}»."
        return "Recibimos tu reclamo", "registramos tu reclamo y te vamos a avisar por este medio si hay novedades."
    if "message" in kinds:
        return "Nuevo mensaje del vecino", "El vecino escribió en un reclamo que todavía no viste."
    return "Nuevo reclamo", "Entró un reclamo nuevo."


@dataclass(frozen=True, slots=True)
class Addressee:
    """Whom an email goes to: the entity it speaks for, the recipient's role, address and (citizens) name."""

    entity_name: str
    entity_id: int
    role: str
    address: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class News:
    """What an email covers: the kinds of change, the new messages' ids and the recent conversation."""

    kinds: set[str]
    new_message_ids: set[int]
    history: Sequence[TicketMessage]


def build_view(settings: Settings, signer: TokenSigner, ticket: Ticket, to: Addressee, news: News) -> EmailView:
    """The view of one email: the newest covered message, the other new ones and a few older ones for context."""
    entity_name, entity_id, role, recipient, recipient_name = to.entity_name, to.entity_id, to.role, to.address, to.name
    kinds, new_message_ids, history = news.kinds, news.new_message_ids, news.history
    label = ESTADO_LABELS.get(ticket.estado, ticket.estado)
    headline, intro = _headline(role, kinds, label)
    urgent_alert = bool({"urgent", "urgent_unanswered"} & kinds) and role in ("oncall", "inbox")
    if urgent_alert and "urgent_unanswered" in kinds:
        headline, intro = (
            "Chat URGENTE sin respuesta",
            "Un vecino con una urgencia escribió en el chat en vivo y ningún agente le respondió a tiempo. "
            "Ya le dimos las líneas de emergencia: contactalo cuanto antes.",
        )
    elif urgent_alert and (ticket.urgency or {}).get("notify_oncall"):
        headline, intro = _headline("oncall", kinds, label)
    elif urgent_alert:
        headline, intro = "Reclamo URGENTE", "Un vecino informó una urgencia: revisalo cuanto antes."
    covered = [m for m in history if m.id in new_message_ids]
    last_msg = covered[-1] if covered else (history[-1] if history else None)
    before = [m for m in history if last_msg is None or m.id < last_msg.id]
    new_before = [m for m in before if m.id in new_message_ids][-MAX_NEW_MESSAGES:]
    first_new = new_before[0].id if new_before else (last_msg.id if last_msg else 0)
    context = [m for m in before if m.id < first_new][-CONTEXT_MESSAGES:]
    earlier = [_message_view(m, new_message_ids) for m in (*context, *new_before)]
    last = _message_view(last_msg, new_message_ids) if last_msg else None
    if role == "follower":  # a neighbour who joined: the status, never the owner's conversation or PIN
        earlier, last = [], None
    elif last is None and ticket.descripcion:
        last = MessageView(ticket.nombre_usuario or "Vecino", local_time(ticket.created_at), ticket.descripcion, True)
    urgency = ticket.urgency or {}
    category = str(urgency.get("category") or "") if ticket.prioridad == "urgente" else ""
    contact = ", ".join(p for p in (ticket.nombre_usuario, ticket.telefono, ticket.email) if p) or None
    template = "oncall" if urgent_alert else _ROLE_TEMPLATE.get(role, "agent")
    return EmailView(
        template=template,
        entity_name=entity_name,
        ticket_id=ticket.id,
        tipo=ticket.tipo,
        nro_ticket=ticket.nro_ticket,
        asunto=ticket.asunto,
        estado_label=label,
        headline=headline,
        intro=intro,
        button_label="Ver mi reclamo" if template == "citizen" else "Abrir el reclamo",
        ticket_url=panel_ticket_url(settings, ticket)
        if template in ("agent", "oncall")
        else ticket_url(settings, ticket),
        unsubscribe_url=unsubscribe_url(settings, signer, entity_id, recipient),
        last=last,
        earlier=tuple(earlier),
        recipient_name=recipient_name if template == "citizen" else None,
        pin=ticket.pin if template == "citizen" else None,
        contact=contact if template != "citizen" else None,
        direccion=ticket.direccion,
        urgency_label=(_URGENCY_LABELS.get(category, category.replace("_", " ")) or "urgente") if category else None,
    )
