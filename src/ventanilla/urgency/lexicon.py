"""Rules and lexicon for urgency detection in es-AR citizen messages.

Patterns are written in plain, accent-free lowercase Spanish over single-space separated tokens; the classifier
applies the same phonetic key (s/z/c, j/g, b/v, ll/y, ch, silent h) to them and to the text, so "insendio",
"ambulansia" or "urjente" match the canonical spelling. Escape sequences are left untouched by the key; a literal
run must not end in "c"/"g" right before something that may be "e"/"i" (write "desvaneci", not "desvanec").
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Category = Literal[
    "fire",
    "gas",
    "electric",
    "flood",
    "structure",
    "medical",
    "violence",
    "missing",
    "animal",
    "traffic",
    "health",
    "self_harm",
    "gender_violence",
    "child",
    "explicit",
    "none",
]

# A trigger: (category, weight, pattern). Weights combine with noisy-or; a message is urgent at score >= 0.5.
Rule = tuple[Category, float, str]


def _alt(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


def _gap(n: int) -> str:
    """Up to n filler words that are not negations."""
    return rf"(?:(?!(?:no|ni|nadie|nunca|sin) )\w+ ){{0,{n}}}"


PERSON: Final = _alt(
    "hijo",
    "hija",
    "hijos",
    "hijas",
    "hijito",
    "hijita",
    "nene",
    "nena",
    "nenes",
    "nenas",
    "nenito",
    "nenita",
    "chico",
    "chica",
    "chicos",
    "chiquito",
    "chiquita",
    "chiquitos",
    "nino",
    "nina",
    "ninos",
    "bebe",
    "pibe",
    "piba",
    "pibito",
    "sobrino",
    "sobrina",
    "nieto",
    "nieta",
    "hermano",
    "hermana",
    "hermanito",
    "hermanita",
    "abuelo",
    "abuela",
    "papa",
    "mama",
    "padre",
    "madre",
    "esposo",
    "esposa",
    "marido",
    "mujer",
    "novia",
    "novio",
    "tio",
    "tia",
    "primo",
    "prima",
    "menor",
    "criatura",
    "viejo",
    "vieja",
    "senor",
    "senora",
    "anciano",
    "anciana",
    "persona",
    "alumno",
    "alumna",
    # regional words for a baby or a child: Andean and Chilean "guagua"/"wawa", Venezuelan "chamo", norteño "chango"
    "guagua",
    "guaguita",
    "wawa",
    "chamo",
    "chama",
    "chamito",
    "chamita",
    "chango",
    "changuito",
    "cabro",
    "crio",
    "pelado",
    "pelada",
)
_VICTIM: Final = _alt(
    "casa",
    "casas",
    "auto",
    "autos",
    "persona",
    "personas",
    "gente",
    "cables",
    "techo",
    "parada",
    "nene",
    "nena",
    "chico",
    "chicos",
    "alguien",
    "colectivo",
    "senor",
    "senora",
    "vecino",
    "vecina",
    "escuela",
    "camioneta",
    "moto",
)
_BUILDING: Final = _alt(
    "techo",
    "techos",
    "pared",
    "paredes",
    "balcon",
    "balcones",
    "cielorraso",
    "cielo raso",
    "mamposteria",
    "muro",
    "edificio",
    "casa",
    "escalera",
    "puente",
    "cartel",
    "marquesina",
    "tanque",
    "torre",
    "losa",
    "loza",
    "revoque",
    "chimenea",
    "estructura",
    "tinglado",
    "andamio",
    "alero",
    "fachada",
    "galpon",
    "tribuna",
)
_FALL: Final = _alt("cae", "caen", "cayo", "cayeron", "cayendo", "caer", "caerse", "derrumba", "derrumbo")
_ANIMAL: Final = _alt(
    "perro",
    "perros",
    "perra",
    "perras",
    "jauria",
    "pitbull",
    "pitbulls",
    "dogo",
    "dogos",
    "rottweiler",
    "ovejero",
    "animal",
    "animales",
    "caballo",
    "toro",
    "vaca",
    "chancho",
    "jabali",
    "puma",
    "zorro",
    "dog",
    "dogs",
    "cachorro",
    "yacare",
    "cocodrilo",
    "caiman",
    "piranas",
    "palometas",
)
_BITE: Final = _alt(
    "muerde",
    "muerden",
    "mordiendo",
    "mordio",
    "mordieron",
    "mordido",
    "mordida",
    "mordiendolo",
    "mordiendola",
    "ataca",
    "atacan",
    "atacando",
    "ataco",
    "atacaron",
    "atacandolo",
    "atacandola",
    "atacandonos",
    "corneo",
    "corneando",
    "pateo",
    "mordiendonos",
    "mordiendole",
)
_CLITIC: Final = _alt("me", "te", "le", "les", "nos", "la", "lo", "las", "los")
_ENTER: Final = _alt("entra", "entran", "entrando", "entro", "metiendo", "mete")

TRIGGERS: Final[tuple[Rule, ...]] = (
    # fire
    ("fire", 0.9, r"incend\w*"),
    ("fire", 0.9, r"fuego\b|fuoco\b"),
    ("fire", 0.9, r"llamarada\w*|en llamas\b|llamas\b(?! a\b| al\b)"),
    ("fire", 0.85, r"ardiendo\b|se (?:esta |estan )?(?:quema|queman|quemando)\b"),
    ("fire", 0.85, r"(?:sale|salen|salia|saliendo|tira|tirando|echa|echando|larga|largando) (?:\w+ ){0,2}humo\b"),
    ("fire", 0.85, r"humo (?:\w+ ){0,2}saliendo\b|hay (?:\w+ ){0,1}humo\b|(?:mucho|muchisimo|tanto) humo\b"),
    ("fire", 0.85, r"humo (?:negro|blanco|espeso|toxico)\b|humeando\b|humea\b|el humo (?:entra|no deja|tapa|invade)"),
    ("fire", 0.75, r"(?:y|con) humo\b|(?:olor|huele) (?:\w+ ){0,1}a quemado\b"),
    ("fire", 0.8, r"explosion\w*|explot(?:o|aron|a|ando)\b"),
    # Caribbean "candela" is fire
    ("fire", 0.85, r"(?:en|hay|agarro|cogio) candela\b|prendid[oa] en candela\b"),
    (
        "fire",
        0.9,
        r"se (?:prendio|prendieron|prende|esta prendiendo|estan prendiendo) (?:\w+ ){0,2}(?:cortina|cortinas|colchon"
        r"|cama"
        r"|casa|cocina|pieza|techo|auto|galpon|rancho|pasto|pastos|campo|monte|ropa|mueble|garrafa|estufa)\b"
        r"|(?:estufa|brasa|brasas|fogon|salamandra|parrilla) (?:\w+ ){0,3}chisp\w*",
    ),
    # gas
    ("gas", 0.9, r"olor\w* (?:\w+ ){0,2}a gas\b|(?:huele|olia|huelo) (?:\w+ ){0,2}a gas\b"),
    ("gas", 0.9, r"(?:fuga|fugas|perdida|perdidas|escape|escapes|perdiendo) (?:\w+ ){0,2}gas\b"),
    ("gas", 0.9, r"(?:sale|salen|saliendo|escapa|escapando|pierde|pierden|largando) (?:\w+ ){0,1}gas\b"),
    (
        "gas",
        0.9,
        r"gas\b (?:\w+ ){0,3}(?:pierde|perdiendo|roto|rota|se escapa)\b|(?:rompi\w*|roto|rota|pinch\w*"
        r"|perfor\w*) (?:\w+ ){0,3}gas\b",
    ),
    ("gas", 0.9, r"garrafa\w* (?:\w+ ){0,4}(?:pierde|perdiendo|explot\w*|sale|largando|se escapa)\b"),
    ("gas", 0.9, r"explot\w* (?:\w+ ){0,2}(?:garrafa|gas|caldera|termotanque)\w*|explosion (?:de )?(?:gas|garrafa)\w*"),
    ("gas", 0.85, r"monoxido\b"),
    ("gas", 0.9, r"emanacion\w* (?:\w+ ){0,1}gas\b|escape (?:\w+ ){0,1}gas\b"),
    # electric
    ("electric", 0.9, r"chisp\w*"),
    (
        "electric",
        0.85,
        r"cables? (?:\w+ ){0,4}"
        + _alt(
            "caido",
            "caidos",
            "caida",
            "cortado",
            "cortados",
            "suelto",
            "sueltos",
            "pelado",
            "pelados",
            "colgando",
            "tirado",
            "tirados",
            "en el piso",
            "en la calle",
            "en el agua",
            "da corriente",
            "tocando",
            "tocan",
            "se cayo",
            "se cayeron",
            "se corto",
            "cayo",
            "cayeron",
            "electrico",
            "electricos",
        )
        + r"\b",
    ),
    ("electric", 0.85, r"(?:cay\w*|corto|corta|cortaron) (?:\w+ ){0,2}cables?\b|(?:alta|media) tension\b"),
    ("electric", 0.9, r"(?:da|dan|daba|tira|larga|pasa) corriente\b|agarr\w* (?:la )?corriente\b|patea\b"),
    ("electric", 0.9, r"electrocut\w*|descarga electrica|(?:le|me) dio (?:una )?descarga|quedo pegado"),
    ("electric", 0.85, r"postes? (?:\w+ ){0,3}(?:cayo|caido|caida|cayendo|caer\w*|tocan|tirado|en el piso)\b"),
    ("electric", 0.85, r"(?:cayo|caido|cayendo|caer) (?:\w+ ){0,2}postes?\b"),
    ("electric", 0.9, r"transformador (?:\w+ ){0,3}(?:explot\w*|prendi\w*|fuego|humo|chisp\w*)"),
    ("electric", 0.9, r"explot\w* (?:\w+ ){0,2}(?:transformador|medidor|tablero)"),
    # flood
    ("flood", 0.85, _ENTER + r" (?:\w+ ){0,2}agua\b|agua (?:\w+ ){0,2}" + _ENTER + r"\b"),
    (
        "flood",
        0.85,
        r"inund\w* (?:\w+ ){0,2}"
        + _alt(
            "casa",
            "casas",
            "escuela",
            "hogar",
            "barrio",
            "cuadra",
            "dormitorio",
            "departamento",
            "vivienda",
            "viviendas",
            "jardin",
            "todo",
            "toda",
            "edificio",
            "hospital",
            "pieza",
            "cocina",
            "geriatrico",
        )
        + r"\b",
    ),
    ("flood", 0.85, r"(?:casa|casas|vivienda|viviendas|escuela|barrio) (?:\w+ ){0,1}inundad\w*"),
    ("flood", 0.85, r"nos (?:\w+ ){0,1}inund\w*|estamos inundad\w*|(?:esta|estamos) inundando\b"),
    ("flood", 0.7, r"inundaci\w*"),
    # Andean and Cuyo words: a mudslide ("huaico", "aluvion", "mazamorra") comes down on houses
    (
        "flood",
        0.85,
        r"huaico\w*|huayco\w*|aluvion\w*|alud\b|avalancha\w*|deslizamiento\w*"
        r"|mazamorra (?:\w+ ){0,2}(?:baja|bajando|viene)",
    ),
    (
        "flood",
        0.85,
        r"(?:anega\w*|ingres\w* (?:\w+ ){0,2}agua|agua (?:\w+ ){0,2}ingres\w*) (?:\w+ ){0,3}"
        r"(?:vivienda|casa|domicilio|dormitorio|habitacion|hogar)\b",
    ),
    (
        "flood",
        0.8,
        r"agua (?:\w+ ){0,3}(?:sube|subiendo|crece|creciendo|no para de subir|hasta la|hasta las"
        r"|hasta el)\b",
    ),
    (
        "flood",
        0.8,
        r"agua (?:\w+ ){0,2}llega (?:a|hasta) (?:la|las|los|el) (?:cintura|rodillas|camas|techo|techos"
        r"|pecho)",
    ),
    (
        "flood",
        0.8,
        r"(?:crecida|creciente|agua|arroyo|rio) (?:\w+ ){0,3}(?:llegando|llega|llego) (?:a|hasta) "
        r"(?:las|la|mi|nuestra|nuestras) (?:casas|casa|puerta|puertas)\b",
    ),
    ("flood", 0.85, r"agua (?:\w+ ){0,1}(?:adentro|dentro) de (?:la|mi|las|nuestra|nuestras) casas?\b"),
    ("flood", 0.85, r"(?:arroyo|rio|canal|laguna|represa|dique|riacho|zanjon) (?:\w+ ){0,3}desbord\w*"),
    ("flood", 0.85, r"desbord\w* (?:\w+ ){0,1}(?:el|la) (?:arroyo|rio|canal|laguna|represa|dique|zanjon)"),
    ("flood", 0.85, r"arrastr\w*|(?:corriente|agua) (?:\w+ ){0,1}se (?:lleva|llevo)\b"),
    (
        "flood",
        0.8,
        r"bajo el agua|(?:en|arriba de|sobre) los techos|subidos? (?:a|al) (?:los )?techos?\b"
        r"|agua (?:\w+ ){0,1}tapa\b|evacu(?:ar|ando|en|emos)\b",
    ),
    # structure
    ("structure", 0.9, r"derrumb\w*|desplom\w*|(?:se vino|se vinieron|viniendo|se viene|se vienen) abajo\b"),
    ("structure", 0.85, r"(?:se|esta|estan|por) " + _FALL + r" (?:\w+ ){0,2}" + _BUILDING + r"\b"),
    (
        "structure",
        0.85,
        _BUILDING + r" (?:\w+ ){0,8}(?:se cae|se caen|se cayo|se cayeron|(?:se )?esta cayendo"
        r"|cayendo|(?:se )?esta por caer"
        r"|por caer|se va a caer|se (?:esta )?hundiendo|se hunde|se hundio)\b",
    ),
    (
        "structure",
        0.85,
        r"(?:arbol|rama)\w* (?:\w+ ){0,3}(?:cay\w*|cae|caen|caer) (?:\w+ ){0,2}(?:sobre|encima|arriba) "
        r"(?:de )?(?:\w+ ){0,2}" + _VICTIM + r"\b",
    ),
    (
        "structure",
        0.85,
        r"(?:cay\w*|cae|caen) (?:\w+ ){0,1}(?:un |una |el |la )?(?:arbol|rama)\w* (?:\w+ ){0,2}"
        r"(?:sobre|encima|arriba) (?:de )?(?:\w+ ){0,2}" + _VICTIM + r"\b",
    ),
    (
        "structure",
        0.75,
        r"(?:arbol|rama)\w* (?:\w+ ){0,3}(?:se esta cayendo|esta por caer|se va a caer"
        r"|se esta por caer)",
    ),
    (
        "structure",
        0.85,
        _alt(
            "persona",
            "alguien",
            "gente",
            "hijo",
            "hija",
            "nene",
            "nena",
            "chico",
            "chica",
            "obrero",
            "obreros",
            "senor",
            "senora",
            "hombre",
            "mujer",
            "vecino",
            "vecina",
        )
        + r" (?:\w+ ){0,1}(?:abajo|debajo|aplastad\w*)\b|quedo abajo|quedaron abajo",
    ),
    ("structure", 0.8, r"atrapad\w*"),
    ("structure", 0.8, r"socavon\w*|se hundi\w* (?:\w+ ){0,2}(?:calle|auto|vereda|casa|piso|asfalto)\b"),
    ("structure", 0.6, r"cruj(?:e|en|iendo)\b|grieta\w* (?:\w+ ){0,3}(?:enorme|agranda|abre|abriendo)\b"),
    ("structure", 0.5, r"se (?:esta )?inclin(?:a|ando)\b"),
    (
        "structure",
        0.75,
        r"(?:esta|estan) cediendo\b|se (?:esta |estan )?desprend(?:e|en|iendo)\b|se caen pedazos\b"
        r"|caen (?:pedazos|cascotes|mamposteria|revoque)\b|a punto de (?:caer\w*|derrumbar\w*)",
    ),
    (
        "structure",
        0.8,
        r"(?:techo|techos|chapa|chapas) (?:\w+ ){0,3}(?:volando|se vol\w*)|vol(?:ando|o"
        r"|aron) (?:\w+ ){0,2}(?:techo|chapa|chapas)\b",
    ),
    # medical
    ("medical", 0.9, r"no (?:puede |puedo |podemos )?respir\w*|respir\w* mal\b|dificultad para respirar"),
    ("medical", 0.9, r"(?:le|me|nos) falta el aire|falta de aire"),
    ("medical", 0.85, r"ahog(?:a|an|ando|o|ado|ada|ue)\b|afog(?:a|ando|ou|ado|ada)\b|drowning\b"),
    ("medical", 0.85, r"(?:le|me|nos|les) cuesta (?:mucho )?respirar\b|se (?:esta )?ahogando\b"),
    ("medical", 0.7, r"se encuentra (?:tendid[oa]|tirad[oa]|desvanecid[oa]|inconsciente)\b"),
    ("medical", 0.9, r"desmay\w*|desvaneci\w*|inconscien\w*|inconcien\w*|perdio el conocimiento"),
    ("medical", 0.85, r"no (?:reacciona|se mueve|se despierta|despierta|abre los ojos|vuelve en si)\b"),
    # clinical words of a present emergency, as a nurse, a doctor or a relative who is one writes them
    (
        "medical",
        0.85,
        r"disnea\b(?! cronic)|dolor (?:toracico|precordial)\b|satur\w* (?:al |en )?[5-8]\d\b|cianosis\b|cianotic\w*"
        r"|diaforetic\w*|obnubilad\w*|metrorragia\b|hemorragia (?:abundante|masiva|activa)\b|hipoglucemia severa\b"
        r"|perdida de (?:conocimiento|conciencia)\b|respiracion agonica\b|paro cardio\w*|hemipar\w*",
    ),
    ("medical", 0.6, r"no responde\b"),
    (
        "medical",
        0.85,
        r"(?:cara|boca|rostro|labio|labios) (?:\w+ ){0,2}(?:torcid\w*|caid\w*|chuec\w*|de costado|para un costado"
        r"|para un lado|dormid\w*|paralizad\w*)\b",
    ),
    (
        "medical",
        0.6,
        r"no (?:puede|logra|le sale|consigue|podia) (?:hablar|articular|mover (?:el|la|un|medio) \w+)\b"
        r"|habla (?:raro|mezclado|trabad\w*|cualquier cosa|cualquiera|arrastrado)\b"
        r"|(?:se le|le) (?:duerme|durmio|cae|cayo) (?:el brazo|la pierna|medio cuerpo|la mano|un lado)\b",
    ),
    # bleeding in pregnancy
    (
        "medical",
        0.9,
        r"(?:embarazad\w*|de \d+ (?:meses|semanas)|gravida|gestante) (?:\w+ ){0,6}(?:sangr\w*|baja sangre"
        r"|pierde sangre|perdiendo sangre|mancha\w*|hemorragia|sangue|bleeding)\b"
        r"|(?:sangr\w*|baja sangre|pierde sangre|perdiendo sangre|hemorragia) (?:\w+ ){0,6}(?:embarazad\w*"
        r"|de \d+ (?:meses|semanas))\b",
    ),
    (
        "medical",
        0.8,
        r"(?:en el suelo|en el piso) (?:\w+ ){0,4}(?:sin (?:responder|reaccionar|moverse)|inconsciente)\b",
    ),
    ("medical", 0.9, r"convuls\w*|infarto\w*|ataque (?:al corazon|cardiaco|de epilepsia|epileptico|de asma)"),
    ("medical", 0.9, r"paro cardi\w*|acv\b|derrame cerebral|dolor (?:\w+ ){0,2}(?:de|en el) pecho|labios morados"),
    ("medical", 0.9, r"sangr(?:a|an|ando|o)\b|desangr\w*|ensangrentad\w*|hemorragia\w*"),
    ("medical", 0.85, r"herid(?:o|a|os|as)\b|accidentad\w*"),
    (
        "medical",
        0.9,
        r"(?:necesito|necesitamos|manden|mande|mandar|mandame|manda|llamen|llamar|pidan|envien|traigan"
        r"|pedir)\w* (?:\w+ ){0,2}ambulancia|ambulancia (?:ya|urgente|rapido|por favor)\b"
        r"|no (?:llega|viene|vino) (?:\w+ ){0,1}ambulancia",
    ),
    ("medical", 0.8, r"(?:necesito|necesitamos|manden|llamen) (?:\w+ ){0,1}(?:medico|doctor|enfermer\w*)\b"),
    ("medical", 0.85, r"se descompu\w*|descomponiendo\b|descompensad\w*|se siente descompuest\w*"),
    (
        "medical",
        0.9,
        r"(?:tomo|tomaron|trago|ingirio|comio) (?:\w+ ){0,3}(?:lavandina|veneno|pastillas|remedios"
        r"|raticida"
        r"|querosen\w*|soda caustica|moneda|pila|detergente|acido)\b",
    ),
    ("medical", 0.85, r"dando a luz|dar a luz|rompio (?:la )?bolsa|por parir|trabajo de parto|contracciones"),
    ("medical", 0.85, r"se quem\w* con (?:agua|aceite|fuego|alcohol|nafta)|hirviendo\b"),
    ("medical", 0.85, r"no sabe nadar|cayo (?:a|al) (?:la pileta|pileta|agua|rio|arroyo|canal|pozo)\b"),
    (
        "medical",
        0.7,
        r"(?:esta|estan|quedo|quedaron) tirad[oa]s? en (?:el piso|la calle|la vereda|el suelo|su \w+|el \w+|la \w+)"
        r"|(?:persona|senor|senora|hombre|mujer|chico|pibe) (?:\w+ ){0,1}tirad[oa]\b|(?:esta|estan) en el piso",
    ),
    (
        "medical",
        0.8,
        r"(?:le|me|nos) pic(?:o|aron) (?:\w+ ){0,2}(?:alacran|escorpion|arana|vibora|yarara)\w*"
        r"|alacran\w*|escorpion\w*",
    ),
    ("medical", 0.6, r"se (?:esta )?hinch(?:a|ando|o)\b"),
    ("medical", 0.7, r"(?:se cayo|se cayeron|cayo|cayeron) (?:\w+ ){0,1}(?:un|una|el|la) " + PERSON + r"\b"),
    ("medical", 0.75, r"golpe\w* (?:\w+ ){0,1}(?:la )?cabeza\b"),
    ("medical", 0.8, r"(?:hombre|mujer|persona|chico|chica|senor|senora|pibe) (?:\w+ ){0,1}muert[oa]\b|cadaver\b"),
    # violence
    (
        "violence",
        0.9,
        _CLITIC + r" (?:\w+ ){0,2}(?:pega|pegan|pegando|pegar|pego|golpea|golpean|golpeando|golpear"
        r"|lastimando|maltratando|apunalar|acuchillar|apuntando)\b",
    ),
    ("violence", 0.9, r"golpeando a\b|golpeandol\w*|pegandole\b"),
    ("violence", 0.85, r"(?:golpes|gritos) (?:y|de) (?:\w+ ){0,1}(?:golpes|gritos|auxilio|socorro|ayuda)\b"),
    ("violence", 0.7, r"(?:mujer|nena|nene|chico|chica|alguien|senora|vecina|bebe) (?:\w+ ){0,1}(?:grita|gritando)\b"),
    ("violence", 0.8, r"hay (?:mucha )?violencia\b|violencia (?:en|adentro)\b"),
    (
        "violence",
        0.9,
        _CLITIC + r" (?:\w+ ){0,2}(?:quiere|quieren|va a|van a|vienen a|viene a) "
        r"(?:matar|violar|secuestrar|apunalar|acuchillar|disparar)\b|matar(?:me|nos|la|lo|te)\b",
    ),
    ("violence", 0.9, r"armas?\b|armad[oa]s?\b|cuchillo\w*|navaja\w*|pistola\w*|revolver\w*|escopeta\w*|machete\w*"),
    ("violence", 0.9, r"(?:tiros|tiroteo|disparos?|balazos?|balacera|baleado|balearon)\b|amenaza de bomba"),
    (
        "violence",
        0.85,
        r"(?:esta|estan|estamos) (?:robando|asaltando|afanando)\b|nos (?:estan )?(?:robando"
        r"|asaltando)\b",
    ),
    ("violence", 0.85, r"hay (?:un|una) (?:robo|asalto)\b|robo en (?:curso|progreso)\b|asalt(?:ando|aron|o)\b"),
    (
        "violence",
        0.85,
        r"(?:me )?(?:acaban|acabaron) de (?:robar|asaltar|afanar|entrar)\b|entr(?:aron|ando"
        r"|an) (?:\w+ ){0,2}"
        r"(?:robar|ladrones|chorros)\b|ladrones (?:\w+ ){0,2}(?:adentro|entrando)\b",
    ),
    (
        "violence",
        0.8,
        r"se (?:metio|metieron|esta metiendo|estan metiendo) (?:\w+ ){0,4}(?:casa|edificio|departamento|patio"
        r"|escuela)\b",
    ),
    (
        "violence",
        0.85,
        r"(?:quiere|quieren|intenta\w*|tratando de) (?:\w+ ){0,1}entrar\b|a la fuerza\b|forzando\b"
        r"|(?:rompiendo|pateando) la puerta"
        r"|(?:rompiendo|rompen|cortando|barreteando|violentando) (?:\w+ ){0,1}(?:el|la|los|las) (?:candado|cerradura"
        r"|reja|porton|ventana|ventanas)\b",
    ),
    (
        "violence",
        0.8,
        r"(?:me|nos) (?:esta|estan|vienen|viene) siguiendo\b|me (?:sigue|siguen) (?:un|una|dos|tres"
        r"|unos|varios)\b",
    ),
    ("violence", 0.9, r"secuestr\w*|apunal\w*|acuchill\w*"),
    (
        "violence",
        0.85,
        r"(?:tratando de|intentando|intentan|quieren|quiere) (?:abrir|forzar|romper|voltear|tirar abajo) "
        r"(?:\w+ ){0,1}(?:la|mi|las|el) (?:puerta|ventana|ventanas|reja|porton)\b(?! (?:del auto|que se trabo))",
    ),
    # lunfardo: "fierro", "chumbo", "bufoso" are guns; "cagar a palos" is a beating
    (
        "violence",
        0.9,
        r"(?:apunt\w*|tiene|tienen|saco|sacaron|muestra|mostro|con) (?:\w+ ){0,2}(?:fierro|chumbo|bufoso|cuete)s?\b"
        r"|chumbo\b|bufoso\b",
    ),
    (
        "violence",
        0.85,
        r"(?:cagando|cagar|cago|cagaron|matando) a (?:palos|trompadas|pinas|golpes|patadas)\b"
        r"|(?:dando|dan|dio|dieron|pegando) (?:una )?(?:paliza|golpiza|biaba)\b|(?:agarrando|agarraron) a pinas\b",
    ),
    (
        "violence",
        0.75,
        r"(?:hay )?(?:alguien|un hombre|un tipo|un desconocido|una persona|gente) (?:\w+ ){0,2}(?:adentro de"
        r"|dentro de|en) "
        r"(?:mi|la|nuestra) (?:casa|pieza|patio|departamento)\b(?! (?:que|para) (?:arregl|limpi|trabaj))"
        r"|(?:tiene|tienen) (?:a )?(?:la|el|una|un|mi|mis|los|las) \w+ (?:agarrad\w*|de rehen\w*|atad\w*)\b"
        r"|de rehen\w*\b",
    ),
    ("violence", 0.6, r"(?:con|tiene|trae|lleva) (?:un|una) (?:fierro|palo|bate|machete|hacha|cadena|faca)\b"),
    (
        "violence",
        0.7,
        r"(?:hombre|tipo|flaco|chabon|alguien|borracho|desconocido|ex) (?:\w+ ){0,3}(?:afuera|en la puerta"
        r"|en la ventana"
        r"|en la reja) (?:\w+ ){0,6}(?:no se (?:quiere )?(?:va|ir)|me grita|grita|golpea|patea|amenaza"
        r"|quiere entrar)\b",
    ),
    ("violence", 0.8, r"(?:me|nos|la|lo) (?:anda|andan|esta|estan|viene|vienen|sigue|siguen) buscando\b"),
    ("violence", 0.45, r"no puedo hablar\b|(?:esta|lo tengo|la tengo) (?:aca |aqui )?al lado (?:mio|de mi)\b"),
    (
        "violence",
        0.45,
        r"(?:se escuchan|se oyen|escucho|escuchamos|oigo) (?:\w+ ){0,1}(?:gritos|golpes)\b|pide auxilio\b",
    ),
    ("violence", 0.75, r"amenaz\w*"),
    ("violence", 0.8, r"acos(?:ando|a|an)\b|abusando\b|manose\w*|violacion\b|violando\b"),
    ("violence", 0.75, r"tiran\w* piedras|tirando piedras|piedrazos"),
    ("violence", 0.7, r"(?:hay|se armo) una pelea|se (?:estan )?pele(?:an|ando)\b|peleando\b|patota\b"),
    ("violence", 0.6, r"estoy (?:escondid|encerrad)[oa]\b|me escondi\b"),
    # missing person
    ("missing", 0.9, r"se (?:me |nos |le |les )?(?:perdio|perdieron|escapo|fue) (?:\w+ ){0,2}" + PERSON + r"\b"),
    (
        "missing",
        0.9,
        PERSON + r" (?:\w+ ){0,8}(?:se (?:me |nos |le )?perdio|se perdieron|perdid[oa]s?|no aparece\w*"
        r"|se (?:me |nos |le )?escapo|se fue (?:solo |sola )?(?:para|a|hacia) (?:la|el) (?:avenida|ruta|calle|monte"
        r"|rio|cerro)"
        r"|desapareci\w*|no volvio|no vuelve|no (?:lo|la) (?:encuentro|encontramos))\b",
    ),
    (
        "missing",
        0.9,
        r"(?:no encuentro|no encontramos|no podemos encontrar|no puedo encontrar|estoy buscando"
        r"|estamos buscando|busco|buscamos) (?:\w+ ){0,1}(?:a )?(?:mi |mis |la |el |al |nuestro |nuestra )?"
        + PERSON
        + r"\b",
    ),
    (
        "missing",
        0.9,
        r"(?:alzheimer|demencia|autis\w*) (?:\w+ ){0,8}(?:no volvio|no vuelve|no aparece|no (?:lo|la) "
        r"encuentro|se perdio|se fue|se escapo)\b",
    ),
    (
        "missing",
        0.9,
        r"(?:desapareci\w*|no aparece\w*) (?:\w+ ){0,1}" + PERSON + r"\b|(?:no sabemos"
        r"|nadie sabe) donde esta\b",
    ),
    # animal
    ("animal", 0.9, _ANIMAL + r"\w* " + _gap(10) + _BITE + r"\b"),
    ("animal", 0.9, _BITE + r" (?:\w+ ){0,3}(?:un |una |el |la |los |unos )?" + _ANIMAL + r"\b"),
    ("animal", 0.85, r"(?:abejas|avispas|enjambre) (?:\w+ ){0,3}(?:ataca\w*|picando|picaron|pico)\b"),
    ("animal", 0.85, r"vibora\w*|yarara\w*|serpiente\w*|culebra\w*"),
    (
        "animal",
        0.8,
        r"(?:vaca|vacas|caballo|caballos|toro|toros|animales|ganado|burro|burros|chancho|chanchos|oveja"
        r"|ovejas) (?:\w+ ){0,1}suelt\w* (?:\w+ ){0,3}(?:ruta|autopista|avenida|banquina|camino|puente)\b"
        r"|suelt\w* en (?:la|el) (?:ruta|autopista|avenida)\b",
    ),
    (
        "animal",
        0.45,
        r"(?:vaca|vacas|caballo|caballos|toro|toros|animales|ganado|burro|burros|chancho|chanchos|oveja"
        r"|ovejas) (?:\w+ ){0,1}suelt\w*",
    ),
    ("animal", 0.85, r"rabios\w*"),
    (
        "animal",
        0.6,
        r"(?:mordio|mordieron|ataco|atacaron) a (?:uno|una|dos|tres|un chico|una chica|un nene|una nena|alguien)\b",
    ),
    (
        "violence",
        0.85,
        r"tentando (?:entrar|invadir)\b|trying to (?:get|break) in\w*|break\w* (?:in|into)\b|arrombando\b",
    ),
    # traffic
    (
        "traffic",
        0.85,
        r"semaforo\w* (?:\w+ ){0,6}(?:cayo|caido|caida|colgando|en el piso|tirado"
        r"|en el medio de la calle)\b"
        r"|(?:cayo|caido|cayeron) (?:\w+ ){0,1}semaforo\w*",
    ),
    ("traffic", 0.8, r"choque\b|chocaron\b|choco\b|chocando\b|acaban de chocar\b|colision\w*"),
    ("traffic", 0.75, r"accidente\b"),
    ("traffic", 0.85, r"atropell\w*"),
    ("traffic", 0.8, r"volc(?:o|ado|ada|aron|ando)\b"),
    (
        "traffic",
        0.75,
        r"(?:moto|auto|camion|colectivo|bici|bicicleta) (?:\w+ ){0,1}tirad[oa]\b"
        r"|conductor (?:\w+ ){0,2}(?:en el piso|tirado|atrapado|inconsciente)",
    ),
    ("traffic", 0.6, r"contramano\b|(?:a|con) toda velocidad\b"),
    ("traffic", 0.75, r"perdio (?:la|su) carga\b|derram\w* (?:\w+ ){0,1}combustible\b|combustible derramado\b"),
    # public health
    ("health", 0.85, r"intoxica\w*|intoxico\w*"),
    ("health", 0.75, r"vomit\w*"),
    ("health", 0.55, r"diarrea\w*|internad[oa]s\b|se (?:esta |estan )?enferm\w*|contaminad[oa]\b"),
    (
        "health",
        0.85,
        r"(?:derrame|fuga|nube|escape|perdida|derramo|volco) (?:\w+ ){0,3}(?:quimic\w*|cloro|amoniaco"
        r"|acido|toxic\w*|veneno|agroquimic\w*|pesticida\w*)",
    ),
    ("health", 0.55, r"olor (?:\w+ ){0,2}(?:quimic\w*|cloro|amoniaco|solvente|veneno)\b"),
    (
        "health",
        0.7,
        r"(?:arden|ardor|pican|irritad\w*) (?:\w+ ){0,1}(?:los ojos|la garganta)\b|(?:me|le|nos"
        r"|les) arden\b",
    ),
    ("health", 0.6, r"marea(?:do|da|dos|das)\b"),
    # self-harm: the writer, or someone they write about, may hurt themself
    ("self_harm", 0.9, r"suicid\w*|quitar(?:me|se|te) la vida|termin\w* con (?:mi|su|tu) vida\b"),
    (
        "self_harm",
        0.9,
        r"(?:me|se|te) (?:quiero|quiere|queres|quieren|voy a|va a|vas a|van a|estoy por|esta por) "
        r"(?:matar|suicidar|colgar|ahorcar|cortar las venas|cortar"
        r"|tirar (?:del|de la|de un|por la|a las|al|abajo|bajo))\b",
    ),
    ("self_harm", 0.9, r"(?:quiero|quiere|voy a|va a) (?:matarme|matarse|suicidarme|suicidarse|ahorcarme|colgarme)\b"),
    (
        "self_harm",
        0.85,
        r"no (?:quiero|quiere|queremos) (?:vivir|seguir viviendo|seguir|estar mas|existir|despertar)\b"
        r"|(?:me quiero|se quiere|quiero) morir\b|ganas de (?:morir\w*|no (?:vivir|existir|despertar))"
        r"|hoy termino con todo|terminar con todo|(?:me|se) (?:esta|estoy|estan) cortando\b",
    ),
    (
        "self_harm",
        0.85,
        r"(?:tome|tomo|trague|me tome|se tomo) (?:\w+ ){0,2}(?:todas las|un monton de|muchas) pastillas"
        r"|carta de despedida|(?:me|se) (?:estoy |esta )?despid\w* (?:de todos|para siempre)|despidiendose de todos"
        r"|(?:saltar|tirarme) (?:de|del|por) "
        r"(?:la|el) (?:terraza|puente|balcon|ventana|edificio)",
    ),
    # quiet ways: a farewell, a plan or a date, a dose asked for oneself
    (
        "self_harm",
        0.85,
        r"(?:me mato|se mata) (?:hoy|esta noche|ya|manana|ahora)\b"
        r"|(?:hoy|esta noche|manana) (?:me mato|se mata)\b"
        r"|(?:pienso|pensando|pienso mucho) en (?:matarme|suicidarme|morirme|quitarme la vida)\b"
        r"|(?:ir|irme|irse) de este mundo\b|(?:no le |no )?veo (?:ninguna )?salida\b"
        r"|(?:mejor|lo mejor) (?:es )?que me muera\b"
        r"|(?:estarian|estan|van a estar) mejor sin mi\b|nadie me (?:necesita|va a extranar)\b"
        r"|ya no (?:voy|va) a (?:molestar|estar|ser una carga)\b|(?:soy|ser) una carga\b"
        r"|(?:ya )?tome la decision\b|ya (?:tengo|tiene) todo (?:listo|preparado)\b"
        r"|(?:tengo|tiene) (?:la soga|el arma|las pastillas|el veneno) (?:preparad\w*|list\w*|junt\w*|aca)\b"
        r"|(?:cuant[oa]s?|que cantidad de) (?:\w+ ){1,6}(?:para (?:morir\w*|matar\w*|no despertar\w*)|me muero)\b"
        r"|(?:me |se )?(?:tome|tomo|trague|tomamos) (?:\w+ ){0,3}"
        r"(?:veneno|una caja|el blister|la caja|todo el frasco)\b"
        r"|(?:me|se) (?:corte|corto|cortaron|lastimo|lastime) (?:\w+ ){0,2}"
        r"(?:los brazos|las venas|las munecas|a proposito)\b"
        r"|no quiero despertar\w*\b",
    ),
    (
        "self_harm",
        0.45,
        r"deje todo (?:ordenado|arreglado|listo|preparado)\b|perdon(?:en)? por todo\b(?! (?:el|lo|este|esto))"
        r"|cuiden (?:a|de|bien a) (?:mi|mis)\b|(?:los|las) quiero (?:mucho )?a todos\b|gracias por todo\b"
        r"|ya no (?:voy a|va a) estar\b|(?:esta|es) (?:la |mi )?ultima (?:noche|vez)\b"
        # quiet and religious farewells: "adiós a todos", "me voy con mi mamá al cielo", "no me esperen más"
        r"|adios a todos\b|me voy (?:\w+ ){0,3}al cielo\b|no me esperen\b|ultima vez que (?:escribo|hablo)\b"
        r"|(?:ya )?no (?:los|las|lo|la) voy a necesitar\b|(?:que )?dios me perdone por lo que\b"
        r"|(?:ya )?esta todo decidido\b|me tomo (?:todo )?lo que (?:junte|junto|guarde|guardo)\b",
    ),
    # a missing person is serious after hours, at night, with an illness or with signs of danger
    (
        "missing",
        0.75,
        r"(?:hace|desde hace) (?:\d+|dos|tres|cuatro|cinco|seis|varias|muchas) horas (?:que )?"
        r"(?:no (?:vuelve|volvio|aparece|contesta|atiende|sabemos)|(?:\w+ ){0,3}no (?:vuelve|volvio|aparece))\b"
        r"|salio hace (?:\d+|dos|tres|cuatro|cinco|seis|varias|muchas) horas\b"
        r"|no (?:volvio|vuelve|aparece) (?:\w+ ){0,3}(?:y )?"
        r"(?:no contesta|el celular (?:esta )?apagado|tiene (?:alzheimer|demencia))\b",
    ),
    # gender violence: a partner or ex hurting or threatening a woman (or the writer)
    (
        "gender_violence",
        0.9,
        r"(?:mi |su |el )(?:marido|esposo|pareja|novio|ex|concubino|ex pareja|ex marido|ex novio)\b (?:\w+ ){0,3}"
        r"(?:me |la |le |nos )?(?:pega|pego|golpea|golpeo|esta pegando|esta golpeando|amenaza|amenazo|encerro"
        r"|tiene encerrada|quiere matar|va a matar|quiere pegar|ahorca|estrangul\w*|viol\w*)\b",
    ),
    ("gender_violence", 0.85, r"perimetral\b|restriccion de acercamiento|prohibicion de acercamiento|boton antipanico"),
    # child at risk: a child abused, abandoned or in danger from adults
    (
        "child",
        0.85,
        r"(?:nene|nena|bebe|chico|chica|nino|nina|hijo|hija|criatura|menor)s? (?:\w+ ){0,3}"
        r"(?:solo|sola|solos|solas|encerrad[oa]s?) (?:\w+ ){0,4}(?:auto|coche|casa|balcon|dias|horas|noche)\b",
    ),
    (
        "child",
        0.85,
        r"(?:abusa|abuso|toca|manosea) (?:\w+ ){0,2}(?:a )?(?:la |el |mi )?(?:nena|nene|sobrina|sobrino|hija|hijo"
        r"|nieta|nieto|menor)\b"
        r"|(?:padrastro|madrastra) (?:\w+ ){0,3}(?:la |lo |le )?(?:toca|abusa|pega|golpea|quema)\b",
    ),
    # English and Portuguese (tourists, Brazilian neighbours, portunol): the strongest plain phrases only
    (
        "fire",
        0.9,
        r"(?:on fire|a fire|the fire|fire in|fire at|pegando fogo|fogo\b|incendio\b|fumaca\b"
        r"|smoke (?:\w+ ){0,2}(?:coming|everywhere|from))",
    ),
    (
        "gas",
        0.9,
        r"gas leak\w*|smell\w* (?:\w+ ){0,1}gas\b|cheiro (?:\w+ ){0,1}gas\b|vazamento (?:\w+ ){0,1}gas\b|vazando gas\b",
    ),
    (
        "medical",
        0.9,
        r"(?:not|isn t|is not|can t|cannot|nao (?:esta |consegue |consigo )?)(?:breath\w*|respira\w*)\b|unconscious\b"
        r"|passed out\b|(?:not|isn t|is not|won t|will not) (?:moving|wake|waking|respond\w*)\b|unresponsive\b|(?:is"
        r"|she s|he s|i m|i am) bleeding\b|bleeding (?:a lot|badly|heavily)\b|heart attack\b"
        r"|having a stroke\b|(?:is|are|got|badly|been) (?:hurt|injured)\b|overdos\w*|desmaiou\b|desmaiad[oa]\b"
        r"|nao (?:acorda|reage|se mexe)\b|sangrando muito\b",
    ),
    (
        "violence",
        0.9,
        r"(?:has|with) a (?:gun|knife)\b|(?:is|are) (?:hitting|beating|attacking) (?:me|her|him|us)\b|stabbed\b"
        r"|shooting\b|(?:esta|estao) (?:me |a )?(?:batendo|agredindo)\b|com (?:uma )?faca\b|me bateu\b",
    ),
    (
        "self_harm",
        0.9,
        r"kill (?:myself|himself|herself)\b|end (?:my|his|her) life\b|want to die\b|suicid\w*|me matar\b"
        r"|took (?:all|too many|a lot of) (?:my |his |her |the )?pills\b|don t want to (?:live|be here)\b"
        r"|quero morrer\b|tirar (?:a )?minha (?:propria )?vida\b",
    ),
    (
        "flood",
        0.85,
        r"water (?:is )?(?:coming|getting) (?:in|into)\b|(?:house|home) (?:is )?flood\w*|alagando\b|alagad[oa] (?:a"
        r"|minha)"
        r"|enchente (?:\w+ ){0,2}(?:casa|entrando)|agua (?:esta )?entrando\b",
    ),
    (
        "animal",
        0.85,
        r"dog\w* (?:\w+ ){0,2}(?:attack\w*|biting|bit)\b|cachorro\w* (?:\w+ ){0,2}(?:mordendo|mordeu|atacando)\b",
    ),
    (
        "missing",
        0.8,
        r"(?:can t|cannot) find (?:my|our) (?:son|daughter|kid|child|mother|father|dad|mom)\b|(?:is|went) missing\b",
    ),
    ("explicit", 0.65, r"(?:please )?help (?:me|us|please)\b|help\b(?= \||$)|emergency\b|socorro\b|me ajud\w*"),
    (
        "child",
        0.8,
        r"(?:nene|nena|beba|bebe|bebito|bebita|chiquito|chiquita|nino|nina|criatura|menor)s? (?:\w+ ){0,5}"
        r"sol(?:o|a|os|as|ito|ita) (?:\w+ ){0,6}(?:llorando|en la calle|en la ruta|en la vereda|en el cochecito"
        r"|en un cochecito|hace \w+ horas?|hace una hora|nadie|de noche|al sol)\b"
        r"|nadie (?:viene|vino|vuelve) a buscar(?:la|lo|los)\b",
    ),
    (
        "child",
        0.8,
        r"(?:sacando|saca|sacaba) fotos (?:\w+ ){0,3}(?:nenes|nenas|chicos|chicas|ninos|ninas)\b"
        r"|se (?:llevo|lleva|esta llevando) (?:a )?(?:un|una|uno|una de los|uno de los) (?:\w+ ){0,2}(?:nene|nena"
        r"|chico|chica|nino|nina|de la mano)\b",
    ),
    # explicit: the writer says it is urgent now
    ("explicit", 0.65, r"urgent\w*|urgencia\b"),
    ("explicit", 0.65, r"(?<!de )emergencia\b|situacion de emergencia\b"),
    ("explicit", 0.65, r"(?<!la )(?<!una )(?<!pedir )(?<!de )ayuda\b(?! (?:con|para|a|de|en|economica|social)\b)"),
    (
        "explicit",
        0.65,
        r"ayud(?:enme|ennos|ame|anos|en)\b|auxilio\b|auxilo\b|socorro\b|(?<!vos )sos(?= \||$"
        r"| por favor| ayuda)",
    ),
    (
        "explicit",
        0.7,
        r"(?:vengan|venga|manden|mande|envien|necesito|necesitamos) (?:\w+ ){0,2}(?:ya|rapido|urgente"
        r"|urgentemente|ahora|inmediatamente|pronto)\b",
    ),
    (
        "explicit",
        0.65,
        r"(?:llamen|llamar|manden|mande) (?:a )?(?:la )?(?:cana|yuta|gorra|poli|carabineros)\b"
        r"|vengan(?= \||$)|vengan por favor\b|venga alguien\b|alguien venga\b|manden (?:a )?(?:alguien"
        r"|ayuda|gente|la policia|policia|un patrullero|patrullero|bomberos)\b",
    ),
    (
        "explicit",
        0.65,
        r"(?:estamos|estoy|esta|estan|corro|corre|corremos|corren) (?:en )?peligro\b"
        r"|peligro de (?:vida|muerte)\b",
    ),
    (
        "explicit",
        0.7,
        r"(?:ayuda|asistencia|auxilio|atencion) inmediata\b"
        r"|necesito (?:ayuda|asistencia)\b(?! (?:con|para|a|de|en)\b)",
    ),
)

NOT_SELF_HARM: Final = frozenset(c for c in get_args(Category) if c != "self_harm")

# Spans that make an overlapping trigger figurative or a mere topic: (pattern, categories it applies to or None).
BLOCKERS: Final[tuple[tuple[str, frozenset[str] | None], ...]] = (
    (
        r"(?:es|fue|son|era|sos|parece) (?:un|una) (?:\w+ ){0,1}(?:incendio|bomba|infierno|robo|asalto|desastre"
        r"|peligro|horno|quilombo|locura|caos)\b",
        None,
    ),
    (
        r"(?:esta|estan|estas|estaba) que (?:arde|explota|echa \w+|quema|hierve|vuela)\b"
        r"|que (?:echa|tira|larga)n? (?:chispas|fuego|humo)\b",
        None,
    ),
    (
        r"(?:me|te|nos|les|le) (?:\w+ ){0,1}(?:muero|morir|mata|matan|mato|mataron|matando|muere|mueren)\b",
        NOT_SELF_HARM,
    ),
    (r"muert[oa]s? de \w+|ataque de (?:risa|nervios|tos|panico|celos|hambre)\b", None),
    (r"ahog\w* (?:en|de|con) (?:\w+ ){0,1}(?:papeles|deudas|trabajo|tramites|impuestos|gastos|cuentas|calor)\b", None),
    (r"papa caliente|incendi\w* (?:de|para el|en el) (?:precios|bolsillo|tarifas|impuestos)\b", None),
    (r"(?:se me|me) (?:\w+ ){0,1}(?:prende|quema|explota|parte|incendia) (?:\w+ ){0,1}(?:la )?cabeza\b", None),
    (r"explota la cabeza|parte la cabeza|me va a dar (?:un|una) \w+", None),
    (r"prendi\w* fuego (?:el|la) (?:debate|discusion|reunion|grupo|tema|chat|sesion|asamblea)\b", None),
    (r"fuegos? artificiales|armas? de fuego|a fuego lento|alto el fuego", frozenset({"fire"})),
    (r"primeros auxilios", None),
    # slang: "es fuego" is great, "una bomba" is gorgeous
    (r"(?:es|son|sos|fue|era|esta|estuvo|estan) (?:re |muy |puro |un |una )?(?:fuego|candela|bomba)\b", None),
    (r"just in case\b|which number\b|what number\b|(?:numero|telefono) (?:\w+ ){0,3}(?:para|por) si acaso\b", None),
    (r"emergency (?:number|phone|line)\w*|just asking\b|numeros? de (?:emergencia|urgencia)\w*", None),
    # a near miss: "casi me atropella un auto" asks for prevention, nobody is hurt
    (
        r"casi (?:me |nos |lo |la |le |se )?(?:\w+ ){0,1}(?:atropell\w*|choc\w*|pis\w*|mat\w*|cae|cayo|caemos|muer\w*)",
        None,
    ),
    (
        r"(?:de|del|contra|sobre|ante|para) (?:las |los |un |una |la )?(?:incendios?|inundaci\w*|accidentes|emergencias"
        r"|violencia)\b",
        None,
    ),
    (
        r"(?:cables?|postes?) (?:de |del |de la )?(?:internet|tele|television|telefono|telefonico|fibra|cablevision|tv"
        r"|wifi)\b",
        frozenset({"electric"}),
    ),
    (
        r"(?:fila|transito|auto|colectivo|tramite|expediente|reclamo|tema|nadie) no (?:se mueve|responde)\b"
        r"|no responde\w* (?:\w+ ){0,2}(?:reclamo\w*|mensaje\w*|mail\w*|telefono|llamad\w*)",
        frozenset({"medical"}),
    ),
    (
        r"se (?:me |nos |le )?descompu\w* (?:el|la|mi) (?:auto|colectivo|camion|heladera|semaforo|maquina|moto"
        r"|computadora|sistema|ascensor|lavarropas|celular|bomba)\b",
        frozenset({"medical"}),
    ),
    (r"(?:charla|curso|taller|informacion) (?:\w+ ){0,2}(?:viboras|serpientes|alacranes)\b", None),
    # a pet's illness is the vet's: "mi perro vomita desde ayer" is not a person's symptom
    (
        r"(?:mi|mis|nuestro|nuestra) (?:perr[oa]s?|perrit[oa]s?|gat[oa]s?|gatit[oa]s?|caballo|yegua|loro|mascota"
        r"|conejo|cachorr[oa]s?) (?:\w+ |\| ){0,8}(?:vomit\w*|diarrea|fiebre|tose|tos|convuls\w*|enferm\w*|no come"
        r"|respira\w*|sangr\w*)\b",
        frozenset({"health", "medical"}),
    ),
    # an animal run over or dead in the street is a routine pick-up, not a person hurt
    (
        r"(?:perr[oa]|perrit[oa]|gat[oa]|gatit[oa]|caballo|vaca|animal)s? (?:\w+ ){0,1}"
        r"(?:muert[oa]s?|atropellad[oa]s?)\b",
        frozenset({"traffic", "animal"}),
    ),
)

# Single tokens that negate a trigger starting shortly after them (window 3), or right after them (window 1).
NEGATIONS_FAR: Final = frozenset(
    {
        "no",
        "nadie",
        "ningun",
        "ninguna",
        "ninguno",
        "nunca",
        "jamas",
        "tampoco",
        "not",
        "nao",
        "never",
        "nobody",
        "ninguem",
    }
)
NEGATIONS_NEAR: Final = frozenset({"sin", "ni", "nada", "solo"})
# "no" followed by these is not about the trigger ("no sé qué hacer, no puedo salir").
NEGATION_EXCEPTIONS: Final = r"no (?:se (?:que|como|donde|si|cuando|quien)|puedo|podemos|sabemos|aguanto|doy)\b"

PAST: Final = (
    r"(?<!desde )(?:ayer|anoche|anteayer|antes de ayer)\b"
    r"|(?:semana|mes|ano|invierno|verano|otono|primavera|lunes|martes|miercoles|jueves|viernes|sabado|domingo|finde"
    r"|fin de semana|vez|noche|tarde) pasad[oa]\b"
    r"|la otra (?:noche|vez|semana|tarde)\b|el otro dia\b"
    r"|(?<!desde )hace (?:(?:un|una|dos|tres|cuatro|cinco|seis|unos|unas|varios|varias|muchos|muchas|\d+) )?"
    r"(?:dia|dias|semana|semanas|mes|meses|ano|anos|tiempo|mucho)\b(?! que)"
    r"|en (?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)\b"
    r"|(?:hubo|habia|habian|tuvo|tuvimos|tuve)\b|cuando fue\b"
    r"|(?:tormenta|temporal) del (?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)\b"
    r"|(?<!desde )(?<!hasta )el (?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)\b(?! que viene| proximo)"
    r"|yesterday\b|last (?:night|week|year)\b|ontem\b"
    r"|en (?:el )?(?:19|20)\d\d\b|de (?:chic[oa]|nin[oa]|pib[ea]|joven)\b|cuando (?:era|eramos)\b|desde entonces\b"
)
HABITUAL: Final = (
    r"cada vez que\b|siempre\b|a veces\b|seguido\b|cuando llueve\b"
    r"|todos los (?:dias|lunes|martes|miercoles|jueves|viernes|sabados|domingos|fines de semana|anos|veranos"
    r"|inviernos)\b"
    r"|todas las (?:noches|semanas|tardes|mananas)\b|cada (?:dia|noche|semana|mes|ano|invierno|verano)\b"
)
PRESENT: Final = (
    r"sigue\w*|siguen\b|seguimos\b|sigo\b|todavia\b(?! no\b)|aun\b(?! no\b)|otra vez\b|de nuevo\b|ahora\b"
    r"|en este momento\b|recien\b|volvio a\b|volvieron a\b|ya mismo\b"
    # a few minutes ago is now, whatever the tense ("tuvo una convulsión hace unos minutos y no vuelve en sí")
    r"|hace (?:un rato|un ratito|unos minutos|\d+ (?:minutos|min)|media hora|minutos)\b"
)
HYPOTHETICAL: Final = (
    r"(?<!en )si\b(?! (?:pueden|puede|podes|podrian|podria|es posible|no es molestia)\b)"
    r"|en caso de\b|por si\b|podria\w*"
    r"|puede haber\b|pueden haber\b|miedo (?:de )?que\b|preocupa que\b"
    r"|algun dia\b|cualquier dia\b|ojala\b|suponiendo\b|que hacer\b|como actuar\b|prevenir\b|evitar\b"
)
# Clause openers that make it a general question ("¿cómo actuar...?", "¿a quién llamo...?").
QUESTION_OPENERS: Final = (
    r"(?:como|donde|cual|cuales|cuanto|cuanta|a quien|a donde|a que|quien|hay que|se puede|que hago (?:si|en caso"
    r"|ante))\b"
)
RESOLVED: Final = (
    r"ya (?:(?:lo|la|los|las|se|nos|me|le) ){0,2}(?:apag\w*|arregl\w*|solucion\w*|control\w*|encontr\w*|aparecio"
    r"|aparecieron|volvio|paso(?! (?:un|una|media|dos|tres|varias|\d+|otra|mas de) )|bajo|se fue|retir\w*|levant\w*"
    r"|llevaron|sacaron"
    r"|atendieron|repar\w*|revis\w*"
    r"|termino|cortaron el gas)\b"
    r"|ya (?:vino|vinieron|llego|llegaron) (?:el|la|los|las) (?:gasista|bomberos|distribuidora|cooperativa|ambulancia"
    r"|policia|tecnico\w*|electricista|empresa|municipalidad|patrullero|guardia)\b"
    r"|(?:lo|la|los) (?:arreglaron|arreglo|apagaron|apagamos|apago|solucionaron|controlaron|encontramos|encontraron)\b"
    r"|(?:esta|quedo|fue|quedaron) (?:todo )?(?:controlado|apagado|solucionado|resuelto)\b|estamos bien\b"
    r"|no paso nada\b|ya (?:esta )?todo (?:en orden|bien|tranquilo|normal)\b|agradec\w*|gracias (?:por|a) (?:la|los"
    r"|las|el|su|sus)\b"
    r"|(?:lo|la|los) (?:desconectaron|desenchufaron)\b|ya (?:lo |la )?desconect\w*"
    r"|ya (?:lo |la |los |las )?(?:cerr\w*|ventil\w*|rescat\w*)|(?:esta|quedo) todo (?:en orden|bien|tranquilo"
    r"|normal)\b"
    r"|(?:fue|era) (?:solo|nada mas) (?:un|una) (?:raspon|susto|rasguno|golpecito)\b|salio todo bien\b"
    r"|le dieron el alta\b"
    r"|already (?:put out|fixed|gone|under control|here)\b|everything is (?:fine|ok|okay)\b|ja (?:apagaram|passou)\b"
)
NO_INJURY: Final = (
    r"(?:no hubo|no hay|ningun|sin|nadie|nadie \w+) herid\w*|danos materiales\b|raspon\b"
    r"|no (?:habia|hay|hubo) nadie\b|nadie se lastimo\b|estaba vaci[oa]\b|sin nadie adentro\b"
)
ADMIN: Final = (
    r"turno\w*|tramite\w*|certificado\w*|dni\b|partida\b|licencia\b|carnet\b|habilitacion\w*|formulario\w*"
    r"|constancia\b|factura\w*|boleta\w*|expediente\b|libreta\b|registro\b|inscripcion\b|impuesto\w*|tasa\b"
    r"|documento\b|pasaporte\b|e?mail\b|reclamo\w*|consulta\b|deuda\b|escritur\w*|permiso\w*|patente\b"
    r"|multa\w*|planos\b|papeles\b|cedula\b|titulo\b|solicitud\b|recibo\b|comprobante\b|cuota\b|subsidio\b"
)
LAUGHTER: Final = r"(?:ja){2,}\w*|(?:je){2,}\w*|jsj\w*|xd\b|(?:ha){2,}\b|(?:kk){2,}\w*|lol\b|lmao\b"
# Emoji that laugh (the tokens drop emoji, so they are looked for in the raw text).
LAUGHING_EMOJI: Final = "\U0001f602\U0001f923\U0001f606\U0001f639\U0001f605\U0001f61c\U0001f92a"
# The danger is elsewhere: news, a video, another town (a rule trigger then says what the message is about).
NEWS: Final = (
    r"(?:en|por|x) (?:la|el) (?:tele|television|radio|noticiero|diario|noticias)\b|noticiero\b|tiktok\b|youtube\b"
    r"|(?:vi|vimos|mire|pasaron) (?:\w+ ){0,2}(?:video|noticia|nota|reel)\w*\b|salio en\b|lei (?:en|que)\b"
    r"|en otr[oa] (?:pais|provincia|ciudad|pueblo|lado)\b|ndaje\b"
    r"|en (?:asuncion|bolivia|chile|peru|brasil|paraguay|venezuela|colombia|uruguay|europa|espana|la patagonia)\b"
    r"|(?:he|hemos) visto en\b|me entere (?:por|en)\b"
    r"|vieron lo (?:del|de la|de)\b|on the news\b|reenviad\w* (?:muchas|varias) veces\b"
    r"|(?:en|de) (?:la|una|esta|el|un) (?:serie|novela|telenovela|pelicula|peli|cuento|videojuego)\b"
    r"|(?:una|la|esta|es) cadena\b(?! (?:de|del) )|es (?:real|oficial) o\b"
    r"|(?:escribiendo|escribo|escribi|leyendo|leo|lei|mirando|viendo|vi|miro) (?:un|una|el|la) (?:cuento|novela|serie"
    r"|pelicula|peli|libro|guion|historia)\b|(?:a la|la) play\b|juego de (?:tiros|guerra|zombies|terror)\b"
    r"|obra de teatro\b|simulacro\w*|guion\b|protagonista\b|personaje\w*|(?:hace|hizo) de (?:herid|ahogad|muert)\w*"
)
# A cable or post said to be dead or harmless: its electric trigger does not count.
DEAD_CABLE: Final = (
    r"no (?:tiene|tienen|hay|da|dan|pasa|lleva) (?:\w+ ){0,1}(?:corriente|luz|tension|electricidad|cables?)\b"
    r"|sin (?:corriente|tension|electricidad)\b|desconectad\w*|(?:es|son) (?:de|del) (?:la )?(?:camara|internet|tele"
    r"|telefono|cable|fibra|alarma)\b"
)
# Said of now in so many words: a question or an "if" around it does not make it hypothetical.
STRONG_NOW: Final = (
    r"ahora mismo\b|en este (?:preciso |mismo )?(?:momento|instante)\b|ya mismo\b|right now\b|agora\b"
    r"|mientras (?:les )?(?:escribo|hablo)\b"
)

# Clause separators besides punctuation: adversative/concessive links, and "y ya"/"y ahora" that start a new state.
CLAUSE_LINKS: Final = (
    r"\b(?:pero|aunque|sino|igualmente|mientras que)\b|\by\b(?= +(?:ya|ahora|encima|todavia|aun|igual)\b)"
    # a new matter in a run-on voice note: "... y otra cosa", "ah y", "aparte", "por otro lado"
    r"|\b(?:ah y|ah otra cosa|y otra cosa|otra cosa|aparte|ademas|por otro lado|tambien les aviso)\b"
)

ABBREVIATIONS: Final[dict[str, str]] = {
    "x": "por",
    "xfa": "por favor",
    "xfavor": "por favor",
    "porfa": "por favor",
    "porfis": "por favor",
    "porfavor": "por favor",
    "plis": "por favor",
    "pls": "por favor",
    "q": "que",
    "k": "que",
    "ke": "que",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "tb": "tambien",
    "tmb": "tambien",
    "d": "de",
    "toy": "estoy",
    "tamos": "estamos",
    "sta": "esta",
    "xa": "para",
    "pa": "para",
    "urg": "urgente",
    "emerg": "emergencia",
    "ambu": "ambulancia",
    "vngan": "vengan",
    "vengn": "vengan",
    "ayudenmee": "ayudenme",
    # spellings of people who write as they speak
    "kiero": "quiero",
    "kiere": "quiere",
    "kieren": "quieren",
    "aki": "aqui",
    "ai": "hay",
    "ahy": "hay",
    "porke": "porque",
    "xke": "porque",
    "komo": "como",
    "kuando": "cuando",
    "tbn": "tambien",
    "dsp": "despues",
    "ta": "esta",
    "toi": "estoy",
    "stoy": "estoy",
    "tmbn": "tambien",
    "tamb": "tambien",
    "xfis": "por favor",
    "plz": "por favor",
    "pliss": "por favor",
    "nse": "no se",
    "ns": "no se",
    "nd": "nada",
    "tdo": "todo",
    "dps": "despues",
    "bno": "bueno",
    "msj": "mensaje",
    "hno": "hermano",
    "hna": "hermana",
    "ntp": "no te preocupes",
    "celu": "celular",
    "cel": "celular",
    "pibx": "pibe",
}
