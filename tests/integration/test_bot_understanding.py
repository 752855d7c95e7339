"""How the bot reads people who don't follow the script, through /ask and the WhatsApp webhook: alarm words on
ordinary complaints, real danger still escalated, typed names over WhatsApp's, complaints that carry a phone,
corrections at the summary, one's own tickets without the PIN, a name beside the duplicate offer, the emergency
numbers asked for their own sake."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.whatsapp_support import (
    Env,
    Line,
    Widget,
    delivery,
    existing,
    new_wa_id,
    post,
    seed_knowledge,
    text,
    turn_done,
    whatsapp_tenant,
    whatsapp_ticket,
)
from ventanilla.chat import keys
from ventanilla.tickets.models import Ticket, TicketFollower


async def tickets_of(env: Env, session_key: str) -> list[Ticket]:
    async with env.server.ctx.sessions() as session:
        found = list(
            (await session.execute(select(Ticket).where(Ticket.chat_session_key == session_key).order_by(Ticket.id)))
            .scalars()
            .all()
        )
        session.expunge_all()
    return found


class WhatsApp:
    """One WhatsApp chat: a sender number and the profile name Meta sends with it."""

    def __init__(self, env: Env, line: Line, profile: str) -> None:
        self.env, self.line, self.profile = env, line, profile
        self.wa_id = new_wa_id()
        self.stored = keys.whatsapp(self.wa_id)

    async def say(self, body: str) -> str:
        msg = text(self.wa_id, body)
        before = len(self.env.graph.accepted(self.wa_id))
        async with self.env.server.client() as client:
            r = await post(client, delivery(self.line.phone_number_id, [msg], name=self.profile))
            assert r.status_code == 200, r.text
        await turn_done(self.env, msg["id"], self.wa_id)
        return "\n".join(s.text for s in self.env.graph.accepted(self.wa_id)[before:])


async def test_alarm_words_on_ordinary_complaints_are_complaints_and_real_danger_still_escalates(env: Env) -> None:
    line = await whatsapp_tenant(env)

    lamp = Widget(env, line)
    await lamp.ask(action="initial_greeting")
    data = await lamp.ask("EMERGENCIA!!! la lampara de mi calle esta quemada hace 3 dias, Ituzaingo 1350")
    assert not data.get("urgente") and "911" not in data["respuesta"], data["respuesta"]
    assert "Alumbrado público" in data["respuesta"] and "Ituzaingo 1350" in data["respuesta"]
    await lamp.ask("Norma Castillo 2614338899")
    data = await lamp.ask("sí")
    assert "Registramos tu reclamo N.º" in data["respuesta"]
    [filed] = await tickets_of(env, lamp.stored)
    assert filed.prioridad != "urgente" and filed.direccion == "Ituzaingo 1350"

    # A leaning tree, a fallen pole, a dog that bites people who pass: never an emergency by themselves. When the
    # classifier reads danger in one the bot asks once (it never decides an emergency away); "no" goes on with
    # the complaint as told.
    for said in (
        "en la plaza de barrio bombal hay un arbol re grande q se esta por caer, esta todo inclinado",
        "hay un poste caido en la vereda de Rioja 1450, no deja pasar a nadie",
        "hay un perro suelto muy bravo que ataca a la gente que pasa, esta en Catamarca entre Rioja y Salta",
    ):
        chat = Widget(env, line)
        await chat.ask(action="initial_greeting")
        data = await chat.ask(said)
        assert not data.get("urgente"), (said, data["respuesta"])
        if "peligro" in data["respuesta"]:
            data = await chat.ask("no")
            assert not data.get("urgente"), (said, data["respuesta"])
        assert data.get("accion_backend") == "crear_reclamo", (said, data["respuesta"])

    # A bare name is never an emergency (the learned model once read one as self-harm).
    chat = Widget(env, line)
    await chat.ask(action="initial_greeting")
    data = await chat.ask("Mirta Vega")
    assert not data.get("urgente") and "Mirta" in data["respuesta"]

    # Real danger still escalates, also when it reads like a cancel.
    chat = Widget(env, line)
    await chat.ask(action="initial_greeting")
    await chat.ask("hola")
    data = await chat.ask("ya no quiero vivir mas, esta noche termino con todo")
    assert data.get("urgente") and "135" in data["respuesta"]
    gas = Widget(env, line)
    await gas.ask(action="initial_greeting")
    data = await gas.ask("hay olor a gas muy fuerte en la cocina")
    assert data.get("urgente")

    # "URGENTE" alone asks; the complaint that follows is filed as one.
    chat = Widget(env, line)
    await chat.ask(action="initial_greeting")
    data = await chat.ask("URGENTE!!!!! URGENTE!!!")
    assert "peligro" in data["respuesta"] and not data.get("urgente")
    data = await chat.ask(
        "la lampara del poste de mi cuadra esta quemada hace 3 dias, esta todo oscuro. Coronel Díaz 880"
    )
    assert not data.get("urgente") and "Coronel Díaz 880" in data["respuesta"]
    data = await chat.ask("Beatriz Lucero, 2615550099")
    assert "Nombre: Beatriz Lucero" in data["respuesta"]
    assert all(t.prioridad != "urgente" for t in await tickets_of(env, chat.stored))


async def test_a_cancel_in_own_words_is_no_emergency(env: Env) -> None:
    line = await whatsapp_tenant(env)
    chat = Widget(env, line)
    await chat.ask(action="initial_greeting")
    await chat.ask("hay un bache en San Juan 800")
    data = await chat.ask("no quiero seguir con el reclamo")
    assert not data.get("urgente") and "cancelé" in data["respuesta"]
    data = await chat.ask("no espera cancela que no estoy segura de la direccion")
    assert not data.get("urgente")
    assert await tickets_of(env, chat.stored) == []


async def test_a_name_typed_on_whatsapp_replaces_the_profile_name(env: Env) -> None:
    line = await whatsapp_tenant(env)
    chat = WhatsApp(env, line, "Jony")
    said = await chat.say("buenas hay caballos sueltos en la calle en Tirasso y Urquiza todas las noches")
    assert "Tirasso y Urquiza." in said and "Noches" not in said
    said = await chat.say("Jonatan Herrera")
    assert "Nombre: Jonatan Herrera" in said
    await chat.say("dale")
    [filed] = await tickets_of(env, chat.stored)
    assert filed.nombre_usuario == "Jonatan Herrera" and filed.categoria == "Animales sueltos"

    other = WhatsApp(env, line, "Pocho")
    await other.say("los vecinos de calle Tiburcio Benegas al 900 no aguantamos mas los ruidos de una fabrica")
    said = await other.say("Alfredo Domínguez es mi nombre, Pocho me dicen")
    assert "Nombre: Alfredo Domínguez." in said


async def test_a_complaint_that_gives_a_phone_is_filed_not_a_request_for_a_code(env: Env) -> None:
    line = await whatsapp_tenant(env)
    chat = Widget(env, line)
    await chat.ask(action="initial_greeting")
    data = await chat.ask(
        "quería hacer un reclamo porque en la calle Mitre al 700 hay una pérdida de agua que sale de la vereda hace "
        "tres días mi nombre es Jorge Luis Peralta y mi celular es 261 547 8821"
    )
    assert "código" not in data["respuesta"] and "Mitre al 700" in data["respuesta"]
    data = await chat.ask("si esta bien confirmo")
    assert "Registramos tu reclamo N.º" in data["respuesta"]
    [filed] = await tickets_of(env, chat.stored)
    assert filed.nombre_usuario == "Jorge Luis Peralta" and filed.telefono == "2615478821"
    assert filed.categoria == "Agua y cloacas"


async def test_corrections_at_the_summary_change_the_place_and_the_problem(env: Env) -> None:
    line = await whatsapp_tenant(env)
    chat = Widget(env, line)
    await chat.ask(action="initial_greeting")
    await chat.ask("hay un bache enorme en Mitre 1100")
    await chat.ask("Sergio Luna 2615667788")
    data = await chat.ask("no, perdón, es Mitre 1200 no 1100")
    assert "Ubicación: Mitre 1200" in data["respuesta"]
    data = await chat.ask("bah no es la calle, es la vereda que esta toda levantada por las raices del arbol")
    assert "raices" in data["respuesta"] and "Arbolado y espacios verdes" in data["respuesta"]
    await chat.ask("", action="confirmar_reclamo")
    [filed] = await tickets_of(env, chat.stored)
    assert filed.direccion == "Mitre 1200" and "raices" in (filed.descripcion or "")

    # The problem told again after "empecemos de cero" is taken at once, with its own category.
    chat = Widget(env, line)
    await chat.ask(action="initial_greeting")
    await chat.ask("quiero reclamar por un pozo")
    data = await chat.ask(
        "ah no, empecemos de cero, me equivoque, no es un pozo es que se rompio un caño y sale agua a la calle en "
        "Salta 1450"
    )
    assert "Agua y cloacas" in data["respuesta"] and "Salta 1450" in data["respuesta"]


async def test_ones_own_whatsapp_ticket_without_the_pin(env: Env) -> None:
    line = await whatsapp_tenant(env)
    chat = WhatsApp(env, line, "Vero")
    mine = await whatsapp_ticket(env, line, chat.wa_id)
    said = await chat.say("hola perdi el pin del reclamo de la basura que hice por aca, se puede ver igual?")
    assert f"N.º {mine.nro_ticket}" in said and "nuevo" in said, said
    said = await chat.say("874037 es el pin y el reclamo es el 99")
    assert "99" in said and "tema" not in said  # a look-up, not a complaint


async def test_a_name_beside_the_duplicate_offer_keeps_the_offer(env: Env) -> None:
    line = await whatsapp_tenant(env)
    first = await existing(
        env, line, categoria="Baches y calles", descripcion="Bache grande", direccion="San Martín 2300"
    )
    chat = WhatsApp(env, line, "Raul F")
    said = await chat.say("hay un bache tremendo en san martin 2300")
    assert f"N.º {first.nro_ticket}" in said
    said = await chat.say("Raul Figueroa")
    assert "Raul" in said and f"Ya hay un reclamo igual (N.º {first.nro_ticket}" in said
    said = await chat.say("sí")
    assert "te sumé" in said
    assert await tickets_of(env, chat.stored) == []
    async with env.server.ctx.sessions() as session:
        follower = await session.scalar(select(TicketFollower).where(TicketFollower.chat_session_key == chat.stored))
    assert follower is not None and follower.nombre == "Raul Figueroa"


async def test_emergency_numbers_asked_for_their_own_sake(env: Env) -> None:
    line = await whatsapp_tenant(env)
    await seed_knowledge(env.server, line.tenant.id)
    chat = Widget(env, line)
    await chat.ask(action="initial_greeting")
    data: dict[str, Any] = await chat.ask("cual es el numero de los bomberos?")
    assert "100" in data["respuesta"] and not data.get("urgente")
    data = await chat.ask("y de la ambulancia?")
    assert "107" in data["respuesta"]
    data = await chat.ask("Buenas tardes.")
    assert "fecha" not in data["respuesta"]  # a greeting, never the desk's "cuándo lo arreglan"
    assert await tickets_of(env, chat.stored) == []
