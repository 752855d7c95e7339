"""After a complaint: what a citizen's next message does to it (one rule, pure: docs/bot.md, "After a complaint").

A message about a complaint of this citizen goes onto it as the citizen's message (the agent sees it live); a
question about it is answered with its real status; "sigue igual" about a resolved one reopens it, or asks which
when several could be meant; a new, different problem is left to the intake. Once an agent wrote on the open
complaint this conversation filed, the citizen's answer (thanks, a question, a short reply) goes onto it too: the
conversation is with that person now."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from .engine import is_bot_command
from .intake import infer_category, is_courtesy, normalize
from .intents import Intent, classify, has_problem_cue
from .slots import find_address, find_ticket_ref


class Says(StrEnum):
    """What a message says about an earlier complaint, read alone."""

    NOTHING = "nothing"
    """Not about it (a greeting, thanks, the menu, a question for the desk, a person asked for, a ticket number)."""
    ADDS = "adds"
    """More about the problem: details, a photo, "ahora está peor"."""
    ASKS = "asks"
    """Where it stands: "¿y cuándo vienen?", "¿ya lo vieron?", "novedades?"."""
    PERSISTS = "persists"
    """The problem is still there or came back: "sigue apagada", "sigue igual", "volvió a pasar"."""
    NEW = "new"
    """Another problem: "otra cosa, ...", another category, another place."""


ADD_WINDOW = dt.timedelta(hours=24)
"""How long after its last activity the complaint this conversation filed still takes what the citizen adds."""
REOPEN_WINDOW = dt.timedelta(days=30)
"""How long after it was resolved or closed "sigue igual" reopens a complaint (later: a new complaint)."""

_PERSISTS_RE = re.compile(
    r"\b(?:sigue|siguen|continua|continuan|todavia (?:sigue|siguen|esta|estan|hay|no)|aun (?:sigue|esta|hay|no)|"
    r"sigue igual|esta igual|esta todo igual|volvio a|volvieron a|otra vez|de nuevo (?:esta|se|hay|no|igual)|"
    r"nuevamente|no (?:lo |la |los |las )?(?:arreglaron|solucionaron|repararon|resolvieron|cambiaron)|"
    r"nunca (?:vinieron|lo arreglaron)|no (?:vino|vinieron|paso|pasaron) nadie|no hicieron nada|"
    r"no esta (?:arreglad|resuelt|solucionad)\w*|no se (?:arreglo|soluciono|resolvio))\b"
)
_ASKS_RE = re.compile(
    r"\b(?:cuando (?:lo |la |los |las )?(?:arreglan|arreglaran|van a|vienen|viene|pasan|pasa|solucionan|resuelven|"
    r"reparan|cambian)|cuanto (?:tardan|demoran|falta|tarda|demora)|ya (?:lo |la )?(?:vieron|revisaron|saben|tienen|"
    r"asignaron|recibieron)|(?:lo|la) (?:vieron|recibieron|tienen)|alguna novedad|hay novedades|novedades|"
    r"como va|como sigue|en que (?:estado|anda|quedo)|que paso con (?:mi|el) reclamo|van a venir|vendran|"
    r"va a venir alguien|viene alguien|me (?:van a )?(?:avisan|avisaran|llaman))\b"
)
_NEW_RE = re.compile(
    r"\b(?:otra cosa|otro (?:reclamo|tema|problema|asunto|pedido)|otra queja|aparte de eso|nuevo reclamo|"
    r"(?:quiero|queria|quisiera) (?:hacer|iniciar|cargar|dejar|presentar) (?:un|otro) reclamo|tambien (?:quiero|"
    r"queria) reclamar|y (?:tambien|ademas) (?:hay|esta|tengo)|el otro|los otros|la otra(?! vez)|las otras|lo otro)\b"
)
_NOT_ABOUT_IT = frozenset(
    {
        Intent.PERSON,
        Intent.CANCEL,
        Intent.RESTART,
        Intent.LOST_PIN,
        Intent.OTHER_LANGUAGE,
        Intent.INSULT,
        Intent.FRUSTRATION,
        Intent.GREETING,
        Intent.THANKS,
        Intent.WAIT_TIME,
        Intent.FALSE_ALARM,
        Intent.WHY_DATA,
        Intent.CHITCHAT,
    }
)
_TO_THE_BOT = frozenset(
    {Intent.PERSON, Intent.CANCEL, Intent.RESTART, Intent.LOST_PIN, Intent.OTHER_LANGUAGE, Intent.FALSE_ALARM}
)
"""What is asked of the bot itself even while an agent is answering: a person, a cancel, a restart, the PIN (and
`engine.is_bot_command`: the menu, a ticket number)."""
_SHORT_REPLIES = frozenset({"si", "no", "ok", "oka", "okey", "dale", "bueno", "listo", "joya", "genial", "perfecto"})


@dataclass(frozen=True, slots=True)
class Reading:
    """A message read alone: what it says, and the category and place it names (if any)."""

    says: Says
    categoria: str | None = None
    place: str | None = None
    answers: bool = False
    """Says NOTHING about the problem, but reads as an answer to a person (thanks, a question, "dale"), not as a
    request to the bot (the menu, a person, a cancel, a ticket number)."""


def read(text: str, *, attachment: bool, categories: tuple[str, ...]) -> Reading:
    """What a message says about an earlier complaint (`attachment`: it carries a photo or a file)."""
    norm = normalize(text)
    if not norm:
        return Reading(Says.ADDS if attachment else Says.NOTHING)
    categoria = infer_category(norm, categories)
    found = find_address(text)
    place = found.text if found is not None else None
    if _NEW_RE.search(norm):
        return Reading(Says.NEW, categoria, place)
    label = classify(text, categories)
    ref = find_ticket_ref(text)
    if ref.nro is not None or ref.pin is not None:
        return Reading(Says.NOTHING)  # a look-up by number is the engine's
    if label is Intent.CONSULT:
        return Reading(Says.NOTHING)  # "quiero consultar mi reclamo": the engine's look-up shows it, with its buttons
    if _ASKS_RE.search(norm) or label is Intent.WHEN_FIXED:
        return Reading(Says.ASKS, categoria, place)
    if _PERSISTS_RE.search(norm) and label not in (Intent.PERSON, Intent.CANCEL, Intent.RESTART, Intent.FALSE_ALARM):
        return Reading(Says.PERSISTS, categoria, place)
    answers = label not in _TO_THE_BOT and not is_bot_command(text)
    if label in _NOT_ABOUT_IT and not attachment:
        return Reading(Says.NOTHING, answers=answers)
    if label is Intent.QUESTION and not attachment:
        return Reading(Says.NOTHING, answers=True)  # a question for the desk ("¿a qué hora pasa el camión?")
    if attachment:
        return Reading(Says.ADDS, categoria, place)
    if is_courtesy(norm) and categoria is None and not has_problem_cue(norm):
        return Reading(Says.NOTHING, answers=answers)  # "Le agradezco infinitamente, que Dios la bendiga": thanks
    tokens = norm.split()
    if norm in _SHORT_REPLIES or (len(tokens) < 3 and categoria is None and not has_problem_cue(norm)):
        return Reading(Says.NOTHING, answers=answers)
    return Reading(Says.ADDS, categoria, place)


@dataclass(frozen=True, slots=True)
class Known:
    """A complaint of this citizen the message may be about."""

    ticket_id: int
    nro_ticket: int
    categoria: str | None
    direccion: str | None
    closed: bool
    idle: dt.timedelta
    """Since its last activity (for a closed one: since it was resolved or closed)."""
    this_conversation: bool = False
    """Filed in this very conversation (the bot's state still names it)."""
    agent_wrote: bool = False
    """An agent wrote on it (known for the one this conversation filed)."""


class Does(StrEnum):
    """What the service does with the message."""

    NOTHING = "nothing"
    ADD = "add"
    STATUS = "status"
    REOPEN = "reopen"
    ASK_WHICH = "ask_which"
    LIST = "list"


@dataclass(frozen=True, slots=True)
class Decision:
    """The rule's verdict: what to do, and with which complaints (one, or the ones to choose from)."""

    does: Does
    tickets: tuple[Known, ...] = ()


def _same_problem(reading: Reading, ticket: Known) -> bool:
    """Nothing in the message points elsewhere: no other category, no other place."""
    if reading.categoria is not None and ticket.categoria is not None and reading.categoria != ticket.categoria:
        return False
    if reading.place and ticket.direccion:
        said, filed = normalize(reading.place), normalize(ticket.direccion)
        if said not in filed and filed not in said:
            return False
    return True


def _current(known: list[Known]) -> Known | None:
    """The complaint this conversation filed, while it is recent (a reload or a greeting starts a new conversation:
    then only "sigue igual" and questions find the citizen's earlier complaints)."""
    here = next((k for k in known if k.this_conversation), None)
    if here is not None and (here.closed or here.idle <= ADD_WINDOW):
        return here
    return None


def decide(reading: Reading, known: list[Known]) -> Decision:
    """The rule. `known`: the citizen's complaints, newest first (live chats left out)."""
    if reading.says is Says.NOTHING and reading.answers:
        # An agent is answering the complaint this conversation filed: the citizen's answer is theirs to read.
        here = _current(known)
        if here is not None and not here.closed and here.agent_wrote:
            return Decision(Does.ADD, (here,))
    if reading.says in (Says.NOTHING, Says.NEW) or not known:
        return Decision(Does.NOTHING)
    current = _current(known)
    if reading.says is Says.ADDS:
        if current is None or current.closed or not _same_problem(reading, current):
            return Decision(Does.NOTHING)
        return Decision(Does.ADD, (current,))
    if reading.says is Says.ASKS:
        if current is not None and _same_problem(reading, current):
            return Decision(Does.STATUS, (current,))
        open_ = [k for k in known if not k.closed and _same_problem(reading, k)]
        if len(open_) == 1:
            return Decision(Does.STATUS, (open_[0],))
        if open_:
            return Decision(Does.LIST, tuple(open_))
        recent = [k for k in known if k.closed and k.idle <= REOPEN_WINDOW and _same_problem(reading, k)]
        return Decision(Does.STATUS, (recent[0],)) if recent else Decision(Does.NOTHING)
    # Says.PERSISTS: the problem is still there.
    if current is not None and _same_problem(reading, current):
        if not current.closed:
            return Decision(Does.ADD, (current,))
        if current.idle <= REOPEN_WINDOW:
            return Decision(Does.REOPEN, (current,))
    candidates = [k for k in known if (not k.closed or k.idle <= REOPEN_WINDOW) and _same_problem(reading, k)]
    if len(candidates) == 1:
        only = candidates[0]
        return Decision(Does.REOPEN if only.closed else Does.ADD, (only,))
    if candidates:
        return Decision(Does.ASK_WHICH, tuple(candidates[:3]))
    return Decision(Does.NOTHING)
