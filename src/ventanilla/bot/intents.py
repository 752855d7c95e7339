"""What a message wants, beyond the slot it may fill: rules over the folded text, one label per message.

The labels are one vocabulary (`Intent`); the dialogue policy (engine.py) decides what each means in each phase."""

from __future__ import annotations

import re
from enum import StrEnum

from .intake import (
    infer_category,
    is_agent_request,
    is_greeting,
    is_pleasantry,
    is_thanks,
    normalize,
    without_apology,
)
from .slots import find_address as find_place
from .understanding import asks_question


class Intent(StrEnum):
    """Every intent the bot tells apart."""

    PERSON = "person"
    CANCEL = "cancel"
    RESTART = "restart"
    CONSULT = "consult"
    LOST_PIN = "lost_pin"
    CORRECTION = "correction"
    OTHER_LANGUAGE = "other_language"
    INSULT = "insult"
    FRUSTRATION = "frustration"
    GREETING = "greeting"
    THANKS = "thanks"
    WAIT_TIME = "wait_time"
    FALSE_ALARM = "false_alarm"
    WHY_DATA = "why_data"
    WHEN_FIXED = "when_fixed"
    COMPLAINT = "complaint"
    QUESTION = "question"
    CHITCHAT = "chitchat"
    OTHER = "other"


_PERSON_RE = re.compile(
    r"\b(?:(?:me |nos )?(?:comunic|pas|conect|deriv|transfer|comuniq)\w* con (?:alguien|una persona|un humano|"
    r"un operador|una operadora|un agente|un empleado|una empleada|el intendente|la intendenta)|con (?:el|"
    r"la) (?:intendente|intendenta|jefe|jefa|director|directora|supervisor|supervisora|encargado|"
    r"encargada|responsable|secretario|secretaria)|un humano|una humana|ser humano|persona de verdad|persona real|"
    r"alguien de verdad|alguien real|alguien de carne|no (?:quiero|me sirve) (?:hablar con )?(?:un |una |el |la )?"
    r"(?:robot|bot|maquina|contestador)|hablar con alguien|me atiende alguien|atiende alguien|que me atienda alguien|"
    r"quiero (?:que me llame|hablar) (?:alguien|una persona)|pasame con alguien|comunicarme con alguien|"
    r"un operador|una operadora|un agente|atencion al cliente|hablar por telefono con alguien|"
    r"(?:me )?(?:podria|puede|pueden|podrian)?\s?atender (?:una|un|alguna|algun) (?:empleada|empleado|persona|"
    r"operador\w*|humano|agente|senorita|senora|senor)|que me atienda (?:una|un|alguien)\b|"
    r"(?:talk|speak|chat) (?:to|with) (?:a |an |the )?(?:person|someone|somebody|human|agent|operator|anyone)|"
    r"falar com (?:uma pessoa|alguem|um atendente|uma atendente|um humano))\b"
)
_CANCEL_RE = re.compile(
    r"\b(?:cancel\w*|anul\w*|olvidalo|olvidala|olvidate|olvida eso|olvidate de eso|deja(?:lo|la)?(?! de)|"
    r"dejemos(?:lo)?(?! de)|deja nomas|dejalo asi|chau|chao|adios|ya fue|no importa|mejor no|"
    r"no quiero (?:seguir (?:con|el|la)|"
    r"hacer(?:lo)?|el reclamo|reclamar)|no lo (?:registres|hagas|cargues|mandes|envies)|no hace falta|ya no (?:importa|"
    r"hace falta)|ya no quiero (?:hacer|el reclamo|reclamar|nada del reclamo)|me arrepenti|no (?:lo )?sigas|basta|"
    r"mejor otro dia|otro dia (?:lo )?(?:hago|sigo|termino)|en otro momento|por ahora no|no por ahora|bueno nada|"
    r"no gracias|despues (?:lo )?(?:hago|sigo|termino|veo|completo)|lo dejo (?:asi|ahi|para)|lo dejamos|"
    r"no (?:lo )?(?:mandes|envies|registres)|mejor lo (?:hago|dejo|veo) (?:despues|otro dia|mas tarde))\b"
)
_CANCEL_BLOCKERS = re.compile(r"\b(?:dejaron|dejan|dejo (?:de|la|el)|dejar basura|olvide|olvido)\b")
_RESTART_RE = re.compile(
    r"\b(?:(?:empez\w*|empiez\w*|empec\w*|arranc\w*|arranqu\w*|comenz\w*|comenc\w*|volv\w* a empezar|hacer\w*|"
    r"cargar\w*|iniciar|inicie\w*)\b.{0,25}\b(?:de cero|de nuevo|desde el principio|otra vez|desde cero|nuevamente)|"
    r"reinici\w*|volver a empezar|resetea\w*|reset|borra (?:todo|eso|lo anterior))\b|"
    r"^(?:de cero|desde cero|de nuevo|otra vez)$"
)
_CONSULT_RE = re.compile(
    r"\b(?:como (?:va|sigue|anda|esta) (?:mi|el|lo de mi|mis)|que paso con (?:mi|el)|estado de (?:mi|mis|el)|"
    r"(?:consultar|saber|ver|averiguar|seguir)\b.{0,30}\b(?:reclamo|reclamos|ticket|pedido|denuncia)|"
    r"mis reclamos|numero de reclamo|(?:reclamo|ticket)\W{0,3}(?:n|nro|numero|no)?\W{0,3}\d+|"
    r"\b(?:pin|clave|codigo)\b\W{0,5}(?:(?:es|era|seria|creo que es)\W+)?\d{4,8}|"
    r"\bmis? reclamos?\b.{0,40}\b(?:como (?:va|van|sigue|siguen|anda|andan)|que "
    r"paso|novedad\w*|en que (?:anda|andan|esta|estan))|(?:como (?:va|van|sigue|siguen|anda|andan)|en que (?:anda|"
    r"andan)|"
    r"que paso con|novedades de)\b.{0,30}\bmis? reclamos?|novedades? (?:de|del|sobre) (?:mi|el) reclamo|"
    r"hice un reclamo\b.{0,60}\d|\d{4,8}\W+(?:es\W+)?(?:el\W+|mi\W+)?(?:pin|clave|codigo)\b|"
    r"\b(?:pin|clave|codigo)\b.{0,25}?\d{4,8}|"
    r"como (?:va|sigue|anda|esta) (?:lo|la|el) que (?:reclame|hice|pedi|denuncie)|"
    r"(?:el|la|lo) que (?:hice|reclame|mande|pedi)\b.{0,40}\b(?:desde|por|con) (?:este|esta|aca|el|whatsapp)|"
    r"mi reclamo (?:de|del|de la|por)\b.{0,40}\bcomo (?:va|sigue|anda|esta))"
)
_LOST_PIN_RE = re.compile(
    r"\b(?:(?:perdi|olvide|no (?:tengo|se|encuentro|me acuerdo)|no recuerdo|me olvide|extravie)\b.{0,25}"
    r"\b(?:pin|clave|codigo|numero de reclamo|numero del reclamo)|(?:pin|clave)\b.{0,20}\b(?:perdi|olvide|no (?:lo |"
    r"la )?tengo|"
    r"no me acuerdo|no (?:lo |la )?encuentro)|donde (?:encuentro|veo|esta) (?:el|mi) (?:pin|clave))\b"
)
_INSULT_RE = re.compile(
    r"\b(?:inutil\w*|idiota\w*|estupid\w*|pelotud\w*|boludo\w*|bolud\w*|tarad\w*|imbecil\w*|forro\w*|mierda|"
    r"la concha|conchud\w*|hdp|hijo de puta|hijos de puta|puto\w*|carajo|bot de mierda|no servis para nada|"
    r"no sirven para nada|no sirve para nada|sos un desastre|son un desastre|sos una basura|son una basura|"
    r"ladrones|corruptos|verguenza|lpm|lptm|la puta|que asco|malparid\w*|andate a|callate|ineptos?|"
    r"manga de)\b"
)
_FRUSTRATION_RE = re.compile(
    r"\b(?:ya (?:reclame|hice (?:el|un|mil|varios)|lo (?:reclame|denuncie|dije|pedi)|denuncie|llame|pedi|avise)|"
    r"reclame (?:\d+|mil|muchas|varias|tantas|un monton de) veces|(?:\d+|mil|muchas|varias|tantas) veces|"
    r"otra vez lo mismo|siempre lo mismo|nadie (?:hace|viene|vino|responde|contesta|me (?:responde|contesta|"
    r"da bola))|nunca (?:vinieron|vienen|hacen|arreglan|responden|contestan)|no me (?:dan|dieron|da) (?:bola|"
    r"respuesta|pelota)|estoy (?:harto|harta|cansado|cansada|podrido|podrida|re caliente)|estamos (?:hartos|"
    r"hartas|cansados|podridos)|cansad[oa]s? de (?:reclamar|esperar|llamar)|sigue (?:igual|sin arreglar|todo igual)|"
    r"sin respuesta|ninguna respuesta|hace (?:meses|anos|semanas) que (?:reclamo|espero|llamo)|"
    r"ya (?:van|son|llevo|hice) (?:\d+|dos|tres|cuatro|cinco|varios|muchos) (?:reclamos|veces|llamados)|"
    r"(?:otra vez|de nuevo|nuevamente) sin (?:luz|agua|recoleccion)|"
    r"hace (?:\d+|un|una|dos|tres|varios|varias|muchos|muchas) (?:dias|semanas|meses|mes|anos) (?:que|q) "
    r"(?:reclame|reclamo|llamo|espero|pedi|avise|denuncie)|me tienen (?:harto|"
    r"harta|cansado|cansada|podrido|podrida)|no puede ser que)\b"
)
def is_calm_account(text: str, norm: str) -> bool:
    """A long, calm account that mentions in passing having called before ("ya llamé y nadie me atiende"): one
    mild cue among forty words or more, no insult, no shouting. It needs no apology for anger nobody showed."""
    if len(norm.split()) < 40 or _INSULT_RE.search(norm) or "!" in text:
        return False
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(ch.isupper() for ch in letters) > len(letters) / 3:
        return False
    return len(_FRUSTRATION_RE.findall(norm)) <= 1


_WAIT_RE = re.compile(
    r"\b(?:cuanto (?:falta|tarda|tardan|demora|demoran|mas)|cuando me (?:atienden|atiende|contestan|responden)|"
    r"hay alguien|me van a atender|sigo esperando|estoy esperando|en que lugar|que numero (?:soy|estoy)|"
    r"cuanto tengo que esperar|me atienden)\b"
)
_FALSE_ALARM_RE = re.compile(
    r"\b(?:no es (?:una )?(?:urgente|urgencia|emergencia)|no es para tanto|no hay (?:nadie en )?peligro|"
    r"nadie (?:esta )?(?:en peligro|herido|lastimado)|me exagere|exagere|falsa alarma|era un chiste|era broma|"
    r"es broma|no es grave|no (?:fue|es) nada grave|esta todo bien|estamos bien|ya (?:paso|esta controlado|se "
    r"apago|lo apagaron|lo arreglaron))\b"
)
_WHY_DATA2_RE = re.compile(
    r"\b(?:(?:tengo que|hay que|es necesario|es obligatorio|debo|necesitan que) (?:dar|pasar|poner) (?:el|mi|los|mis) "
    r"(?:telefono|numero|celular|mail|correo|nombre|dni|datos)|para que (?:lo|la|los|las) (?:usan|quieren|necesitan|"
    r"piden)|no (?:me gusta|quiero) dar (?:mis|el|mi) (?:datos|telefono|numero))"
)
_WHY_DATA_RE = re.compile(
    r"\b(?:para que (?:necesitan|quieren|piden|me piden|precisan|usan|sirve)|por que (?:necesitan|quieren|piden|me "
    r"piden)|que hacen con)\b.{0,30}\b(?:telefono|numero|celular|mail|correo|email|nombre|datos|dni)"
)
_WHEN_FIXED_RE = re.compile(
    r"\b(?:cuando (?:lo |la |los )?(?:arreglan|arreglaran|van a (?:venir|arreglar|pasar)|vienen|solucionan|"
    r"resuelven|pasan)|cuanto (?:tardan|demoran) en (?:arreglar|venir|solucionar)|en cuanto tiempo)\b"
)
_ENGLISH = frozenset(
    [
        "the",
        "is",
        "are",
        "there",
        "a",
        "an",
        "in",
        "on",
        "my",
        "street",
        "please",
        "i",
        "want",
        "to",
        "you",
        "can",
        "help",
        "light",
        "broken",
        "how",
        "what",
        "where",
        "speak",
        "english",
        "hello",
        "hi",
        "thanks",
        "thank",
        "need",
        "report",
        "pothole",
        "trash",
        "garbage",
        "near",
        "with",
        "and",
        "it",
        "this",
        "of",
        "do",
        "does",
        "not",
        "working",
        "someone",
        "talk",
        "person",
        "anyone",
        "fire",
        "smoke",
        "building",
        "next",
        "hostel",
        "hotel",
        "should",
        "leave",
        "we",
        "our",
        "have",
        "has",
        "been",
    ]
)
_PORTUGUESE = frozenset(
    [
        "voce",
        "nao",
        "obrigado",
        "obrigada",
        "ola",
        "oi",
        "rua",
        "tem",
        "um",
        "uma",
        "buraco",
        "lixo",
        "esta",
        "quero",
        "falar",
        "com",
        "pessoa",
        "meu",
        "minha",
        "preciso",
        "gostaria",
        "poderia",
        "portugues",
        "ajuda",
        "fala",
        "sim",
        "onde",
        "fica",
        "aqui",
        "perto",
        "muito",
        "bom",
        "dia",
        "tudo",
        "bem",
        "boa",
        "tarde",
        "noite",
        "prefeitura",
        "estou",
        "moro",
        "desculpa",
        "falo",
        "em",
        "ao",
        "do",
        "da",
        "dos",
        "das",
        "hoje",
        "horario",
        "atendimento",
        "posso",
        "alguem",
        "ajudar",
        "queria",
        "saber",
        "pagar",
        "hospedada",
        "hospedado",
        "centro",
        "tambem",
    ]
)
_STRONG_FOREIGN = frozenset(
    [
        "voce",
        "nao",
        "obrigado",
        "obrigada",
        "prefeitura",
        "gostaria",
        "atendimento",
        "alguem",
        "desculpa",
        "hospedada",
        "hospedado",
        "estou",
        "boa",
        "the",
        "is",
        "there",
        "please",
        "hello",
        "thanks",
        "english",
        "anyone",
        "someone",
        "i",
        "my",
    ]
)
_SPANISH_ONLY = frozenset(
    [
        "el",
        "la",
        "los",
        "las",
        "hay",
        "que",
        "quiero",
        "hola",
        "calle",
        "es",
        "en",
        "por",
        "para",
        "con",
        "si",
        "necesito",
        "donde",
        "mi",
        "reclamo",
        "gracias",
        "buenas",
        "luz",
        "agua",
        "una",
        "un",
        "esta",
        "tengo",
        "hablar",
        "persona",
        "ayuda",
        "pozo",
        "basura",
        "vereda",
        "vecino",
        "intento",
        "espanol",
    ]
)
_CHITCHAT_RE = re.compile(
    r"^(?:jaja\w*|jeje\w*|ja|je|jsjs\w*|xd|ok|oka|okey|okis|bueno|dale|ah|aja|mmm+|como estas|que tal|que haces|"
    r"quien sos|quien sos vos|sos (?:un )?(?:robot|bot|humano|persona|maquina)|sos real|como te llamas|"
    r"todo bien|bien y vos|que lindo|buenisimo|genial|joya|perfecto|listo)$"
)
_BOT_IDENTITY_RE = re.compile(
    r"\b(?:(?:sos|es|eres|esto es|estoy hablando con|hablo con|me contesta|contesta|responde|atiende|me atiende)\s+"
    r"(?:un |una |el |la )?(?:robot|bot|maquina|humano|persona|automatico|automatica|contestador|inteligencia "
    r"artificial|ia|chatbot)|(?:o|es) (?:un )?(?:robot|bot|automatico|automatica|contestador automatico)\b)"
)
"""Whether a person or a machine answers ("¿esto lo contesta una persona o es automático?")."""
_COMPLAINT_CUES_RE = re.compile(
    r"\b(?:se (?:rompio|cayo|quemo|tapo|rompieron|cayeron|inundo|desbordo|hundio)|hay (?:un|una|unos|unas|mucha|"
    r"mucho)?\s*(?:pozo|bache|ratas?|basura|perro|perros|caballo|auto|arbol|rama|perdida|agua|ruido|olor|"
    r"cables?|yuyos?|escombros?|micro ?basural|cano)|no (?:funciona|anda|prende|hay luz|pasa|pasaron|vino|vinieron|"
    r"levantaron|recogieron|juntaron)|abandonad\w*|rot[oa]s?\b|tapad[oa]s?|quemad[oa]s?|apagad[oa]s?|"
    r"tiraron|tiran|pierde agua|sale agua|desborde|inundad\w*|ca[ií]d[oa]s?|suelt[oa]s?|ladrando|"
    r"molest\w*)"
)


_YES_WORDS = frozenset(
    [
        "si",
        "sii",
        "sip",
        "sep",
        "dale",
        "ok",
        "oka",
        "okey",
        "okay",
        "confirmo",
        "confirmar",
        "confirmado",
        "correcto",
        "perfecto",
        "listo",
        "claro",
        "bueno",
        "va",
        "joya",
        "genial",
        "barbaro",
        "exacto",
        "eso",
        "afirmativo",
        "obvio",
        "seguro",
        "bien",
        "todo",
        "esta",
        "estan",
        "esta",
        "todo",
        "de",
        "una",
        "acuerdo",
        "por",
        "favor",
        "gracias",
        "porfa",
        "asi",
        "es",
        "mandalo",
        "manda",
        "envia",
        "envialo",
        "enviar",
        "adelante",
        "registralo",
        "cargalo",
        "hacelo",
        "muy",
        "amable",
        "mil",
        "muchas",
        "ya",
        "entonces",
        "ahora",
        "nomas",
    ]
)
_YES_HEADS = frozenset(
    [
        "si",
        "sii",
        "sip",
        "dale",
        "ok",
        "oka",
        "okey",
        "okay",
        "confirmo",
        "confirmar",
        "correcto",
        "perfecto",
        "listo",
        "claro",
        "bueno",
        "joya",
        "exacto",
    ]
)
_NO_WORDS = frozenset(["no", "nop", "nope", "nah", "para", "nada", "negativo"])


def is_yes(norm: str) -> bool:
    """A yes in any words ("si esta bien confirmo", "dale, mandalo", "sí, todo correcto")."""
    tokens = norm.split()
    return (
        bool(tokens)
        and len(tokens) <= 8
        and any(t in _YES_HEADS for t in tokens)
        and all(t in _YES_WORDS for t in tokens)
        and "no" not in tokens
    )


def is_no(norm: str) -> bool:
    """A plain no ("no", "nop", "no no")."""
    tokens = norm.split()
    return bool(tokens) and len(tokens) <= 4 and all(t in _NO_WORDS for t in tokens)


_SHORT_CONSULT = frozenset(
    {
        "como va",
        "como va eso",
        "me podes decir como va",
        "me decis como va",
        "como sigue",
        "en que anda",
        "novedades",
        "hay novedades",
        "alguna novedad",
        "como va mi reclamo",
        "como van mis reclamos",
        "en que estado esta",
    }
)


def _language(norm: str) -> bool:
    tokens = norm.split()
    if not tokens:
        return False
    en = sum(t in _ENGLISH for t in tokens)
    pt = sum(t in _PORTUGUESE for t in tokens)
    es = sum(t in _SPANISH_ONLY for t in tokens)
    strong = sum(t in _STRONG_FOREIGN for t in tokens)
    foreign = max(en, pt)
    if es >= 2 or (es and es >= foreign):
        return False
    return (strong >= 1 and foreign >= 2) or (foreign >= 3 and foreign >= 0.5 * len(tokens))


_FOREIGN_EMERGENCY_RE = re.compile(
    r"\b(?:fire|smoke|gas leak|help me(?!\s+(?:with|to|find|know|understand|file|report))|emergency|ambulance|"
    r"not breathing|bleeding|accident|incendio|fogo|fumaca|"
    r"socorro|emergencia|ambulancia|vazamento de gas|nao respira|sangrando|acidente|pegando fogo)\b"
)


def foreign_emergency(text: str) -> bool:
    """An emergency written in English or Portuguese (the urgency model reads Spanish)."""
    norm = normalize(text)
    return _language(norm) and bool(_FOREIGN_EMERGENCY_RE.search(norm))


def after_restart(text: str) -> str:
    """What follows "empecemos de cero" (or a cancel word) in the same message (the complaint told again), or ""."""
    norm = normalize(text)
    m = _RESTART_RE.search(norm)
    if m is None:
        return after_cancel(text)
    words_before = len(norm[: m.end()].split())
    return " ".join(text.split()[words_before:]).strip(" ,.:;-")


def after_cancel(text: str, categories: tuple[str, ...] = ()) -> str:
    """A problem told right after a cancel word ("bueno no importa. hay un perro suelto en Rozas 870"): that
    complaint, which the cancel word only clears the way for; "" when nothing of the kind follows."""
    norm = normalize(text)
    m = _CANCEL_RE.search(norm)
    if m is None:
        return ""
    rest_words = text.split()[len(norm[: m.end()].split()) :]
    rest = " ".join(rest_words).strip(" ,.:;-")
    rest_norm = normalize(rest)
    if len(rest_norm.split()) < 4 or not is_complaint_statement(rest_norm, categories):
        return ""
    return rest


_MANY_RE = re.compile(r"\b(?:dos|2|tres|3|varios|varias|un par de) (?:reclamos|problemas|cosas|quejas|temas)\b")
_ALSO_SPLIT_RE = re.compile(
    r"\s*[,;.]?\s*\b(?:y adem[aá]s|adem[aá]s|y tambi[eé]n|y otra cosa|otra cosa|y aparte|aparte de eso)\b\s*[,:]?\s*",
    re.IGNORECASE,
)
_AND_SPLIT_RE = re.compile(r"\s*[,;]?\s+y\s+(?=(?:un|una|unos|unas|el|la|los|las|hay|tambi[eé]n)\s)", re.IGNORECASE)


def split_problems(text: str, categories: tuple[str, ...]) -> list[str]:
    """Two problems told in one message ("hay un pozo en Mitre 1500 y además la luz de Mitre y Las Heras no anda",
    "tengo dos reclamos: una luz apagada en Garibaldi 250 y un pozo en Garibaldi y 9 de Julio"): each alone, in
    order; one element when the message tells one problem (or cannot be split safely)."""
    announced = _MANY_RE.search(normalize(text)) is not None
    pieces = _ALSO_SPLIT_RE.split(text)
    if len(pieces) < 2 and announced:
        _, _, rest = text.partition(":")
        pieces = _AND_SPLIT_RE.split(rest or text)
    pieces = [p.strip(" ,.;:") for p in pieces if p.strip(" ,.;:")]
    if len(pieces) < 2:
        return [text]
    told = [p for p in pieces if infer_category(normalize(p), categories) is not None]
    placed = all(find_place(p) is not None for p in told)
    if len(told) == len(pieces) and (announced or placed):
        return pieces
    here = find_place(pieces[0])
    kinds = {infer_category(normalize(p), categories) for p in pieces}
    if len(told) == len(pieces) == len(kinds) and here is not None and not any(find_place(p) for p in pieces[1:]):
        # "un semáforo roto en Belgrano y Pedernera y además está lleno de basura la esquina": two kinds of
        # problem, the later ones at the place the first named.
        return [pieces[0], *(f"{p}, en {here.text}" for p in pieces[1:])]
    return [text]


def has_problem_cue(norm: str) -> bool:
    """Words that tell of a problem ("se rompió", "no pasa", "hay ratas"), not just a topic."""
    return bool(_COMPLAINT_CUES_RE.search(without_apology(norm)))


def is_complaint_statement(norm: str, categories: tuple[str, ...]) -> bool:
    """A problem plainly stated ("se rompió la vereda", "hay ratas en el baldío", "auto abandonado en...")."""
    return infer_category(norm, categories) is not None or has_problem_cue(norm)


def classify(text: str, categories: tuple[str, ...] = ()) -> Intent:
    """The one label of a message (the more specific first: a person asked for beats a complaint)."""
    norm = normalize(text)
    if not norm:
        return Intent.OTHER
    if is_agent_request(text) or _PERSON_RE.search(norm):
        return Intent.PERSON
    if _language(norm):
        return Intent.OTHER_LANGUAGE
    restart = _RESTART_RE.search(norm)
    if restart and (len(norm.split()) <= 10 or len(norm[: restart.start()].split()) <= 4):
        return Intent.RESTART
    if _LOST_PIN_RE.search(norm):
        return Intent.LOST_PIN
    short = len(norm.split()) <= 9
    cancel = _CANCEL_RE.search(norm)
    # "no espera cancelá, que no estoy segura de la dirección": the cancel word leads, the rest is the reason.
    leads = cancel is not None and len(norm[: cancel.start()].split()) <= 3 and len(norm.split()) <= 14
    leads_far = cancel is not None and len(norm[: cancel.start()].split()) <= 3
    if cancel and not _CANCEL_BLOCKERS.search(norm) and not _RESTART_RE.search(norm):
        if leads_far and after_cancel(text, categories):
            return Intent.RESTART
        if short or leads:
            return Intent.CANCEL
    if _FALSE_ALARM_RE.search(norm):
        return Intent.FALSE_ALARM
    if _FRUSTRATION_RE.search(norm):
        return Intent.FRUSTRATION
    if _WAIT_RE.search(norm) and short:
        return Intent.WAIT_TIME
    if _WHY_DATA_RE.search(norm) or _WHY_DATA2_RE.search(norm):
        return Intent.WHY_DATA
    if _WHEN_FIXED_RE.search(norm):
        return Intent.WHEN_FIXED
    if _CONSULT_RE.search(norm) or norm in _SHORT_CONSULT:
        return Intent.CONSULT
    if _INSULT_RE.search(norm) and not (is_complaint_statement(norm, categories) and len(norm.split()) > 6):
        return Intent.INSULT
    if is_greeting(norm):
        return Intent.GREETING
    if is_thanks(norm):
        return Intent.THANKS
    if is_pleasantry(norm):
        return Intent.GREETING
    if _CHITCHAT_RE.match(norm) or (_BOT_IDENTITY_RE.search(norm) and len(norm.split()) <= 12):
        return Intent.CHITCHAT
    asks = "?" in text or "¿" in text or asks_question(norm)
    if asks and not has_problem_cue(norm):
        return Intent.QUESTION
    if is_complaint_statement(norm, categories):
        return Intent.COMPLAINT
    return Intent.QUESTION if asks else Intent.OTHER
