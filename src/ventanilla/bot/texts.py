"""Spanish (es-AR, voseo) texts the citizen reads; one place so wording stays consistent."""

from __future__ import annotations

import re

DEFAULT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "municipio": (
        "Alumbrado público",
        "Baches y calles",
        "Residuos y limpieza",
        "Arbolado y espacios verdes",
        "Agua y cloacas",
        "Tránsito y señalización",
        "Ruidos molestos",
        "Animales sueltos",
        "Otros",
    ),
    "pyme": ("Consulta", "Pedido", "Reclamo", "Otros"),
}

MENU: dict[str, tuple[tuple[str, str], ...]] = {
    "municipio": (
        ("Hacer un reclamo", "iniciar_reclamo"),
        ("Consultar un reclamo", "consultar_reclamo"),
        ("Trámites y horarios", "info_tramites"),
    ),
    "pyme": (
        ("Hacer un pedido / consulta", "iniciar_reclamo"),
        ("Consultar mi solicitud", "consultar_reclamo"),
        ("Horarios y contacto", "info_tramites"),
    ),
}

AGENT_BUTTON = "Hablar con un representante"
CANCEL_BUTTON = "Cancelar"
COMPLETE_DATA_BUTTON = "Completar mis datos"

_NOUN = {"municipio": "reclamo", "pyme": "solicitud"}
_THE_NOUN = {"municipio": "el reclamo", "pyme": "la solicitud"}


def noun(tipo: str) -> str:
    """Name of the thing being filed."""
    return _NOUN.get(tipo, "reclamo")


def confirm_button(tipo: str) -> str:
    """Label of the confirm button."""
    return f"Confirmar {noun(tipo)}"


def _who(entity: str) -> str:
    return f"Soy el asistente virtual de {entity}." if entity else "Soy el asistente virtual."


def welcome(tipo: str, entity: str) -> str:
    """First message of a conversation."""
    if tipo == "pyme":
        return (
            f"¡Hola! {_who(entity)} Puedo tomar tu pedido o consulta, contarte cómo va una solicitud "
            "o darte nuestros horarios y datos de contacto. ¿En qué te ayudo?"
        )
    return (
        f"¡Hola! {_who(entity)} Puedo ayudarte a hacer un reclamo, consultar uno que ya hiciste "
        "o darte información sobre trámites y horarios. ¿Qué necesitás?"
    )


GREETING_SHORT = "¡Hola! ¿En qué te puedo ayudar?"
HELLO_AGAIN = "¡Hola!"
THANKS = "¡De nada! Si necesitás algo más, acá estoy."
MENU_INTRO = "¿Qué querés hacer? Elegí una opción:"
UNKNOWN_CATEGORY = "No encontré esa categoría."
KEPT_DESCRIPTION = "Anoté lo que me contaste."
TOO_SHORT = "Necesito un poco más de detalle."
LOCATION_SAVED = "Gracias, registré tu ubicación."
LOCATION_UNREADABLE = "No pude leer la ubicación que compartiste."
ATTACHMENT_SAVED = "Recibí el archivo adjunto."
NOT_UNDERSTOOD = "No te entendí."
STILL_MISSING = "Todavía me faltan algunos datos."


def fallback(live_chat_open: bool) -> str:
    """Answer to anything the bot does not understand."""
    extra = ", o pedí hablar con un representante" if live_chat_open else ""
    return f"Perdón, no entendí tu mensaje. Podés elegir una de estas opciones{extra}."


def ask_field(field: str, tipo: str) -> str:
    """Question for a missing complaint field."""
    if field == "categoria":
        if tipo == "pyme":
            return "¿Sobre qué es tu solicitud? Elegí una opción (también podés escribirla)."
        return "Contame, ¿sobre qué tema es tu reclamo? Elegí una categoría (también podés escribirla)."
    if field == "descripcion":
        if tipo == "pyme":
            return "Contame en detalle qué necesitás."
        return "Contame qué pasó, con el mayor detalle posible."
    if tipo == "pyme":
        return "¿Cuál es tu dirección o localidad? También podés compartir tu ubicación."
    return "¿Dónde es? Escribí la dirección (calle y altura, o entre qué calles) o compartí tu ubicación."


# The widget renders bot text through two rules (both frontend versions): its "simple" view makes a bullet of
# every sentence and cuts sentences over 140 characters at each comma, semicolon and " y "; and any run of 9 or
# more digits in groups (a phone-number pattern) becomes a WhatsApp link. So each summary line is one short
# sentence, and no text carries example phone numbers.
WIDGET_SENTENCE_CHARS = 140
_WORD_JOINER = "\u2060"
_DIGIT_GROUPS = re.compile(r"\d[\d\s().-]{6,}\d")


def _sentence(line: str) -> str:
    line = line.rstrip()
    return line if line.endswith((".", "!", "?")) else f"{line}."


def _one_bullet(value: str) -> str:
    """A value kept in one bullet: an invisible word joiner after inner stops ("Av. San Martín") keeps the
    widget from starting a sentence there."""
    return re.sub(r"([.!?])(?=\s)", "\\1" + _WORD_JOINER, value.strip())


def _unlinked(value: str) -> str:
    """The citizen's own phone as they wrote it, without letting the widget turn it into a WhatsApp link.

    An invisible word joiner before every separator and after every four digits keeps each digit group
    too short for the widget's phone pattern.
    """

    def mask(match: re.Match[str]) -> str:
        out: list[str] = []
        run = 0
        for char in match.group(0):
            if not char.isdigit() or run == 4:
                out.append(_WORD_JOINER)
                run = 0
            run += char.isdigit()
            out.append(char)
        return "".join(out)

    return _DIGIT_GROUPS.sub(mask, value)


def summary(
    tipo: str,
    *,
    categoria: str | None,
    descripcion: str | None,
    ubicacion: str | None,
    has_attachment: bool,
    nombre: str | None,
    contacto: str | None,
) -> str:
    """Recap of the draft before confirming: one short sentence per line, so each renders as one bullet.

    No dash of our own: the widget's simple view prefixes every sentence with "• " (a dash made it "• - Categoría")
    and its full view keeps the line breaks."""
    desc = " ".join((descripcion or "").split())
    limit = WIDGET_SENTENCE_CHARS - len("Descripción: ") - 2
    if len(desc) > limit:
        desc = desc[: limit - 3].rstrip(" ,;.") + "..."
    lines = [
        f"Este es el resumen de tu {noun(tipo)}.",
        _sentence(f"Categoría: {_one_bullet(categoria or '-')}"),
        _sentence(f"Descripción: {_one_bullet(desc or '-')}"),
        _sentence(f"Ubicación: {_one_bullet(ubicacion or '-')}"),
    ]
    if has_attachment:
        lines.append("Adjunto: sí.")
    if nombre:
        lines.append(_sentence(f"Nombre: {_one_bullet(nombre)}"))
    if contacto:
        lines.append(_sentence(f"Contacto: {_unlinked(contacto)}"))
    return "\n".join(lines)


_PERSONAL_EXAMPLE = "por ejemplo: Juan Pérez, juan@mail.com"


def ask_personal_inline(tipo: str) -> str:
    """Request for personal data right after the summary."""
    return (
        "Para continuar necesito tu nombre y un email o teléfono de contacto (el DNI es opcional). "
        f"Escribilos en un solo mensaje, {_PERSONAL_EXAMPLE}. "
        f"Si ya cargaste tus datos, tocá «{confirm_button(tipo)}»."
    )


ASK_CONFIRM = "¿Confirmás el envío? Respondé «Sí» para confirmar, o decime qué dato querés corregir."
PHOTO_OFFER = "Si tenés una foto, mandala; si no, seguimos."
NO_PHOTO = "Dale, seguimos sin foto."
ASK_WHICH_FIX = (
    "¿Qué dato querés corregir? Escribilo directamente, por ejemplo: «la dirección es Mitre 1200». "
    "Si preferís descartar el reclamo, escribí «cancelar»."
)


def ask_personal(missing: list[str], tipo: str) -> str:
    """Request for the personal data still missing."""
    parts = []
    if "nombre" in missing:
        parts.append("tu nombre")
    if "email_o_telefono" in missing:
        parts.append("un email o teléfono de contacto")
    what = " y ".join(parts) if parts else "tus datos de contacto"
    return (
        f"Para registrar tu {noun(tipo)} necesito {what}. "
        f"Podés escribirlo en un solo mensaje, {_PERSONAL_EXAMPLE} (el DNI es opcional)."
    )


_FIELD_LABELS = {
    "nombre": "el nombre",
    "email": "el email",
    "telefono": "el teléfono (entre 6 y 15 dígitos)",
    "dni": "el DNI (7 u 8 dígitos)",
}


def invalid_fields(fields: list[str]) -> str:
    """Tell the citizen which data did not validate."""
    labels = [_FIELD_LABELS.get(f, f) for f in fields]
    joined = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " y " + labels[-1]
    verb = "no parece válido" if len(labels) == 1 else "no parecen válidos"
    return f"Revisá {joined}: {verb}."


def thanks_name(nombre: str | None) -> str:
    """Acknowledge personal data."""
    first = (nombre or "").split(" ")[0]
    return f"Gracias, {first}." if first else "Gracias."


def creating(tipo: str) -> str:
    """Provisional answer while the service stores the complaint."""
    return f"Estoy registrando tu {noun(tipo)}, un momento..."


def cancelled(tipo: str) -> str:
    """Answer after cancelling an intake."""
    return f"Listo, cancelé {_THE_NOUN.get(tipo, 'el reclamo')}. Si necesitás algo más, acá estoy."


CONNECTING = "Un momento, te estoy comunicando con un representante..."


def resumed(tipo: str, nro_ticket: int, *, entity_name: str, agent_name: str | None, live: bool) -> str:
    """The line under a reloaded widget's conversation: who is still on the other side."""
    if live and agent_name:
        return f"Seguís conectado con {agent_name}. Escribí acá y te responde."
    if live:
        return f"Seguís conectado con {entity_name}: en cuanto se libere un representante, te responde acá."
    return (
        f"Seguís conectado con {entity_name}: tu {noun(tipo)} N.º {nro_ticket} sigue abierto "
        "y te avisamos acá las novedades."
    )


def created(tipo: str, nro_ticket: int, pin: str, estado: str) -> str:
    """Confirmation with ticket number and PIN."""
    text = f"¡Listo! Registramos tu {noun(tipo)} N.º {nro_ticket}."
    if estado:
        text += f" Estado: {estado}."
    text += f" Guardá este PIN para hacer el seguimiento: {pin}. Te vamos a avisar cuando haya novedades."
    return text


def live_chat_closed(tipo: str, closed_message: str) -> str:
    """No representatives available right now."""
    what = "tu pedido o consulta" if tipo == "pyme" else "un reclamo"
    closed = closed_message.strip()
    # The schedule's message already says nobody is available; say it once.
    parts = (
        [closed] if "representantes disponibles" in closed else ["En este momento no hay representantes disponibles."]
    )
    if closed and closed not in parts:
        parts.append(closed)
    parts.append(f"Mientras tanto, podés dejarnos {what} y lo vamos a atender a la brevedad.")
    return " ".join(parts)


def live_chat_requested(nro_ticket: int, position: int, agent_name: str | None, *, filed: str | None = None) -> str:
    """Queue status after asking for a representative (`filed`: the kind of the filed complaint the chat is on)."""
    about = f"por tu {filed} N.º {nro_ticket}" if filed else f"(atención N.º {nro_ticket})"
    text = f"Te estamos conectando con una persona del equipo {about}."
    if position <= 0:
        if agent_name:
            return f"{text} {agent_name} se sumó a la conversación."
        return f"{text} En unos instantes te atiende alguien del equipo."
    return f"{text} Estás en el lugar {position} de la fila."


def consult(tipo: str) -> str:
    """How to check an existing complaint."""
    n = noun(tipo)
    return (
        f"Para consultar tu {n} necesito el número y el PIN que te dimos al registrarlo. "
        f"Escribilos así: {n} 123 PIN 4567."
    )


def info(tipo: str, entity: str, live_chat_open: bool) -> str:
    """Generic procedures / opening hours answer."""
    where = f"los canales oficiales de {entity}" if entity else "nuestros canales oficiales"
    agent = " o comunicarte con un representante" if live_chat_open else ""
    if tipo == "pyme":
        return (
            f"Nuestros horarios y datos de contacto están en {where}. "
            f"Si querés, también puedo tomar tu pedido o consulta ahora{agent}."
        )
    return (
        f"Podés consultar trámites, requisitos y horarios de atención en {where}. "
        f"Si querés, también puedo tomar tu reclamo ahora{agent}."
    )


# --- conversation beyond the script (side questions, corrections, look-ups) -------------------------------------

ADD_MESSAGE_BUTTON = "Agregar un mensaje"
NEW_COMPLAINT_BUTTON = "Hacer un reclamo"
OTHER_QUESTION_BUTTON = "Otra consulta"
EMPTY = "No me llegó ningún texto."
EMOJI_ONLY = "Recibí solo emojis 🙂 pero no los puedo interpretar."
RESTARTED = "Empecemos de nuevo."
OPTIONAL_OK = "Sin problema: ese dato es opcional."
KB_MENU = "Estos son los trámites y horarios sobre los que te puedo informar. Elegí uno o escribime tu pregunta:"
MESSAGE_TOO_SHORT = "No me llegó el mensaje. Escribilo en un solo texto."
OFFER_PERSON_OPEN = "Parece que no nos estamos entendiendo. Si preferís te paso con una persona del equipo."
OFFER_PERSON_CLOSED = (
    "Parece que no nos estamos entendiendo. Cuando haya representantes podés pedir hablar con una persona."
)
LOOKUP_LOCKED = (
    "Por seguridad no puedo probar más PIN en esta conversación. "
    "Revisá el email o el mensaje donde te lo dimos o pedí ayuda a una persona del equipo."
)
LOOKUP_LIMITED = "Hubo muchos intentos seguidos. Esperá unos minutos y volvé a probar."
CONSULT_NOT_UNDERSTOOD = "No encontré el número de reclamo en tu mensaje."

_RETRY = {
    "categoria": "No encontré esa categoría. Elegí una de la lista o contame con tus palabras qué pasó.",
    "descripcion": "Necesito que me cuentes qué pasó para poder derivarlo.",
    "ubicacion": "Necesito la calle con la altura o una esquina o un lugar de referencia para que el equipo llegue.",
    "datos_personales": "Necesito al menos un teléfono o un email para avisarte las novedades.",
}
_FIELD_NAMES = {
    "categoria": "la categoría",
    "descripcion": "la descripción",
    "ubicacion": "la dirección",
    "nombre": "tu nombre",
    "email": "tu email",
    "telefono": "tu teléfono",
    "dni": "tu DNI",
}


def retry(field: str) -> str:
    """Kind re-ask when an answer does not fit what was asked."""
    return _RETRY.get(field, TOO_SHORT)


def ask_fix_value(field: str) -> str:
    """Ask the right value of the field the citizen wants to correct."""
    return _FIX_ASKS.get(field, "Decime el dato correcto.")


_FIX_ASKS = {
    "nombre": "Decime el nombre correcto.",
    "apellido": "Decime el apellido correcto.",
    "email": "Decime el email correcto.",
    "telefono": "Decime el teléfono correcto.",
    "dni": "Decime el DNI correcto.",
    "ubicacion": "Decime el lugar correcto (calle y altura, o una esquina).",
    "categoria": "Decime el tema correcto del reclamo.",
    "descripcion": "Contame de nuevo qué pasa.",
}


def corrected(field: str) -> str:
    """Acknowledge a correction."""
    return f"Listo, corregí {_FIELD_NAMES.get(field, 'ese dato')}."


def resume(tipo: str) -> str:
    """Back to the intake after a side question."""
    return f"Sigamos con tu {noun(tipo)}:"


def no_information(entity: str, live_chat_open: bool) -> str:
    """Honest answer when the knowledge base has nothing confident."""
    where = f"los canales oficiales de {entity}" if entity else "los canales oficiales"
    person = " o te paso con una persona" if live_chat_open else ""
    return (
        f"No tengo esa información. Podés consultar trámites y horarios en {where}. "
        f"Si querés te ayudo a hacer un reclamo{person}."
    )


def offer_complaint(categoria: str | None) -> str:
    """After an answer that touches a complaint topic."""
    about = f" sobre {categoria}" if categoria else ""
    return f"Si querés hacer un reclamo{about} tocá «{NEW_COMPLAINT_BUTTON}»."


def more_info(link: str) -> str:
    """A knowledge-base answer's link."""
    return f"Más información: {link}"


def pin_needed(nro: int) -> str:
    """A number without its PIN."""
    return f"Para ver el reclamo N.º {nro} necesito el PIN que te dimos al registrarlo. Escribilo así: PIN 123456."


def wrong_pin(nro: int) -> str:
    """Number and PIN do not match (the same answer when the number does not exist)."""
    return f"No encontré un reclamo N.º {nro} con ese PIN. Revisá los dos datos y volvé a escribirlos."


def own_tickets(count: int, tipo: str) -> str:
    """Lead of the citizen's own tickets."""
    n = noun(tipo)
    if count == 1:
        return f"Encontré un {n} tuyo. Tocalo para ver cómo va o escribime el número y el PIN de otro."
    return f"Encontré estos {n}s tuyos. Tocá uno para ver cómo va o escribime el número y el PIN de otro."


def own_tickets_listed(items: list[tuple[int, str | None, str]]) -> str:
    """ "N.º 3 (Alumbrado público): en proceso; N.º 5: nuevo." """
    parts = [f"N.º {nro}{f' ({cat})' if cat else ''}: {estado.replace('_', ' ')}" for nro, cat, estado in items]
    return "; ".join(parts) + "."


def ticket_status(
    tipo: str, *, nro: int, estado: str, fecha: str, categoria: str | None, last: str | None, last_at: str | None
) -> str:
    """Where a consulted ticket stands."""
    about = f" ({categoria})" if categoria else ""
    text = f"Tu {noun(tipo)} N.º {nro}{about} del {fecha} está en estado «{estado.replace('_', ' ')}»."
    if last:
        short = last if len(last) <= 280 else last[:277].rstrip() + "..."
        text += f"\n\nÚltimo mensaje ({last_at}): «{short}»"
    return text + "\n\n¿Querés agregar un mensaje o hablar con alguien del equipo?"


def ask_message(nro: int) -> str:
    """Invite the citizen to write to a consulted ticket."""
    return f"Escribí tu mensaje para el reclamo N.º {nro} y se lo hago llegar al equipo."


def message_added(nro: int) -> str:
    """The message joined the ticket."""
    return f"Listo, sumé tu mensaje al reclamo N.º {nro}. Te avisamos cuando haya novedades."


# --- understanding beyond the script ------------------------------------------------------------------------

OTHER_LANGUAGE = (
    "Por ahora atiendo en español. Sorry, for now I can only answer in Spanish · Por enquanto atendo só em espanhol. "
    "Si querés, te paso con una persona del equipo (Talk to a person · Falar com uma pessoa)."
)
OTHER_LANGUAGE_CLOSED = (
    "Por ahora atiendo en español. Sorry, for now I can only answer in Spanish · Por enquanto atendo só em espanhol."
)
INSULT = "Entiendo que estés molesto. Estoy para ayudarte: contame qué pasó y lo resolvemos."
INSULT_IN_INTAKE = "Entiendo que estés molesto; quiero ayudarte."
CHITCHAT = "Soy el asistente virtual del municipio: tomo reclamos, respondo consultas y te paso con una persona."
WHY_DATA = (
    "Tu nombre y un teléfono o email sirven para que el equipo pueda contactarte si necesita más datos y para "
    "avisarte cuando haya novedades. No los usamos para otra cosa."
)
WHEN_FIXED = (
    "No te puedo dar una fecha exacta: depende del área y de la urgencia. Cuando registremos el reclamo te doy un "
    "número y un PIN para seguirlo, y te avisamos las novedades."
)
SORRY_AGAIN = "Entiendo la bronca, y te pido disculpas. Lo registro ahora."
LOST_PIN = (
    "El PIN está en el mensaje que te dimos al registrar el reclamo (y en el email de confirmación, si dejaste uno). "
    "Si no lo encontrás, desde este mismo chat te muestro tus reclamos sin PIN, o una persona del equipo lo busca "
    "con tu teléfono o email."
)
GOODBYE = "¡Hasta luego! Cuando necesites algo, escribime."
NOTED_CONTACT = "Anoté tus datos de contacto."
NOTED_PLACE = "Anoté la ubicación."
URGENT_ASK_PLACE = "Mientras te conectamos: ¿dónde es exactamente? (calle y altura, o una esquina)"
URGENT_ASK_CONTACT = "Mientras te conectamos: ¿cuál es tu nombre y un teléfono para llamarte?"
URGENT_NOTED = "Gracias, se lo pasé a la persona que te va a atender."
URGENT_BACK = "Entendido, no es una urgencia. Sigo ayudándote por acá."


def frustration(count: int, numbers: list[int]) -> str:
    """Empathy, what we found of their earlier complaints, and a person."""
    lead = "Te pido disculpas: entiendo que es frustrante reclamar más de una vez."
    if count:
        listed = ", ".join(f"N.º {n}" for n in numbers[:5])
        found = f" Encontré {'tu reclamo' if count == 1 else f'{count} reclamos tuyos'} ({listed})."
    else:
        found = " No encontré reclamos anteriores con estos datos de contacto."
    return f"{lead}{found} Si querés, te paso ahora con una persona del equipo para que lo revise."


def queue_position(position: int) -> str:
    """How long until a person answers."""
    if position <= 1:
        return "Sos el próximo en la fila: una persona del equipo te va a responder enseguida."
    return f"Hay {position - 1} {'persona' if position == 2 else 'personas'} antes que vos en la fila. Ya te atienden."


ASK_NUMBER = "Anoté el PIN. ¿Cuál es el número de reclamo? (el N.º que te dimos al registrarlo)"
MY_COMPLAINTS_BUTTON = "Ver mis reclamos"
NOT_QUEUED = (
    "Tu aviso urgente ya está en la bandeja del equipo, primero en la lista. Si querés hablar ahora con una persona, "
    "tocá «Hablar con un representante»."
)


def hello_name(nombre: str | None) -> str:
    """A greeting that uses the name the citizen just gave."""
    first = (nombre or "").split()[0] if nombre else ""
    return f"¡Hola, {first}! ¿En qué te puedo ayudar?" if first else GREETING_SHORT


# --- after a complaint (bot/followup.py) ----------------------------------------------------------------------

FOLLOWUP_OTHER_BUTTON = "Es otro problema"
FOLLOWUP_CHOSEN_MESSAGE = "Sigue el problema."
"""What the complaint records when the citizen picks it with a button instead of writing."""


def _estado(estado: str) -> str:
    return estado.replace("_", " ")


def followup_added(nro: int, *, photo: bool) -> str:
    """A message (or a photo) joined the complaint filed in this conversation."""
    if photo:
        return f"¡Gracias! Sumé la foto a tu reclamo N.º {nro}; el equipo la ve junto con lo que contaste."
    return (
        f"Lo sumé a tu reclamo N.º {nro}. El equipo lo ve junto con lo que ya contaste; te avisamos acá las novedades."
    )


def followup_to_agent(nro: int, agent: str | None) -> str:
    """The citizen answered the agent who is handling the complaint: it reached that person (no menu)."""
    name = " ".join((agent or "").split())[:80]
    if not name:
        return f"Listo, lo sumé a tu reclamo N.º {nro} y el equipo ya lo ve."
    return f"Listo, se lo pasé a {name}, que sigue con tu reclamo N.º {nro}."


def followup_still(nro: int, estado: str) -> str:
    """ "sigue igual" about a complaint that is still open."""
    return (
        f"Entiendo, sigue igual. Lo sumé a tu reclamo N.º {nro} (estado «{_estado(estado)}») "
        "para que el equipo sepa que el problema continúa."
    )


def followup_reopened(nro: int, estado: str) -> str:
    """ "sigue apagada" about a resolved complaint: it is open again."""
    return (
        f"Qué macana. Reabrí tu reclamo N.º {nro}: vuelve a estar «{_estado(estado)}» y ya le avisé al equipo que "
        "el problema sigue. Si querés, contame más o mandá una foto y lo sumo."
    )


def followup_status(
    nro: int, *, estado: str, categoria: str | None, agent: str | None, last: str | None, last_at: str | None
) -> str:
    """Where the complaint the citizen asks about really stands, without promising a date nobody gave."""
    about = f" ({categoria})" if categoria else ""
    if estado in ("resuelto", "cerrado"):
        return (
            f"Tu reclamo N.º {nro}{about} figura «{_estado(estado)}». "
            "Si el problema sigue, escribí «sigue igual» y lo reabro."
        )
    if estado == "nuevo":
        text = f"Tu reclamo N.º {nro}{about} está «nuevo»: lo recibimos y todavía nadie del equipo lo tomó."
    else:
        who = f"; lo atiende {agent.split()[0]}" if agent else ""
        text = f"Tu reclamo N.º {nro}{about} está «{_estado(estado)}»{who}."
    if last:
        short = last if len(last) <= 200 else last[:197].rstrip() + "..."
        text += f" Lo último que te escribieron ({last_at}): «{short}»."
    else:
        text += " Todavía no hay una fecha para la visita."
    return text + " Le pasé tu pregunta al equipo y te respondemos por acá."


def followup_which(listed: str) -> str:
    """ "sigue igual" could be about several complaints."""
    return f"¿Por cuál de tus reclamos es? {listed} Tocá el que sigue con el problema, o contame si es otro problema."


def followup_list(listed: str) -> str:
    """A question about "el reclamo" when the citizen has several open."""
    return f"Tenés estos reclamos abiertos: {listed} ¿Por cuál preguntás?"


NEXT_PROBLEM = "Ahora sigamos con el otro problema que me contaste."


def one_at_a_time(count: int) -> str:
    """Several problems in one message: they are taken one after the other."""
    return f"Me contaste {count} problemas: los registro de a uno. Empecemos por el primero."
