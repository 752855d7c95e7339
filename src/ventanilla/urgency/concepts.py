"""Meaning features for the learned model: what a clause talks about, not which words it uses.

Each concept is a pattern over a clause's phonetic keys (the same key as the rules, see `lexicon`): body parts,
symptoms, "now" and "for days", vulnerable people, threats, intent, who is affected, and the scopes that make a
danger not present (already handled, hypothetical, figurative, news elsewhere, an information question, a shop's
order). The model gets one feature per concept found, per concept in the last sentence, and per pair that tends
to mean danger when both meet in one sentence ("symptom" with "now", "no contact" with "alone"). Written from
the kinds of emergency and trap the project knows, so they reach words the corpus never used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from ventanilla.urgency.classifier import clauses, key_pattern, normalize, phonetic_key


def _alt(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


_DAYS: Final = _alt("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")
_FAMILY: Final = _alt(
    r"mi (?:mama|mami|madre|vieja|papa|papi|padre|viejo|abuel[oa]|hij[oa]|nen[ea]|bebe|herman[oa]|ti[oa]|"
    r"prim[oa]|marido|esposa?|esposo|señora|senora|pareja|novi[oa]|suegr[oa]|cuñad[oa]|cunad[oa]|amig[oa]|"
    r"vecin[oa]|compañer[oa]|companer[oa]|sobrin[oa]|niet[oa])",
    r"(?:el|la|un|una) (?:vecin[oa]|señor|senor|señora|senora|hombre|mujer|chic[oa]|nen[ea]|pib[ea]|abuel[oa]|"
    r"doña|dona|don|muchach[oa]|joven|persona|obrero|ciclista|motociclista|chango|kuña|mitai)",
)

CONCEPTS: Final[dict[str, str]] = {
    "body": _alt(
        "cara",
        "boca",
        "brazo",
        "brazos",
        "pierna",
        "piernas",
        "pecho",
        "cabeza",
        "lengua",
        "labios",
        "ojos",
        "garganta",
        "panza",
        "cuerpo",
        "mano",
        "cuello",
        "corazon",
        "espalda",
        "muñeca",
        "venas",
    ),
    "symptom": _alt(
        r"desmay\w*",
        r"desvaneci\w*",
        r"inconscien\w*",
        r"no (?:reacciona|responde|respira|despierta|se despierta|se mueve|contesta|habla|puede (?:hablar|respirar|"
        r"mover|caminar|levantar\w*))",
        r"sangr\w*",
        r"convuls\w*",
        r"vomit\w*",
        r"mare[ao]\w*",
        r"torcid[oa]",
        r"chuec[oa]",
        r"caid[oa]",
        r"se le (?:duerme|durmio|cae|cayo|traba|tuerce)",
        r"habla (?:raro|mezclado|mal)",
        r"balbuce\w*",
        r"ahog\w*",
        r"morad[oa]",
        r"azul\w*",
        r"palid[oa]",
        r"transpira\w*",
        r"dolor",
        r"duele",
        r"fiebre",
        r"hincha\w*",
        r"tembl\w*",
        r"confundid[oa]",
        r"desorientad[oa]",
        r"frio",
        r"fria",
        r"infarto",
        r"acv",
        r"ataque",
        r"contracciones",
        r"se (?:cayo|cae) (?:redondo|al piso|de)",
        r"tirad[oa]",
        r"en el piso",
    ),
    "now": _alt(
        "ahora",
        "ahorita",
        "recien",
        "ya mismo",
        "en este momento",
        "de golpe",
        "de repente",
        r"hace (?:un rato|rato|media hora|una hora|un ratito|\d+ minutos|unos minutos|minutos)",
        r"esta(?:n)? \w+(?:ando|iendo|endo)",
        "sigue",
        "todavia",
    ),
    "days": _alt(
        r"hace (?:\w+ )?dias",
        r"hace (?:una|dos|tres) semanas?",
        rf"desde el {_DAYS}",
        r"desde (?:ayer|anoche|antes de ayer)",
        r"(?:dos|tres|cuatro|varios) dias",
    ),
    "hours": _alt(r"hace (?:\d+|dos|tres|cuatro|cinco|seis|varias|muchas) horas", r"desde (?:la mañana|anoche)"),
    "vulnerable": _alt(
        r"abuel[oa]s?",
        "anciano",
        "anciana",
        r"jubilad[oa]",
        r"postrad[oa]",
        r"viejit[oa]",
        r"debil",
        r"(?:persona|señor|señora|senor|senora) mayor",
        "grande",
        r"nen[ea]s?",
        "bebe",
        "bebes",
        r"chiquit[oa]s?",
        "criaturas?",
        "mitai",
        r"embarazad[oa]",
        r"discapacit\w*",
        "silla de ruedas",
        r"enferm[oa]",
        r"diabetic[oa]",
        r"cardiac[oa]",
        "alzheimer",
        "demencia",
        r"autista",
        r"en cama",
        r"\d+ años",
    ),
    "alone": _alt("solo", "sola", "solito", "solita", "vive solo", "vive sola"),
    "pregnant": _alt(r"embarazad[oa]", r"\d+ (?:meses|semanas) de embarazo", r"de \d+ (?:meses|semanas)", "parir"),
    "no_contact": _alt(
        r"no (?:abre|contesta|atiende|responde|sale|baja|prende|aparece|volvio|vuelve|lo encontramos|"
        r"la encontramos|sabemos nada|tiene (?:el )?celular|lleva (?:el )?celular)",
        r"no (?:lo |la )?(?:vemos|vimos|veo|vi|ven|vieron)",
        r"celular apagado",
        r"nadie (?:la|lo) vio",
    ),
    "threat": _alt(
        r"amenaz\w*",
        r"cuchillo",
        r"arma",
        r"armado",
        r"pistola",
        r"escopeta",
        r"tiros",
        r"balazos?",
        r"(?:me|la|lo|le|nos) (?:va|van) a (?:matar|pegar|hacer)",
        r"pega\w*",
        r"golpe\w*",
        r"pate\w*",
        r"quiere(?:n)? entrar",
        r"romp\w* (?:la|mi) puerta",
        r"gritando",
    ),
    "door": _alt(r"(?:en|a) (?:la|mi) puerta", "afuera", r"quiere(?:n)? entrar", "ventana", "perimetral"),
    "intent": _alt(
        r"(?:me|se) (?:voy|va|quiere|quiero) (?:a )?(?:matar|morir|tirar|ahorcar|cortar|ir para siempre)",
        r"no (?:quiero|quiere) (?:vivir|seguir|despertar\w*)",
        r"quiero morir\w*",
        r"despedir\w*",
        "me despido",
        r"chau a todos",
        r"cartas?",
        r"pastillas",
        "soga",
        r"ya no (?:voy a|va a) (?:molestar|estar)",
        "tome la decision",
        r"terminar con todo",
        "se termina todo",
        r"para siempre",
        r"no aguanto mas",
        r"una carga",
        r"veneno",
    ),
    "danger": _alt(
        "fuego",
        r"incendi\w*",
        "humo",
        "llamas",
        r"quem\w*",
        "gas",
        r"chispas?",
        r"cable\w*",
        r"corriente",
        r"descarga",
        "agua",
        r"inund\w*",
        r"desbord\w*",
        r"derrumb\w*",
        r"raja\w*",
        r"(?:perro|perros|jauria|vibora|yarara|toro|abejas|alacran)",
        r"mord\w*",
        r"pic(?:o|adura)\w*",
        r"choc\w*",
        r"atropell\w*",
        r"volc\w*",
    ),
    "first_person": _alt("estoy", "tengo", "me siento", "me duele", "yo", "me"),
    "third_person": _FAMILY,
    "tentative": _alt(
        "es normal",
        "sera que",
        "puede ser que",
        "esta bien que",
        "es grave",
        "que hago",
        "que hacemos",
        "a quien llamo",
        "hay que preocuparse",
    ),
    "help": _alt("ayuda", "ayudenme", "ayudeme", "socorro", "auxilio", "urgente", "por favor", "rapido"),
    "handled": _alt(
        r"ya (?:lo|la|los|las|se) (?:apagaron|arreglaron|llevaron|controlaron|cortaron|atendieron|encontramos|"
        r"encontraron|vio|vieron|internaron)",
        r"ya (?:esta|estan) (?:bien|mejor|controlad\w*|apagad\w*)",
        r"ya (?:aparecio|paso|llego|volvio|bajo|termino)",
        "ya se fue",
        "gracias igual",
        "esta mejor",
    ),
    "past": _alt(
        "ayer",
        "anoche",
        r"el año pasado",
        r"la semana pasada",
        r"el mes pasado",
        r"hace (?:años|meses|un año|un mes)",
        "hubo",
        "fue",
    ),
    "hypothetical": _alt(
        r"que (?:hago|hacemos|pasa) si",
        r"si (?:llega|llegara|hay|hubiera|se|me|algun)",
        "en caso de",
        r"algun dia",
        r"el (?:año|mes) que viene",
        "simulacro",
        r"va(?:n)? a (?:hacer|haber)",
        r"plan de",
        r"pienso|planeando|planeo",
    ),
    "figurative": _alt(
        r"me muero de",
        r"me (?:mata|esta matando)",
        r"(?:estan|esta) que (?:arde|arden|explota|prende)",
        r"(?:ja){2,}\w*",
        r"de risa",
        r"de (?:la )?verguenza",
        r"de (?:ganas|hambre|calor|frio|sueño)",
        "me va a matar si",
        r"bomba de tiempo",
    ),
    "news": _alt(
        r"en la (?:tele|television|radio)",
        "noticiero",
        r"(?:el|en el) diario",
        r"lei que",
        r"vieron lo",
        r"me entere",
        r"en otr[oa] (?:pais|provincia|ciudad|pueblo)",
        r"facebook|instagram|twitter|redes",
        r"salio en",
        "dicen que",
    ),
    "info": _alt(
        r"(?:cual|que) (?:es el )?(?:numero|telefono)",
        r"a que (?:numero|telefono)",
        r"el (?:numero|telefono) de",
        r"donde (?:esta|queda)",
        "horario",
        r"a que hora",
        r"hasta que hora",
        "como hago",
        "como se",
        r"quiero saber",
        "queria saber",
        "para tenerla a mano",
        "trabajo del colegio",
    ),
    "business": _alt(
        "pedido",
        "delivery",
        "stock",
        "factura",
        "compre",
        "envio",
        "paquete",
        "reserva",
        "producto",
        "pizza",
        "pizzas",
        "torta",
        "devuelvan",
        "repuesto",
        "vestido",
    ),
    "bot": _alt(
        "bot",
        "robot",
        "maquinita",
        r"me (?:escuchan|escucha|leen|lee)",
        r"hay alguien",
        r"(?:estan|esta|sigue|siguen) ahi",
        r"inutil\w*",
        "alo",
    ),
    "routine": _alt(
        "bache",
        "basura",
        "poda",
        "alumbrado",
        "luminaria",
        "vereda",
        "contenedor",
        "zanjon",
        "recoleccion",
        "tasa",
        "turno",
        "reclamo",
        "tramite",
        "certificado",
    ),
    "tree": _alt(r"arbol\w*", "rama", "ramas"),
    "nobody_hurt": _alt(
        r"(?:no hay|nadie|ningun) (?:nadie )?(?:herid\w*|lastimad\w*)",
        r"nadie se lastimo",
        r"nadie (?:lastimado|herido)",
        r"no es una emergencia",
        r"sin heridos",
    ),
}

PAIRS: Final[tuple[tuple[str, str], ...]] = (
    ("symptom", "now"),
    ("symptom", "body"),
    ("symptom", "vulnerable"),
    ("symptom", "third_person"),
    ("symptom", "first_person"),
    ("symptom", "tentative"),
    ("symptom", "pregnant"),
    ("no_contact", "alone"),
    ("no_contact", "days"),
    ("no_contact", "hours"),
    ("no_contact", "vulnerable"),
    ("alone", "vulnerable"),
    ("days", "vulnerable"),
    ("hours", "vulnerable"),
    ("threat", "door"),
    ("threat", "now"),
    ("threat", "first_person"),
    ("intent", "first_person"),
    ("intent", "now"),
    ("intent", "third_person"),
    ("danger", "now"),
    ("danger", "vulnerable"),
    ("danger", "tentative"),
    ("danger", "handled"),
    ("danger", "past"),
    ("danger", "hypothetical"),
    ("danger", "news"),
    ("danger", "info"),
    ("symptom", "handled"),
    ("symptom", "past"),
    ("tree", "nobody_hurt"),
    ("tree", "vulnerable"),
    ("business", "help"),
    ("bot", "help"),
)

_COMPILED: Final = tuple(
    (name, re.compile(r"\b(?:" + key_pattern(normalize(p)) + r")\b")) for name, p in CONCEPTS.items()
)
_SENTENCE_END: Final = re.compile(r"[.!?¡¿\n]+|\b(?:ah y|aparte|otra cosa|tambien les aviso)\b")


def _found(keyed: str) -> frozenset[str]:
    return frozenset(name for name, regex in _COMPILED if regex.search(keyed))


def _keyed(text: str) -> str:
    return " | ".join(" ".join(k for t in clause if (k := phonetic_key(t))) for clause in clauses(text))


@lru_cache(maxsize=4096)
def _read(text: str) -> tuple[str, frozenset[str]]:
    """The phonetic keys of a text and the concepts found in them (cached: a turn reads a text several times)."""
    keyed = _keyed(text)
    return keyed, _found(keyed)


def sentences(text: str) -> list[str]:
    """The message cut into sentences (and at "ah, y" / "aparte" turns), empty ones dropped."""
    return [part for part in _SENTENCE_END.split(text) if part and any(ch.isalpha() for ch in part)]


@lru_cache(maxsize=4096)
def concept_features(text: str) -> tuple[str, ...]:
    """`s <concept>` for the message, `l <concept>` for its last sentence, `x <a>+<b>` for pairs in one sentence."""
    parts = sentences(text) or [text]
    found_each = [_read(part)[1] for part in parts]
    feats: set[str] = set()
    for found in found_each:
        feats.update(f"s {name}" for name in found)
        feats.update(f"x {a}+{b}" for a, b in PAIRS if a in found and b in found)
    if len(parts) > 1:
        feats.update(f"l {name}" for name in found_each[-1])
        feats.add("s long")
    if "?" in text:
        feats.add("s question")
    return tuple(sorted(feats))


_SELF_REPORT: Final = re.compile(
    r"\b(?:"
    + key_pattern(
        normalize(
            r"me (?:quiero|voy a|tome|trague|corte|duele|siento|falta|ahogo|desmayo|cai|estoy)|"
            r"estoy (?:embarazada|sola?|mal|mareada?|sangrando|escondida?|encerrada?)|no (?:puedo|aguanto)|"
            r"tengo (?:\d+ )?(?:años|dolor|fiebre)|"
            r"(?:me|nos) (?:pega|pego|amenaza|amenazo|sigue|encerro)|ya no quiero"
        )
    )
    + r")\b"
)


@dataclass(frozen=True, slots=True)
class Situation:
    """What the safety answer needs besides the category: who writes, and a few situations with their own advice."""

    witness: bool  # the writer reports someone else's danger ("mi papá tiene la cara torcida")
    tree: bool  # a fallen or falling tree, not a building
    unseen: bool  # someone ill or old, alone, not seen or not answering


@lru_cache(maxsize=1024)
def situation(text: str) -> Situation:
    """Read from the message who is in danger and which advice fits."""
    keyed, found = _read(text)
    self_report = _SELF_REPORT.search(keyed) is not None
    witness = not self_report and bool(found & {"third_person", "vulnerable"} or "alguien" in keyed.split())
    unseen = "no_contact" in found and bool(found & {"alone", "days", "vulnerable"})
    return Situation(witness=witness, tree="tree" in found, unseen=unseen)


# Said plainly by the label rule, rare in any corpus: a dose asked for oneself, a goodbye with a plan.
_SELF_HARM_QUESTION: Final = re.compile(
    r"\b(?:"
    + key_pattern(
        normalize(
            r"si (?:me )?(?:tomo|trago|tomara) (?:\w+ ){0,8}(?:me muero|muero|me mata|no me despierto)"
            r"|(?:cuant[oa]s?|que cantidad de?) (?:\w+ ){0,5}(?:para que sea mortal|es (?:una dosis )?mortal|"
            r"para no despertar\w*|para morir\w*)"
            r"|(?:veneno|pastillas|soga) (?:\w+ ){0,3}para (?:tomarl[oa]s? yo|mi|usarla yo)"
        )
    )
    + r")\b"
)
_SCOPED: Final = frozenset({"handled", "hypothetical", "news", "info", "figurative", "past"})


@lru_cache(maxsize=1024)
def floor(text: str) -> str | None:
    """A category the message is urgent for whatever the scores say, by the label rule: someone ill or old, alone
    and not seen or not answering for hours or days; a lethal dose asked about for oneself."""
    keyed, found = _read(text)
    unseen = "no_contact" in found and found & {"days", "hours"} and found & {"alone", "vulnerable"}
    if unseen and not found & (_SCOPED - {"past"}):
        return "health"
    if _SELF_HARM_QUESTION.search(keyed) and not found & {"news", "handled"}:
        return "self_harm"
    return None


_NOT_PLAIN: Final = frozenset({"danger", "symptom", "threat", "intent", "no_contact", "pregnant"})


@lru_cache(maxsize=1024)
def plainly_calm(text: str) -> bool:
    """A shop's order, a routine matter, a turn addressed to the bot or a figure of speech, with nothing in it
    about a danger, a symptom, a threat or an intent: "URGENTE" or "ayuda" alone do not make it urgent."""
    found = _read(text)[1]
    return bool(found & {"business", "routine", "bot", "figurative"}) and not found & _NOT_PLAIN
