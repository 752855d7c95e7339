"""Play dialogues written to /work/eval/bot_dialogue_spec.md against a real server and check their outcomes.

A dialogue is played as a citizen would: through `/ask/municipio` as the widget does (its own chat session id,
the entity token, the buttons the bot showed) or through the signed WhatsApp webhook as Meta does (text, button
replies, locations, photos served by the fake Graph API). The outcome is read from the database afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import tempfile
import unicodedata
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from tests.conftest import fresh_database
from tests.fake_graph import FakeGraph, running_fake_graph
from tests.support import Clock, Server, running_server, widget_update
from tests.whatsapp_support import Env as WaEnv
from tests.whatsapp_support import (
    Line,
    delivery,
    message,
    post,
    seed_knowledge,
    tune,
    turn_done,
    wa_settings,
    whatsapp_tenant,
)
from ventanilla.chat import keys
from ventanilla.entities import service as entities
from ventanilla.tickets import service as tickets
from ventanilla.tickets.models import Ticket
from ventanilla.whatsapp.schemas import decode_option_id

HERE = Path(__file__).resolve().parent
TAP_ACTIONS = {
    "confirm": ("confirmar_reclamo",),
    "cancel": ("cancelar_reclamo",),
    "yes": ("urgencia_si", "si", "sí", "yes"),
    "no": ("urgencia_no", "no"),
    "person": ("request_agent",),
}
TAP_TITLES = {"yes": ("si", "sí"), "no": ("no",), "confirm": ("confirmar",), "cancel": ("cancelar",)}
TAP_TYPED = {"confirm": "sí", "cancel": "cancelar", "yes": "sí", "no": "no", "person": "quiero hablar con una persona"}
DEMO_CONFIG = {"auto_open_live_chat": True}
"""As `ventanilla demo` configures its entity: an emergency puts a person on the chat at once."""
PHOTO = b"\xff\xd8\xff\xe0 una foto de prueba"


def fold(text: str | None) -> str:
    """Lowercase without accents, spaces collapsed (how the spec compares words)."""
    plain = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    return " ".join(plain.split())


def phone_digits(value: str | None) -> str:
    """An Argentine number as the spec writes it: no 54/9 country prefix, no trunk 0, no mobile 15."""
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    if digits.startswith("54") and len(digits) >= 12:
        digits = digits[2:]
    if digits.startswith("9") and len(digits) == 11:
        digits = digits[1:]
    if digits.startswith("0"):
        digits = digits[1:]
    if len(digits) == 12:
        for area in (2, 3, 4):
            if digits[area : area + 2] == "15":
                digits = digits[:area] + digits[area + 2 :]
                break
    return digits


def load(*names: str) -> list[dict[str, Any]]:
    """Dialogues of the named JSON files of this folder (or absolute paths)."""
    out: list[dict[str, Any]] = []
    for name in names:
        path = Path(name) if Path(name).is_absolute() else HERE / name
        out.extend(json.loads(path.read_text("utf-8")))
    return out


def fast_subset(dialogues: Sequence[dict[str, Any]], every: int = 6) -> list[dict[str, Any]]:
    """Every `every`-th dialogue of each file, by position: fixed before anything was measured."""
    return [d for i, d in enumerate(dialogues) if i % every == 0]


@dataclass
class Outcome:
    """One played dialogue: what went wrong, by kind."""

    id: str
    channel: str
    failures: list[tuple[str, str]] = field(default_factory=list)
    transcript: list[tuple[str, str]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def fail(self, kind: str, detail: str) -> None:
        self.failures.append((kind, detail))


@dataclass
class Suite:
    """A running server with WhatsApp and the demo-like entity the dialogues talk to."""

    server: Server
    graph: FakeGraph
    line: Line
    wa_env: WaEnv

    async def alone(self) -> Suite:
        """The same server with a municipio of its own (a dialogue's complaint is no other dialogue's duplicate)."""
        return Suite(self.server, self.graph, await demo_line(self.wa_env), self.wa_env)

    @property
    def tenant_id(self) -> int:
        return self.line.tenant.id


@contextlib.asynccontextmanager
async def running_suite(database: str = "sqlite") -> AsyncIterator[Suite]:
    """Fake Graph API, a fresh database, a real server, an always-open entity with the demo knowledge base."""
    root = Path(tempfile.mkdtemp(prefix="ventanilla-suite-"))
    async with (
        running_fake_graph() as graph,
        fresh_database(database, root) as url,
        running_server(wa_settings(root / "srv", url, graph), Clock()) as server,
    ):
        tune(server)
        wa_env = WaEnv(server, graph, database, root)
        yield Suite(server, graph, await demo_line(wa_env), wa_env)


async def demo_line(wa_env: WaEnv) -> Line:
    """An always-open municipio like the demo's (name, settings, knowledge base) with a WhatsApp number."""
    line = await whatsapp_tenant(wa_env, agents=1, always_open=True)
    async with wa_env.server.ctx.uow() as uow:
        entity = await entities.require(uow.session, line.tenant.id)
        entity.name = "Municipalidad de Demo"
        entity.config = {**(entity.config or {}), **DEMO_CONFIG}
        await uow.commit()
    await seed_knowledge(wa_env.server, line.tenant.id)
    return line


def _wa_id_of(dialogue: dict[str, Any]) -> tuple[str, str]:
    """A sender number of this dialogue alone (dialogues reuse numbers, and a number is a WhatsApp identity),
    and the number the dialogue wrote, which stands for it in the checks."""
    written = "".join(ch for ch in str(dialogue.get("phone") or "") if ch.isdigit()) or "5492614443322"
    return "549" + str(2 * 10**9 + secrets.randbelow(10**9)), written


async def _setup(suite: Suite, dialogue: dict[str, Any], session_key: str, wa_id: str | None) -> dict[str, str]:
    """The complaints that exist before the conversation; returns the placeholders."""
    names: dict[str, str] = {"_written": str(dialogue.get("phone") or "")}
    setup_ids: list[int] = []
    for item in dialogue.get("setup") or []:
        channel = "whatsapp" if item.get("channel") == "whatsapp" else "web"
        telefono = item.get("telefono")
        same_sender = (
            wa_id is not None
            and channel == "whatsapp"
            and bool(telefono)
            and phone_digits(str(telefono)) == phone_digits(names.get("_written"))
        )
        if same_sender:
            telefono = f"+{wa_id}"  # the dialogue's sender, under the number this run gave it
        key = keys.whatsapp(wa_id) if same_sender else f"someone-{uuid.uuid4().hex}"
        async with suite.server.ctx.uow() as uow:
            entity = await entities.require(uow.session, suite.tenant_id)
            categoria, descripcion = item.get("categoria"), item.get("descripcion")
            ticket, _ = await tickets.create_ticket(
                uow,
                entity,
                tickets.NewTicket(
                    asunto=f"{categoria}: {descripcion}"[:120] if categoria else (descripcion or "Reclamo")[:120],
                    descripcion=descripcion,
                    categoria=categoria,
                    direccion=item.get("direccion"),
                    channel=channel,
                    nombre=item.get("nombre"),
                    email=item.get("email"),
                    telefono=telefono,
                    estado=item.get("estado") or "nuevo",
                    chat_session_key=key,
                ),
            )
            await uow.commit()
        ref = str(item.get("ref") or f"t{len(setup_ids) + 1}")
        names[f"{ref}.nro"] = str(ticket.nro_ticket)
        names[f"{ref}.pin"] = str(ticket.pin)
        setup_ids.append(ticket.id)
    names["_setup_ids"] = ",".join(str(i) for i in setup_ids)
    return names


def _fill(text: str, names: dict[str, str]) -> str:
    for key, value in names.items():
        text = text.replace("{" + key + "}", value)
    return text


def _check_reply(outcome: Outcome, kind: str, said: str, spec: dict[str, Any], any_key: str, none_key: str) -> None:
    folded = fold(said)
    wanted = spec.get(any_key) or []
    if wanted and not any(fold(w) in folded for w in wanted):
        outcome.fail(kind, f"none of {wanted} in {said[:300]!r}")
    for word in spec.get(none_key) or []:
        if fold(word) in folded:
            outcome.fail(kind, f"{word!r} in {said[:300]!r}")


def _filled(spec: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A turn's checks with `{t1.nro}`-style placeholders replaced."""
    return {k: [_fill(str(w), names) for w in v] if k.startswith("reply_has") else v for k, v in spec.items()}


def _tap_button(tap: str, buttons: list[tuple[str | None, str, Any]]) -> tuple[str | None, str, Any] | None:
    """The shown button that means `tap`: (action, title, payload)."""
    for action, title, payload in buttons:
        if action in TAP_ACTIONS.get(tap, ()):
            return action, title, payload
    for action, title, payload in buttons:
        if fold(title) in TAP_TITLES.get(tap, ()):
            return action, title, payload
    return None


# --- widget ---------------------------------------------------------------------------------------------


async def _play_widget(
    suite: Suite, dialogue: dict[str, Any], outcome: Outcome, key: str, names: dict[str, str]
) -> str:
    headers = {"X-Entity-Token": suite.line.tenant.token, "X-Chat-Session-Id": key}
    context: dict[str, Any] = {"estado_conversacion": "inicio", "datos_reclamo": {}, "id_ticket_creado": None}
    buttons: list[tuple[str | None, str, Any]] = []
    live_ticket: Any = None
    said = ""
    async with suite.server.client() as client:
        r = await client.post("/ask/municipio", json={"pregunta": "", "action": "initial_greeting"}, headers=headers)
        buttons = [(b.get("action"), b.get("texto", ""), b.get("payload")) for b in r.json().get("botones", [])]
        for turn in dialogue["turns"]:
            body: dict[str, Any] = {"pregunta": ""}
            if "say" in turn:
                body["pregunta"] = _fill(str(turn["say"]), names)
            elif "tap" in turn:
                hit = _tap_button(turn["tap"], buttons)
                if hit is None:
                    body["pregunta"] = TAP_TYPED.get(turn["tap"], str(turn["tap"]))
                else:
                    body.update({"pregunta": hit[1], "action": hit[0], "payload": hit[2]})
            elif "location" in turn:
                loc = turn["location"]
                body.update({"action": "user_provided_location", "location": {"lat": loc["lat"], "lon": loc["lon"]}})
            elif "photo" in turn:
                body["pregunta"] = str(turn["photo"] or "")
                body["attachment_info"] = {
                    "name": "foto.jpg",
                    "url": f"https://fotos.example.org/{uuid.uuid4().hex}.jpg",
                    "mimeType": "image/jpeg",
                    "size": 2048,
                }
            if live_ticket is not None:
                body["ticket_id"] = live_ticket
            r = await client.post("/ask/municipio", json={**body, "contexto_previo": context}, headers=headers)
            if r.status_code != 200:
                outcome.fail("http", f"{r.status_code} {r.text[:200]}")
                return said
            data = r.json()
            context = widget_update(context, data)
            said = str(data.get("respuesta") or "")
            if data.get("ticket_id") and (data.get("live_chat") or data.get("urgente") or "posicion_en_fila" in data):
                live_ticket = data["ticket_id"]
            buttons = [(b.get("action"), b.get("texto", ""), b.get("payload")) for b in data.get("botones", [])]
            for group in data.get("categorias") or []:
                buttons += [(b.get("action"), b.get("texto", ""), b.get("payload")) for b in group.get("botones", [])]
            outcome.transcript.append((_turn_text(turn, body), said))
            _check_reply(outcome, "turn_reply", said, _filled(turn, names), "reply_has_any", "reply_has_none")
    return said


def _turn_text(turn: dict[str, Any], body: dict[str, Any]) -> str:
    if "tap" in turn:
        return f"[tap {turn['tap']}] {body.get('action') or body.get('pregunta')}"
    if "location" in turn:
        return f"[location {turn['location']}]"
    if "photo" in turn:
        return f"[photo] {turn['photo']}"
    return str(body.get("pregunta", ""))


# --- WhatsApp -------------------------------------------------------------------------------------------


async def _play_whatsapp(
    suite: Suite, dialogue: dict[str, Any], outcome: Outcome, wa_id: str, names: dict[str, str]
) -> str:
    profile = dialogue.get("whatsapp_profile_name")
    buttons: list[tuple[str | None, str, Any]] = []
    option_kind: dict[str, str] = {}
    said = ""
    async with suite.server.client() as client:
        for turn in dialogue["turns"]:
            shown = ""
            if "say" in turn:
                shown = _fill(str(turn["say"]), names)
                msg = message(wa_id, "text", {"body": shown})
            elif "tap" in turn:
                hit = _tap_button(turn["tap"], buttons)
                if hit is None:
                    shown = TAP_TYPED.get(turn["tap"], str(turn["tap"]))
                    msg = message(wa_id, "text", {"body": shown})
                else:
                    option_id = str(hit[2])
                    kind = option_kind.get(option_id, "button_reply")
                    shown = f"[tap {turn['tap']}] {hit[0]}"
                    msg = message(
                        wa_id, "interactive", {"type": kind, kind: {"id": option_id, "title": hit[1][:20] or "Opción"}}
                    )
            elif "location" in turn:
                loc = turn["location"]
                shown = f"[location {loc}]"
                msg = message(wa_id, "location", {"latitude": loc["lat"], "longitude": loc["lon"]})
            else:
                media_id = str(10**12 + secrets.randbelow(10**12))
                suite.graph.media[media_id] = (PHOTO, "image/jpeg")
                shown = f"[photo] {turn.get('photo')}"
                part: dict[str, Any] = {"id": media_id, "mime_type": "image/jpeg"}
                if turn.get("photo"):
                    part["caption"] = str(turn["photo"])
                msg = message(wa_id, "image", part)
            before = len(suite.graph.accepted(wa_id))
            payload = delivery(suite.line.phone_number_id, [msg], name=profile or "")
            if not profile:
                for contact in payload["entry"][0]["changes"][0]["value"]["contacts"]:
                    contact["profile"] = {}
            try:
                r = await post(client, payload)
            except httpx.TransportError:
                r = await post(client, payload)  # Meta delivers again; the inbox keeps one copy per wamid
            if r.status_code != 200:
                outcome.fail("http", f"{r.status_code} {r.text[:200]}")
                return said
            try:
                await turn_done(suite.wa_env, msg["id"], wa_id, timeout=30)
            except TimeoutError as exc:
                outcome.fail("http", str(exc))
                return said
            sent = suite.graph.accepted(wa_id)[before:]
            said = "\n".join(s.text for s in sent)
            buttons, option_kind = [], {}
            for s in sent:
                interactive = s.body.get("interactive", {}) if isinstance(s.body, dict) else {}
                kind = "list_reply" if interactive.get("type") == "list" else "button_reply"
                titles = _option_titles(interactive)
                for option_id in s.option_ids:
                    action, _ = decode_option_id(option_id)
                    buttons.append((action, titles.get(option_id, ""), option_id))
                    option_kind[option_id] = kind
            outcome.transcript.append((shown, said))
            _check_reply(outcome, "turn_reply", said, _filled(turn, names), "reply_has_any", "reply_has_none")
    return said


def _option_titles(interactive: dict[str, Any]) -> dict[str, str]:
    action = interactive.get("action", {})
    if interactive.get("type") == "button":
        return {b["reply"]["id"]: b["reply"]["title"] for b in action.get("buttons", [])}
    return {row["id"]: row["title"] for s in action.get("sections", []) for row in s.get("rows", [])}


# --- outcome --------------------------------------------------------------------------------------------


async def _check_outcome(
    suite: Suite, dialogue: dict[str, Any], outcome: Outcome, key: str, names: dict[str, str]
) -> None:
    expect = dialogue.get("expect") or {}
    setup_ids = {int(i) for i in names.get("_setup_ids", "").split(",") if i}
    async with suite.server.ctx.sessions() as session:
        mine = list(
            (
                await session.execute(
                    select(Ticket)
                    .where(Ticket.entity_id == suite.tenant_id, Ticket.chat_session_key == key)
                    .order_by(Ticket.nro_ticket)  # ids are random: the order filed is the number's
                )
            ).scalars()
        )
        session.expunge_all()
    mine = [t for t in mine if t.id not in setup_ids]
    # Complaints filed: neither live chats nor urgent escalations (even one the citizen later called a false alarm);
    # a complaint a person was asked for later is its live chat too (docs/live-chat.md), and still a complaint.
    filed = [
        t
        for t in mine
        if t.prioridad != "urgente"
        and not t.urgency
        and (t.categoria is not None or (not t.is_live_chat and t.live_requested_at is None))
    ]
    urgent = any(t.prioridad == "urgente" for t in mine)
    live = any(t.is_live_chat or t.live_requested_at is not None for t in mine)
    want = int(expect.get("tickets_filed") or 0)
    if len(filed) != want:
        outcome.fail("tickets_filed", f"filed {len(filed)}, expected {want}")
    ticket = expect.get("ticket")
    if want and ticket and filed:
        sender = (key.removeprefix("whatsapp:"), names["_written"]) if key.startswith("whatsapp:") else None
        _check_ticket(outcome, filed[-1], ticket, sender)
    if "live_chat" in expect and bool(expect["live_chat"]) != live:
        outcome.fail("live_chat", f"live chat {live}, expected {expect['live_chat']}")
    if "urgent" in expect and bool(expect["urgent"]) != urgent:
        outcome.fail("urgent", f"urgent {urgent}, expected {expect['urgent']}")
    if expect.get("joined_existing"):
        joined = await _joined(suite, setup_ids, key)
        if not joined:
            outcome.fail("joined_existing", "not added to the existing complaint")


async def _joined(suite: Suite, setup_ids: set[int], key: str) -> bool:
    """Whether the session follows one of the setup tickets (when the code base records followers)."""
    try:
        from ventanilla.tickets.models import TicketFollower  # type: ignore[attr-defined]
    except ImportError:
        return False
    async with suite.server.ctx.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(TicketFollower)
            .where(TicketFollower.ticket_id.in_(setup_ids), TicketFollower.chat_session_key == key)
        )
    return bool(count)


def _check_ticket(outcome: Outcome, ticket: Ticket, want: dict[str, Any], sender: tuple[str, str] | None) -> None:
    if want.get("categoria") is not None and ticket.categoria != want["categoria"]:
        outcome.fail("categoria", f"{ticket.categoria!r}, expected {want['categoria']!r}")
    if want.get("categoria") is None and want.get("categoria_any") and ticket.categoria not in want["categoria_any"]:
        outcome.fail("categoria", f"{ticket.categoria!r}, expected one of {want['categoria_any']}")
    for name, column in (("direccion_has", ticket.direccion), ("descripcion_has", ticket.descripcion)):
        missing = [w for w in want.get(name) or [] if fold(w) not in fold(column)]
        if missing:
            outcome.fail(name.removesuffix("_has"), f"{column!r} lacks {missing}")
    if want.get("nombre") and fold(ticket.nombre_usuario) != fold(want["nombre"]):
        outcome.fail("nombre", f"{ticket.nombre_usuario!r}, expected {want['nombre']!r}")
    stored = phone_digits(ticket.telefono)
    if sender and stored == phone_digits(sender[0]):
        stored = phone_digits(sender[1])
    if want.get("telefono_digits") and stored != want["telefono_digits"]:
        outcome.fail("telefono", f"{ticket.telefono!r}, expected {want['telefono_digits']!r}")
    if "email" in want and fold(ticket.email) != fold(want["email"]):
        outcome.fail("email", f"{ticket.email!r}, expected {want['email']!r}")


async def play(suite: Suite, dialogue: dict[str, Any]) -> Outcome:
    """Play one dialogue from a fresh citizen, in a municipio of its own, and check it."""
    suite = await suite.alone()
    channel = "whatsapp" if dialogue.get("channel") == "whatsapp" else "widget"
    outcome = Outcome(str(dialogue.get("id")), channel)
    wa_id = _wa_id_of(dialogue)[0] if channel == "whatsapp" else None
    browser = str(uuid.uuid4())  # the widget's X-Chat-Session-Id
    key = keys.whatsapp(wa_id) if wa_id else keys.web(browser)  # the conversation as the server stores it
    try:
        names = await _setup(suite, dialogue, key, wa_id)
        if channel == "whatsapp":
            assert wa_id is not None
            last = await _play_whatsapp(suite, dialogue, outcome, wa_id, names)
        else:
            last = await _play_widget(suite, dialogue, outcome, browser, names)
        _check_reply(
            outcome, "last_reply", last, dialogue.get("expect") or {}, "last_reply_has_any", "last_reply_has_none"
        )
        await _check_outcome(suite, dialogue, outcome, key, names)
    except (httpx.HTTPError, KeyError, TypeError, ValueError, AssertionError, TimeoutError) as exc:
        outcome.fail("error", repr(exc)[:300])
    return outcome


async def play_all(suite: Suite, dialogues: Sequence[dict[str, Any]], parallel: int = 6) -> list[Outcome]:
    """Every dialogue, a few at a time."""
    gate = asyncio.Semaphore(parallel)

    async def one(dialogue: dict[str, Any]) -> Outcome:
        async with gate:
            return await play(suite, dialogue)

    return list(await asyncio.gather(*(one(d) for d in dialogues)))


def report(outcomes: Sequence[Outcome], label: str = "") -> dict[str, Any]:
    """Pass rate overall, by channel and by failure kind."""

    def rate(items: Sequence[Outcome]) -> dict[str, Any]:
        passed = sum(o.passed for o in items)
        return {
            "dialogues": len(items),
            "passed": passed,
            "pass_rate": round(passed / len(items), 3) if items else None,
        }

    kinds: Counter[str] = Counter(kind for o in outcomes for kind in {k for k, _ in o.failures})
    return {
        "set": label,
        **rate(outcomes),
        "by_channel": {c: rate([o for o in outcomes if o.channel == c]) for c in ("widget", "whatsapp")},
        "dialogues_failing_by_kind": dict(kinds.most_common()),
        "failed": sorted(o.id for o in outcomes if not o.passed),
    }
