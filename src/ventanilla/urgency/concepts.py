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

from ventanilla.urgency import lexicon
from ventanilla.urgency.classifier import clause_tokens, key_pattern, normalize, phonetic_key


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
        r"no vuelve en si",
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
        r"(?:labios|cara|boca|dedos|uñas|piel) (?:\w+ )?azul\w*",
        r"(?:se puso|se esta poniendo|esta) azul",
        r"palid[oa]",
        r"transpira\w*",
        r"dolor",
        r"duele",
        r"fiebre",
        r"hincha\w*",
        r"tembl\w*",
        r"confundid[oa]",
        r"desorientad[oa]",
        r"(?:esta|lo siento|la siento|tiene el cuerpo|tiene las manos) (?:\w+ )?fri[oa]",
        r"infarto",
        r"acv",
        r"ataque",
        r"contracciones",
        r"se (?:cayo|cae) (?:redondo|al piso|de)",
        r"tirad[oa]",
        r"en el piso",
        r"bleeding",
        "unconscious",
        r"breath\w*",
        "passed out",
        "stroke",
        r"desmai\w*",
        r"nao (?:respira|acorda|reage)",
        r"non (?:respira|si muove|risponde|parla|reagisce)",
        r"cadut[oa]|sangue|swell\w*",
        r"no (?:le )?sale (?:la voz|el habla|hablar)",
        r"se le (?:cae|cayo|tuerce|torcio|duerme|durmio) (?:la|el|media|medio) \w+",
        r"presion (?:alta|baja)",
        r"sudor frio",
        r"muy dormid[oa]",
        r"no (?:lo|la) (?:puedo|podemos) despertar",
        r"no (?:se )?(?:puede|podia) (?:parar|levantar\w*)",
        r"disnea",
        r"satur\w* (?:\d+|al|en|baja)",
        r"cianosis|cianotic\w*",
        r"precordial",
        r"diaforetic\w*",
        r"obnubilad\w*",
        r"(?:metro|he)rragia\w*",
        r"hipoglucemi\w*",
        r"hemipar\w*|hemipleji\w*",
        r"paro (?:cardiaco|respiratorio|cardiorrespiratorio)",
        r"sincope",
        r"anafila\w*",
        r"politraumat\w*|traumatismo\w*",
        r"fractur\w*|se quebro (?:la|el)|quebrou",
        r"duel[ae]n?",
        r"(?:le|me|te|nos) (?:falta|falte|faltaba) el aire",
        r"(?:le|me) cuesta respirar",
        r"respira (?:raro|mal|con dificultad|muy rapido)",
        r"no (?:siente|siento) (?:las|los|el|la) \w+",
        r"quemad[oa]s?|se quemo (?:la|las|el|los) \w+",
        r"se corto (?:con|el|la|los|las)|me corte (?:el|la|los|las)",
        r"atragant\w*",
        r"drown\w*|injured|hurt",
        r"(?:me|se) siente (?:muy |re )?mal|me siento (?:muy |re )?mal",
        r"hormigue\w*|adormecid[oa]",
        r"(?:le|me) (?:pesa|aprieta|oprime) el pecho",
        r"se (?:puso|esta poniendo|pone) (?:gris|violeta|morad[oa]|blanc[oa]|amarill[oa])",
        r"perdida de (?:conocimiento|conciencia)|respiracion agonica|tiraje",
        r"no (?:logra|puede|pudo) (?:completar|respirar|hablar|tragar|mover)",
        r"atoro|atorad[oa]|no le pasa el aire",
        r"no (?:mueve|siente) (?:las|los|el|la) (?:piernas|brazos|brazo|pierna|cuerpo)",
        r"se le (?:duerma|duerme|durmio)",
    ),
    "now": _alt(
        "ahora",
        "ahorita",
        "recien",
        "al tiro",
        "altiro",
        "right now",
        "agora",
        "ya pues",
        "ya mismo",
        "en este momento",
        r"en este (?:preciso |mismo )?(?:momento|instante)",
        r"mientras (?:les )?(?:escribo|hablo)",
        "de golpe",
        "de repente",
        r"hace (?:un rato|rato|media hora|una hora|un ratito|\d+ minutos|unos minutos|minutos)",
        r"esta(?:n)? \w+(?:ando|iendo|endo)",
        "sigue",
        "todavia",
    ),
    "days": _alt(
        r"hace (?:\w+ ){0,2}dias",
        r"hace (?:\w+ ){0,2}semanas?",
        r"(?:una|toda la) semana",
        r"hace (?:una|dos|tres) semanas?",
        rf"desde el {_DAYS}",
        r"desde (?:ayer|anoche|antes de ayer)",
        r"(?:dos|tres|cuatro|varios) dias",
    ),
    "hours": _alt(
        r"hace (?:\d+|dos|tres|cuatro|cinco|seis|varias|muchas) horas",
        r"desde (?:la mañana|anoche)",
        r"(?:paso|pasaron|ya paso|ya pasaron) (?:una|\d+|dos|tres) horas?(?: y media)?",
    ),
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
        r"guag\w*",
        r"wawa\w*",
        r"cham[oa]s?",
        r"chamit[oa]s?",
        r"change?uit[oa]s?",
        r"cabros? chicos?",
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
        r"depresi\w*",
        r"deprimid[oa]",
        r"problemas (?:cardiacos|del corazon|de salud|de presion)",
        "adolescente",
        "menor",
        "baby",
        r"old (?:man|woman|lady)",
        "elderly",
        r"idos[oa]",
        "gravida",
    ),
    "alone": _alt(
        "solo", "sola", "solito", "solita", "solitos", "solitas", "vive solo", "vive sola", "alone", "sozinh[oa]"
    ),
    "pregnant": _alt(r"embarazad[oa]", r"\d+ (?:meses|semanas) de embarazo", r"de \d+ (?:meses|semanas)", "parir"),
    "no_contact": _alt(
        r"no (?:abre|contesta|atiende|responde|sale|baja|prende|aparece|volvio|vuelve|lo encontramos|"
        r"la encontramos|sabemos nada|tiene (?:el )?celular|lleva (?:el )?celular)",
        r"no (?:lo |la )?(?:vemos|vimos|veo|vi|ven|vieron)",
        r"celular apagado",
        r"nadie (?:la|lo) (?:vio|ve|vieron|ha visto)",
        r"no ha (?:bajado|salido|venido|vuelto|regresado|aparecido|contestado|abierto)",
        r"no (?:sale|salio|baja|bajo) de (?:su|la) \w+",
        r"no (?:la|lo) (?:vemos|vimos|veo|vi|ven) (?:\w+ ){0,2}(?:hace|desde)",
        r"no (?:atiende|abre|contesta) cuando",
        r"(?:golpeamos|golpeo|tocamos|toco) (?:\w+ ){0,3}y (?:nadie|no)",
        r"(?:los )?perros (?:aullan|aullando|ladran sin parar)",
        r"nobody (?:has )?seen",
        r"no (?:me|nos|le|les) (?:contesta|atiende|responde|abre)",
        r"ninguem (?:viu|ve)",
        r"no (?:saca|sacó|saco) (?:la basura|el perro)|ni prende la luz|no (?:se ve|sale) humo",
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
        r"(?:me|nos|la|lo) (?:anda|andan|esta|estan|sigue|siguen|viene|vienen) (?:buscando|siguiendo)",
        r"me (?:pude )?escape",
        "gun",
        "knife",
        "faca",
        r"machete\w*",
        r"(?:se|me) (?:va|van) a (?:meter|entrar)",
        r"forceje\w*",
        r"(?:me|nos) (?:grita|gritan|insulta|insultan|putea|putean)",
        r"(?:vamos|van) a morir",
        r"nos (?:va|vamos) a matar",
        r"(?:esta|va) manejando (?:a|como) (?:\d+|loco|un loco)",
        r"no se (?:quiere )?(?:ir|va)",
        r"(?:que )?(?:le )?abra (?:la puerta|la reja)",
        r"(?:golpea|golpean|patea|patean|empuja|empujan) (?:la|las|mi) (?:puerta|ventana|reja)",
        r"tengo (?:mucho )?miedo",
        r"con (?:un|una) (?:fierro|palo|bate|machete|hacha|cuchillo|arma|barreta)",
        r"(?:tratando de|intentando|intentan|quieren|quiere) (?:abrir|forzar|romper|voltear|tirar abajo)",
        r"(?:forzando|rompiendo|rompen|cortando|barreteando|violentando) (?:\w+ ){0,2}(?:puerta|cerradura|candado|reja"
        r"|porton|ventana|chapa)",
        r"(?:pasos|alguien|ruidos?) (?:\w+ ){0,2}(?:en el techo|en la terraza|en el patio)",
        r"(?:ha|han) (?:ingresado|entrado) (?:al|a la|a mi|por)",
        r"insist\w* en entrar",
        r"(?:se ha puesto|se puso|esta) (?:muy )?violent[oa]",
        r"siguiendo(?:me|nos|la|lo)|me (?:sigue|persigue|agarro|agarra)",
        r"(?:agarr\w*|tom\w*) del brazo",
        r"(?:me|la|lo|nos) (?:encerro|encerraron|mantiene encerrad\w*|tiene encerrad\w*)",
        r"(?:me|le) drog\w*",
        r"dispar\w*|encapuchad\w*",
        r"no respeta (?:la )?perimetral",
        r"me (?:violo|violaron)|(?:la|lo) (?:esta|estan) (?:violando|abusando)",
        r"esperando(?:me|nos)",
        r"(?:queriendo|quiere|intenta|intentando) (?:abrir|entrar)",
        r"(?:se esta|se estan|estan|esta) (?:metiendo|entrando) por",
        r"(?:le|les) ofrece (?:plata|droga|caramelos)",
    ),
    "door": _alt(
        r"(?:en|a) (?:la|mi) puerta",
        "afuera",
        r"quiere(?:n)? entrar",
        "ventana",
        "perimetral",
        "reja",
        "porton",
        "timbre",
    ),
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
        r"mortal\w*",
        r"(?:la|las|lo|los) (?:quiero|voy a) tomar",
        r"(?:dosis|cuantas pastillas|cuanto (?:\w+ ){0,2}hace falta)",
        r"deje todo (?:ordenado|arreglado|listo)",
        r"(?:cuiden|cuidala|cuidalo|cuidenla|cuidenlo) (?:a|al|a la|bien)",
        r"perdon por todo",
        r"(?:regalando|regale|repartiendo) (?:sus|mis) cosas",
        r"kill (?:myself|himself|herself)",
        "want to die",
        r"me matar",
        r"quero morrer",
        r"no (?:vale|tiene sentido) (?:la pena )?(?:seguir|vivir)",
        r"cansad[oa] de vivir",
        r"no (?:va|voy) a volver",
        r"(?:ya )?no sirv[oe] (?:pa|para) nada",
        r"cuerda",
        r"(?:me|se) (?:quiere|quiero) (?:ir|dormir) (?:para siempre|y no despertar)",
        r"hoy es el dia",
        r"termin\w* con (?:esto|todo|mi vida)",
        r"acabar con (?:esto|todo|mi vida)",
        r"quitarme la vida",
        r"(?:mañana|manana|esta noche|hoy) (?:ya )?no (?:voy a|vaya a) estar",
        r"no (?:voy a|vaya a) estar (?:mas|para)",
        r"no estare",
        r"ya (?:lo )?decidi",
        r"(?:se|me) (?:tira|tiro|va a tirar|voy a tirar) (?:del|de la|por la|bajo|al)",
        r"para no despertar\w*",
        r"suicid\w*",
        r"(?:quiero|queria|quise) despedirme",
        r"(?:lo|la|los|me) perdon\w* por todo",
        r"ya no (?:aguanta|aguanto|puede|puedo) mas",
        r"(?:todo|toda|un) (?:el )?(?:frasco|blister|caja)",
        r"(?:se|me) (?:tomo|tome|trago|trague) (?:todo|todas|toda|las pastillas|un frasco)",
        r"me corte (?:los|las) (?:brazos|venas|muñecas)",
        r"a nadie le importa",
        r"no quiero (?:estar|existir)",
        r"end (?:it|my life)",
        r"(?:me estoy|estoy) despidiendo",
        r"dejar de vivir",
        r"(?:tiene|tengo) todo (?:listo|preparado)|ya (?:prepare|preparo|tengo preparado) todo",
        r"no (?:pienso|voy a) bajar",
        r"(?:en|arriba de) (?:la terraza|el techo|las vias|el puente|la baranda)",
        r"esperando que pase el tren",
        r"poner fin|mi existencia",
        r"(?:me voy|se va) del todo",
        r"no me busquen",
        r"ya no (?:voy a|va a) (?:necesitar|ser un problema)",
        r"(?:un|una) (?:problema|carga) para nadie",
        r"no doy mas",
        r"(?:remedios|pastillas) (?:\w+ ){0,2}juntad[oa]s",
        r"(?:hoy|esta noche|ahora) (?:me )?(?:los|las|lo|la) tomo",
        r"(?:deje|dejo) (?:escrito|una carta|cartas)",
        r"(?:es|esta es|sera) mi ultima (?:noche|vez|dia)",
        r"ultima vez que (?:escribo|hablo|me ven)",
        r"adios a todos",
        r"ya no tengo (?:mas )?fuerzas",
        r"me voy (?:\w+ ){0,3}al cielo",
        r"(?:que )?me lleve hoy",
        r"no (?:los|las|lo|la) voy a necesitar",
        r"no me esperen",
        r"(?:regale|regalo|regalando) (?:mi|mis)",
        r"ya no (?:me )?importa (?:nada|mucho)",
        r"dios me perdone",
        r"(?:como|cuando) hacerlo",
        r"(?:ya )?esta todo decidido",
        r"me tomo (?:todo )?lo que (?:junte|junto|guarde|guardo)",
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
        r"(?:rio|arroyo|canal|acequia|zanja|laguna|dique|represa|agua|crecida) (?:\w+ ){0,2}desbord\w*",
        r"desbord\w* (?:el|la) (?:rio|arroyo|canal|acequia|zanja|laguna|dique|represa)",
        "fire",
        "smoke",
        "fogo",
        "fumaca",
        r"flood\w*",
        r"alag\w*",
        "enchente",
        "leak",
        r"vazamento",
        r"crecida",
        "pastizal",
        "quemazon",
        r"sin frenos",
        r"(?:se|esta|estan) (?:\w+ ){0,1}(?:cayendo|desprendiendo|hundiendo)",
        r"derrumb\w*",
        r"raja\w*",
        r"(?:perro|perros|jauria|vibora|yarara|toro|abejas|alacran)",
        r"mord\w*",
        r"pic(?:o|adura)\w*",
        r"choc\w*",
        r"atropell\w*",
        r"volc\w*",
        r"lavandina|soda caustica|raticida|veneno|kerosene|nafta|acido|plaguicida|agrotoxico",
        r"(?:se|me) (?:trago|tomo|metio) (?:\w+ ){0,2}(?:pila|boca)",
        r"correntada|corriente (?:lo|la|los) (?:lleva|arrastra)|(?:lo|la) (?:lleva|arrastra) el (?:agua|mar|rio)",
        r"sudestada|huaico|aluvion|alud|avalancha",
        r"jabali|yacare|pitbull|enjambre|puma",
        r"cable pelado|quedo pegad[oa]",
        r"caballos? (?:suelt[oa]s?|desbocad[oa]s?) (?:en|por) (?:el medio de )?(?:la ruta|la vereda|la calle)",
        r"(?:vias|tren) (?:\w+ ){0,4}(?:parad[oa]|atascad[oa]|trabad[oa])|(?:parad[oa]|atascad[oa]) en las vias",
        r"(?:nos|los|la|lo) esta rodeando|se salio (?:el|la) (?:rio|arroyo|laguna)",
        r"(?:crece|crecio|sube|subio) (?:el|la) (?:rio|arroyo|agua|laguna)",
        r"(?:el|la) (?:rio|arroyo|agua) (?:crece|crecio|sube)",
        r"se (?:lo|la|los) llevo el (?:agua|rio|arroyo|mar)|agarrad[oa] de (?:un|una) (?:arbol|rama|poste)",
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
    "help": _alt(
        "ayuda",
        "ayudenme",
        "ayudeme",
        "socorro",
        "auxilio",
        "urgente",
        "por favor",
        "rapido",
        "help",
        "ajuda",
        "please",
    ),
    "handled": _alt(
        r"ya (?:lo|la|los|las|se) (?:apagaron|arreglaron|llevaron|controlaron|cortaron|atendieron|encontramos|"
        r"encontraron|vio|vieron|internaron)",
        r"ya (?:esta|estan) (?:bien|mejor|controlad\w*|apagad\w*)",
        r"ya (?:aparecio|paso(?! (?:un|una|media|dos|tres|\d+|mas de) )|llego|volvio|bajo|termino)",
        r"(?:lo|la|los) (?:detuvo|detuvieron|agarraron|agarro)",
        "ya se fue",
        "gracias igual",
        "esta mejor",
        r"agradec\w*",
        r"gracias (?:por|a) (?:la|los|las|el|su|sus)",
        r"ya (?:esta )?todo (?:en orden|bien|tranquilo|normal)",
        r"ya (?:lo|la) (?:desconectaron|sacaron|rescataron|trajeron)",
        r"(?:llego|vino|vinieron|llegaron) (?:la|el|los) (?:ambulancia|bomberos|policia|patrullero)",
        r"ya (?:esta|estan) (?:en el hospital|internad\w*|atendid\w*|a salvo)",
        r"(?:fue|era) (?:solo|nada mas) (?:un|una) (?:raspon|susto|rasguño|golpecito)",
        r"salio todo bien",
        r"le dieron el alta",
        r"ya (?:esta|estan) (?:jugando|en casa)",
    ),
    "past": _alt(
        "ayer",
        "anoche",
        r"el año pasado",
        r"la semana pasada",
        r"el mes pasado",
        r"hace (?:años|meses|un año|un mes)",
        r"hace \d+ años",
        r"en (?:el )?(?:19|20)\d\d",
        r"de (?:chic[oa]|niñ[oa]|pib[ea]|joven)",
        r"cuando (?:era|eramos)",
        "desde entonces",
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
        r"(?:estamos|estoy) (?:organizando|armando|preparando)",
        r"(?:vamos|voy) a (?:hacer|armar|organizar|quemar|cortar)",
        r"para (?:el|la) (?:proximo|proxima|proximos|temporada|verano|invierno)",
        "por las dudas",
        r"que pasaria",
        r"capaz (?:que )?(?:haya|llueva|se)",
        "what if",
        r"if (?:there|someone|my)",
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
        r"me (?:estan|esta) (?:matando|volviendo loc[oa])",
        r"(?:un|una) (?:quilombo|desastre|infierno|bardo)",
        r"me (?:prende|quema) (?:la cabeza|el cerebro)",
        r"(?:mata|matan|mato) de (?:risa|hambre|aburrimiento)",
        "lol",
        "kkk",
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
        "tiktok",
        "youtube",
        r"video\w*",
        "ndaje",
        r"pasaron (?:por|x|en) (?:la|el)",
        r"en (?:asuncion|bolivia|chile|peru|brasil|paraguay|venezuela|colombia|uruguay|la patagonia|buenos aires"
        r"|la capital|otro lado|el sur|el norte|europa|españa)",
        r"juntar (?:ropa|donaciones|comida|plata)",
        r"donacion\w*",
        "ofrezco",
        "que terrible",
        "pobre gente",
        r"(?:la|una|esta|el|un) (?:serie|novela|telenovela|pelicula|peli|cuento|videojuego|guion)",
        "obra de teatro",
        "protagonista",
        r"personaje\w*",
        r"(?:hace|hizo) de (?:herid|ahogad|muert)\w*",
        r"simulacro\w*",
        r"(?:escribiendo|leyendo|mirando|viendo) (?:un|una|el|la) (?:cuento|novela|serie|pelicula|libro|historia)",
        r"(?:a la|la) play|juego de (?:tiros|guerra|zombies|terror)",
        r"(?:una|la|esta|es) cadena",
        r"(?:me|nos) (?:reenviaron|pasaron|mandaron) (?:\w+ ){0,2}(?:cadena|audio|mensaje|captura)",
        r"es (?:real|oficial|cierto|verdad) (?:o|eso|lo)",
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
        r"curso\w*",
        r"capacitaci\w*",
        r"(?:charla|taller)\w* (?:\w+ ){0,2}(?:rcp|reanimacion|primeros auxilios|evacuacion|matafuego\w*|extintor\w*)",
        r"(?:matafuego|extintor)\w*",
        r"(?:cual|que) (?:es el )?numero",
        r"numeros? de (?:emergencia|urgencia)",
        r"(?:se llama|hay que llamar|llamo) (?:al|a la) (?:\w+ ){0,1}(?:si|cuando|en caso)",
        r"que (?:se )?hace (?:si|cuando|en caso)",
        r"es (?:el|la) \d+",
        "para saber",
        r"por curiosidad",
        r"emergency number",
        "just asking",
        r"what is the",
        r"(?:which|what) number",
        "just in case",
        r"how (?:do|can) i",
        r"where (?:do|can) i",
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
        r"envios?",
        "talle",
        r"zapas?",
        r"zapatillas",
        "precio",
        r"cuanto (?:sale|cuesta|tarda|tardan|demora|demoran)",
        r"encarg\w*",
        r"garrafa de \d+",
        r"(?:una|dos|la) garrafa (?:de|para)",
        "cumple",
        "medialunas",
        "facturas",
        "cuota",
        "clase",
        "receta",
        "mercaderia",
        r"(?:me lo|me la|me los) (?:traen|mandan|reservan)",
        r"(?:hacen|tienen) (?:envios|delivery|stock)",
        "el local",
        r"la (?:farmacia|panaderia|ferreteria|veterinaria|dietetica)",
        "cake",
        r"order\w*",
        r"deliver\w*",
        r"open today",
        r"entrega",
        r"encomenda",
        r"(?:la|lo|los|las) paso a (?:buscar|retirar)",
        r"paso a (?:buscar|retirar)",
        r"(?:me )?(?:lo|la|los|las) (?:guardan|reservan|separan)",
        r"dar(?:me)? de (?:baja|alta)",
        r"gimnasio",
        "gym",
        r"membresia",
        r"suscripci\w*",
        r"formula",
        r"pañales",
        r"alias",
        r"transferencia",
        r"sin receta",
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
        "contestame",
        r"no (?:entendes|entiende|sirve|sirven)",
        r"sos (?:un|una) \w+",
        r"pelotud\w*",
        r"idiota",
        r"boludo",
        r"estupid\w*",
        "la concha",
        r"me oyen",
        r"respondan",
        r"contesten",
        r"atiendan",
        r"can you hear",
        r"anyone there",
        r"me (?:ouvem|escutam)",
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
        "carnet",
        "multa",
        "licencia",
        "dni",
        r"venci\w*",
        r"titila\w*",
        "yuyos",
        r"pasto (?:alto|largo)",
        "baldio",
        "ruido",
        r"cloaca\w*",
        r"horario\w*",
        r"garrafa social",
        r"(?:colectivo|bondi|micro)s? (?:\w+ ){0,2}(?:no (?:pasa|para|vino|viene|frena)|tarda|demora)",
        r"no (?:pasa|para|vino|viene) el (?:colectivo|bondi|micro)",
        r"frecuencia",
        r"recorrido",
        r"pagina",
        r"la web",
        r"aplicacion",
        r"formulario",
        r"no entiendo (?:la|el|como)",
        r"contraseña",
        r"usuario",
        r"street ?light\w*",
        r"pothole\w*",
        "garbage",
        "trash",
        r"lampada",
        r"buraco",
        r"veterinari\w*",
        r"(?:la|mi) (?:app|cuenta|clave)",
    ),
    "people": _alt(
        "alguien",
        "gente",
        r"personas?",
        "adentro",
        r"atrapad\w*",
        r"herid\w*",
        r"lastimad\w*",
        "abajo",
        "debajo",
        r"(?:nene|nena|chic[oa]|señor|señora|hombre|mujer|vecin[oa])s?",
        r"(?:sobre|encima de|arriba de) (?:un|una|el|la|los|las|mi) (?:auto|casa|techo|cables?|moto|colectivo)",
    ),
    "tree": _alt(r"arbol\w*", "rama", "ramas"),
    # an animal of one's own: its illness is the vet's routine, not a person in danger
    "pet": _alt(
        r"(?:mi|mis|nuestro|nuestra) (?:perr[oa]s?|perrit[oa]s?|gat[oa]s?|gatit[oa]s?|caballo|yegua|loro|mascota"
        r"|conejo|tortuga|cachorr[oa]s?)",
        r"veterinari\w*",
        "vet",
    ),
    "approach": _alt(
        r"(?:viene|vienen|avanza|avanzan|se acerca|se acercan|se viene|va) (?:\w+ ){0,2}(?:para|hacia|a) "
        r"(?:aca|las casas|el barrio|el pueblo|la escuela|nosotros|mi casa|el campo)",
    ),
    "far": _alt(r"a lo lejos", r"(?:muy|bien|re) lejos", r"en el horizonte", r"del otro lado del (?:rio|cerro|lago)"),
    "crime": _alt(
        r"(?:se )?(?:metieron|meten|metio|entraron|entran) (?:\w+ ){0,2}(?:robar|afanar)",
        r"robando",
        r"asalt\w*",
        r"ladr[oa]n\w*",
        r"chorr[oa]s?",
        r"(?:se escuchan|se oyen|escucho|escuchamos|oigo) (?:\w+ ){0,1}(?:gritos|golpes|tiros)",
        r"pide auxilio",
        r"pidiendo (?:ayuda|auxilio)",
        r"(?:la|lo|los) (?:tienen|tiene) (?:encerrad\w*|atad\w*)",
    ),
    "giving_way": _alt(
        r"cediendo",
        r"desprend\w*",
        r"(?:se )?caen pedazos",
        r"(?:se )?(?:esta|estan) (?:por )?(?:caer|cayendo|hundiendo|rajando|inclinando)",
        r"a punto de (?:caer\w*|derrumbar\w*|romper\w*)",
        r"se (?:viene|vienen) abajo",
        r"cuelga",
        r"colgando",
        r"(?:donde|por donde) (?:pasa|pasan|transitan|juegan)",
        r"peatones",
        r"(?:esta|estao) (?:caindo|desabando)",
        r"desab\w*",
        r"se desmoron\w*|se derrumb\w*",
        r"tapad[oa] (?:hasta|por)",
        r"sepultad\w*|atrapad[oa]s?",
        r"se (?:rajo|partio|corto de un lado|hundio)",
        r"(?:pared|techo|losa|viga|puente)s? (?:\w+ ){0,3}(?:se mueve|cedio|cede)",
        r"(?:el|la) (?:techo|losa|pared|galpon|puente) (?:\w+ ){0,2}(?:cedio|se cayo|se vino)",
    ),
    "child_alone": _alt(
        r"(?:nene|nena|beba|bebe|bebito|bebita|chiquit[oa]|niñ[oa]|criatura|menor|chic[oa])s? (?:\w+ ){0,4}sol(?:o|a"
        r"|os|as|ito|ita)",
        r"nadie (?:viene|vino|vuelve) a buscar\w*",
        r"no sabe donde vive",
        r"(?:encerrad[oa]|sol[oa]) en (?:el|un) auto",
        r"(?:\d+|cuarenta|treinta y \w+) grados",
        r"nadie (?:la|lo|los) cuida",
        r"(?:nene|nena|chic[oa]|niñ[oa]|mitai|chango|bebe|beba)s? (?:\w+ ){0,4}"
        r"(?:en la ruta|en la ventana|en el balcon|en la baranda)",
    ),
    "silent": _alt(
        r"no puedo (?:hablar|llamar|contestar|salir)",
        r"(?:esta|lo tengo|la tengo) (?:\w+ ){0,1}al lado (?:mio|de mi)",
        r"me (?:esta|puede) (?:escuchando|escuchar|viendo|ver)",
        r"(?:estoy )?escondid[oa]",
        r"(?:si|cuando) (?:se entera|me ve|se da cuenta)",
        r"manden a alguien",
        r"no (?:me )?(?:deja|dejan) salir",
    ),
    "gone": _alt(
        r"no (?:volvio|vuelve|regreso|regresa|llego|aparece|aparecio|ha regresado|ha vuelto|ha llegado|ha aparecido)",
        r"aun no (?:ha )?(?:regresado|vuelto|llegado|aparecido)",
        r"se fue de (?:casa|la casa|su casa)",
        r"(?:no se|no sabemos|no se sabe) nada de",
        r"desapareci\w*",
        r"nadie sabe donde",
        r"no (?:lo|la) (?:encontramos|encuentro|encuentran)",
        r"missing",
        r"no (?:volvieron|regresaron|llegaron|aparecen|aparecieron)",
        r"nunca (?:volvio|llego|regreso|aparecio|volvieron|llegaron)",
        r"(?:pasaron|paso) la noche (?:afuera|en el monte|en el campo)",
        r"(?:esta|is|est) (?:perdid[oa]|lost|perdue)",
        r"perdi a mi|se fue con (?:un|una) (?:adulto|desconocid[oa]|hombre|tipo)",
        r"(?:trajeron|llevaron) de otr[oa] (?:provincia|ciudad|lado)",
    ),
    "clue": _alt(
        r"cel\w* (?:\w+ ){0,1}apagado",
        r"apagado el cel\w*",
        r"sin (?:el )?cel\w*",
        r"carta\w*",
        r"(?:me|lo|la|nos) (?:estan|esta|venian|venia) siguiendo",
        r"pidiendo perdon",
        r"(?:falta|faltan) (?:el|la|las|los) (?:blister|pastillas|remedios|arma|soga)",
        r"anoche",
        r"de noche",
        r"son las \d+",
        r"no (?:atiende|contesta)",
        r"alzheimer|demencia",
        r"deprimid\w*|depresion",
        r"\d+ horas",
        r"no (?:lleva|llevo|tiene|tenia) (?:el )?(?:telefono|celular)",
        r"(?:salio|se fue) (?:\w+ ){0,3}(?:temprano|a la mañana|esta mañana|a la madrugada)",
        r"ya (?:es|esta) (?:de noche|oscuro)",
    ),
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
    ("crime", "now"),
    ("crime", "vulnerable"),
    ("giving_way", "now"),
    ("giving_way", "danger"),
    ("child_alone", "now"),
    ("child_alone", "danger"),
    ("silent", "threat"),
    ("silent", "help"),
    ("silent", "info"),
    ("gone", "clue"),
    ("gone", "vulnerable"),
    ("gone", "third_person"),
    ("gone", "hours"),
    ("intent", "tentative"),
    ("intent", "info"),
    ("tree", "vulnerable"),
    ("business", "help"),
    ("bot", "help"),
)

_COMPILED: Final = tuple(
    (name, re.compile(r"\b(?:" + key_pattern(normalize(p)) + r")\b")) for name, p in CONCEPTS.items()
)
_LAUGHING: Final = frozenset(lexicon.LAUGHING_EMOJI)
_SENTENCE_END: Final = re.compile(r"[.!?¡¿\n]+|\b(?:ah y|aparte|otra cosa|tambien les aviso)\b")


def _found(keyed: str) -> frozenset[str]:
    return frozenset(name for name, regex in _COMPILED if regex.search(keyed))


def _keyed(text: str) -> str:
    return " | ".join(" ".join(k for t in clause if (k := phonetic_key(t))) for clause in clause_tokens(text))


@lru_cache(maxsize=4096)
def _read(text: str) -> tuple[str, frozenset[str]]:
    """The phonetic keys of a text and the concepts found in them (cached: a turn reads a text several times)."""
    keyed = _keyed(text)
    found = _found(keyed)
    if not _LAUGHING.isdisjoint(text):
        found |= {"figurative"}  # the keys drop emoji: a laughing one makes the message a joke like "jaja" does
    return keyed, found


def sentences(text: str) -> list[str]:
    """The message cut into sentences (and at "ah, y" / "aparte" turns), empty ones dropped."""
    return [part for part in _SENTENCE_END.split(text) if part and any(ch.isalpha() for ch in part)]


_MIN_SENTENCE_WORDS: Final = 3


@lru_cache(maxsize=4096)
def scored_sentences(text: str) -> tuple[str, ...]:
    """The sentences of a message of several that are long enough to be judged alone (a two-word aside such as
    "me encantó" says too little for the model); empty for a message of one sentence."""
    parts = sentences(text)
    if len(parts) < 2:
        return ()
    return tuple(part for part in parts if len(_read(part)[0].replace("|", " ").split()) >= _MIN_SENTENCE_WORDS)


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
            r"|(?:cuant[oa]s?|que cantidad de?) (?:\w+ ){0,5}(?:para que sea mortal|(?:es|son|seria"
            r"|serian) (?:una dosis )?(?:mortal|letal)\w*|"
            r"para no despertar\w*|para morir\w*)"
            r"|(?:veneno|pastillas|soga) (?:\w+ ){0,3}para (?:tomarl[oa]s? yo|mi|usarla yo)"
            r"|(?:es|son|sera|seria|seran) (?:\w+ ){0,2}(?:mortal\w*|letal\w*) (?:\w+ |\| ){0,8}"
            r"(?:(?:la|las|lo|los|me la|me las|me lo|me los) (?:quiero|voy a|pienso|tengo que) tomar|tomarmel\w*"
            r"|me (?:las|la|lo|los) (?:tomo|trago))"
            r"|(?:(?:la|las|lo|los|me la|me las|me lo|me los) (?:quiero|voy a|pienso) tomar|tomarmel\w*) "
            r"(?:\w+ |\| ){0,8}"
            r"(?:es|son|sera|seria) (?:\w+ ){0,2}(?:mortal\w*|letal\w*)"
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
    missing = (
        "gone" in found and found & {"third_person", "vulnerable"} and found & {"clue", "hours", "threat", "intent"}
    )
    if missing and not found & (_SCOPED - {"past", "info"}):
        return "missing"
    return None


_NOT_PLAIN: Final = frozenset(
    {
        "danger",
        "symptom",
        "threat",
        "intent",
        "no_contact",
        "pregnant",
        "crime",
        "giving_way",
        "child_alone",
        "silent",
        "gone",
    }
)


_FRAMES: Final = frozenset({"routine", "business", "info", "bot"})
_PET_SIGNS: Final = frozenset({"symptom"})
_NEAR: Final = frozenset({"vulnerable", "people", "third_person", "first_person", "door", "now", "alone", "approach"})


def only_far(text: str) -> bool:
    """A danger seen far away ("hay humo a lo lejos") with nobody named near it: worth the question, not an
    escalation."""
    found = _read(text)[1]
    return "far" in found and found.isdisjoint(_NEAR)


def speaks_of_harm(text: str) -> bool:
    """Something in the message can hurt someone: a danger, a symptom, a threat, an intent, a crime, a structure
    giving way, a child alone, a silent victim, a person gone or unseen, a pregnancy."""
    return not _read(text)[1].isdisjoint(_NOT_PLAIN)


def framed(text: str) -> bool:
    """The message is framed as a routine complaint, a shop's order, an information question or a turn addressed to
    the bot (whatever else it says): the combiner learns how much that framing weighs against the rules."""
    return not _FRAMES.isdisjoint(_read(text)[1])


@lru_cache(maxsize=1024)
def plainly_calm(text: str) -> bool:
    """A shop's order, a routine matter, a turn addressed to the bot, a figure of speech, an information question, an
    event already handled ("ya se fue, la policía lo detuvo") or a fallen tree with nobody under it, with nothing in
    it about a danger, a symptom, a threat, an intent, a crime, a structure giving way, a child alone, a victim who
    cannot speak or a person gone: "URGENTE" or "ayuda" alone do not make it urgent."""
    found = _read(text)[1]
    if "tree" in found and not found & (_NOT_PLAIN | {"people"}):
        return True  # a fallen tree with nobody under it is a routine complaint
    if "pet" in found and not found & (_NOT_PLAIN - _PET_SIGNS | {"third_person", "people", "pregnant"}):
        return True  # a pet's illness ("mi perro vomita desde ayer") is the vet's, not an emergency of a person
    return bool(found & {"business", "routine", "bot", "figurative", "info", "handled"}) and not found & _NOT_PLAIN
