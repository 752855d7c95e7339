"""Generate template variants for the urgency training corpus (volume only; the hand-written corpus matters more).

Run from the repository root: `python tools/urgency_corpus.py` rewrites
`src/ventanilla/urgency/data/corpus_generated.tsv` deterministically (fixed seed). Never point it at the held-out set.
Each core phrase is combined with openers, places, closers and noise (no accents, typos, voice-note fillers and
repeated words, WhatsApp abbreviations, stretched letters, shouting); negatives share the same scaffolding so the
scaffolding itself carries no signal.
"""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

SEED = 20261201
OUT = Path(__file__).resolve().parents[1] / "src" / "ventanilla" / "urgency" / "data" / "corpus_generated.tsv"

OPENERS = [
    "",
    "",
    "",
    "",
    "hola",
    "hola buenas",
    "buen dia",
    "buenas tardes",
    "buenas noches",
    "che",
    "disculpen",
    "perdon que moleste",
    "señor",
    "señora",
    "hola soy vecina de la calle 9,",
    "les escribo por mi abuela,",
    "escribo por mi vecino que no tiene celular,",
    "hola municipalidad",
    "muni",
    "eh",
    "este...",
    "mire",
    "hola que tal",
    "buenas, una consulta",
    "hola, vivo en el barrio norte y",
    "ola",
    "holaa",
    "buenass",
    "audio transcripto:",
    "escribo desde el celu de mi hija,",
    "hola, soy docente de la escuela 12,",
]
PLACES = [
    "",
    "",
    "",
    "",
    "en la esquina de casa",
    "en la calle Sarmiento al 300",
    "en el barrio San Martin",
    "frente a la plaza",
    "en la ruta 5 km 12",
    "en el paraje Los Alamos",
    "al lado de la escuela",
    "en la manzana 4 casa 7",
    "en el pasaje Los Tilos",
    "cerca del hospital",
    "en la costanera",
    "en el centro",
    "en mi cuadra",
    "en la villa",
    "en el campo de mi tio",
    "en el edificio de Mitre 1200",
    "en la salida del jardin",
    "en la estacion",
    "en el km 3 del camino vecinal",
    "en la chacra",
]
# Closers shared by both labels, so that none of them is a cue by itself.
CLOSERS = [
    "",
    "",
    "",
    "",
    "gracias",
    "muchas gracias",
    "saludos",
    "desde ya gracias",
    "espero respuesta",
    "por favor",
    "xfa",
    "gracias, saludos",
    "quedo atenta",
    "cuando puedan",
    "es urgente",
    "urgente",
    "necesito ayuda",
    "ayuda",
    "vengan rapido",
    "que hago",
    "manden a alguien",
    "no se que hacer",
    "rapido por favor",
    "ya!!",
    "ayudenme",
    "estoy sola con los chicos",
    "soy una persona mayor",
    "llamen a alguien",
    "vivo sola",
    "tengo 80 años",
    "estoy solo",
    "no se a quien recurrir",
]

URGENT: dict[str, list[str]] = {
    "fire": [
        "ayer se prendio fuego el baldio y ahora otra vez hay fuego",
        "otra vez hay fuego en el basural y llega a las casas",
        "volvio a prenderse fuego el galpon",
        "de nuevo sale humo del techo del vecino",
        "ahora hay fuego en la casa de al lado",
        "ayer hubo un incendio y ahora se prendio de nuevo",
        "hay fuego en la casa de al lado",
        "se prendio fuego la cocina",
        "se esta quemando el galpon",
        "sale humo negro por la ventana del vecino",
        "hay llamas en el techo",
        "se incendia el pastizal y va para las casas",
        "se prendio fuego un colectivo",
        "arde el monte y hay familias cerca",
        "se quema el kiosco",
        "el auto esta en llamas",
        "hay un incendio en el depto de arriba",
        "humo por todos lados en el pasillo",
        "se prendio la estufa y agarro la cortina",
        "prendieron fuego la casilla con gente adentro",
        "hay fuego en el contenedor pegado a la casa",
        "el basural se prendio y el humo no deja respirar",
        "se incendio el campo del vecino",
        "salen llamas del medidor de luz",
        "se prende fuego el aula",
        "hay olor a quemado y sale humo del tablero",
        "la casa de enfrente se esta quemando",
        "exploto la garrafa y hay fuego",
    ],
    "gas": [
        "otra vez hay olor a gas muy fuerte",
        "ahora sale olor a gas del medidor",
        "volvio el olor a gas y es mas fuerte",
        "hay olor a gas muy fuerte",
        "sale gas del caño roto",
        "se rompio el caño de gas en la obra",
        "huele a gas en todo el edificio",
        "la garrafa pierde",
        "hay una fuga de gas en la vereda",
        "el calefon tira monoxido y estamos mareados",
        "olor a gas en el aula",
        "se escucha el gas que sale del medidor",
        "rompieron la cañeria de gas con la maquina",
        "olor a gas en el pasillo y la vecina no abre",
        "la estufa largo gas toda la noche",
        "huele a gas y hay gente fumando al lado",
    ],
    "electric": [
        "hay un cable de luz caido en la vereda",
        "el cable pelado esta en el charco",
        "la reja da corriente",
        "saltan chispas del poste",
        "se corto un cable de alta tension y esta en la calle",
        "el poste se cayo con los cables",
        "la columna de alumbrado da patada",
        "cables de la luz tocando el agua",
        "exploto el transformador y tira chispas",
        "a mi hermano le dio una descarga y quedo pegado",
        "un cable electrico colgando a la altura de la cabeza",
        "el medidor echa chispas",
        "la heladera da corriente y el nene la toca",
        "cable de luz suelto arriba del techo",
    ],
    "flood": [
        "ayer se inundo y ahora entra agua otra vez",
        "ahora el agua entra a la casa",
        "otra vez sube el agua adentro de la casa",
        "entra agua a la casa",
        "el agua nos llega a la cintura",
        "el arroyo se desbordo y entra a las casas",
        "estamos inundados y no podemos salir",
        "la correntada se lleva los autos",
        "el rio crecio y hay gente en los techos",
        "hay una familia aislada por el agua",
        "el agua sube rapido adentro de la casa",
        "se rompio el dique",
        "la abuela esta sola y le entra agua",
        "el agua arrastro a un chico",
        "la escuela se inunda con los chicos adentro",
        "se inunda todo el barrio y sigue subiendo",
        "tenemos agua hasta las rodillas en el dormitorio",
    ],
    "structure": [
        "se cayo el techo con gente abajo",
        "se derrumbo la pared",
        "se esta cayendo el balcon",
        "cruje el techo y caen pedazos",
        "se vino abajo la casa de al lado",
        "el puente se partio y la gente cruza",
        "la pasarela se rompio",
        "un arbol cayo sobre un auto con gente",
        "hay un obrero abajo de los escombros",
        "se desplomo el tinglado",
        "se hundio la calle y hay un auto adentro del pozo",
        "el cartel se esta por caer sobre la parada",
        "se cae el cielorraso del aula",
        "el tanque de agua se inclina",
        "se volaron las chapas y hay cables",
    ],
    "medical": [
        "mi papa no respira",
        "mi mama se desmayo y no reacciona",
        "se le cayo la cara de un lado y no habla bien",
        "no puede mover el brazo y habla raro",
        "le duele el pecho y transpira frio",
        "mi bebe se ahoga",
        "el nene convulsiona",
        "esta sangrando mucho",
        "se cayo y se golpeo la cabeza, no responde",
        "necesito una ambulancia",
        "mi abuelo esta tirado y no se mueve",
        "se trago una pila",
        "tomo lavandina",
        "rompio bolsa y estamos lejos",
        "se cayo a la pileta",
        "esta morado y no respira bien",
        "tiene un ataque de asma y no puede respirar",
        "se le hincho la cara despues de la picadura y le falta el aire",
        "no se despierta",
        "esta inconsciente",
        "le dio un infarto",
        "se fracturo la pierna y se ve el hueso",
        "esta muy confundido y sudando, es diabetico",
        "un señor se desplomo en la calle",
        "tiene los labios azules, creo que es sobredosis",
        "mi abuela respira con ronquidos y no despierta",
    ],
    "violence": [
        "hay un tipo con un cuchillo",
        "estan robando en la casa de enfrente",
        "me estan siguiendo",
        "se escuchan tiros",
        "le estan pegando a un pibe en el piso",
        "entraron a robar y estoy escondida",
        "hay un hombre armado en el negocio",
        "dos tipos forcejean con una chica",
        "estan tirando piedras a los autos",
        "me quieren robar",
        "estan pateando la puerta para entrar",
        "hay una pelea con botellas y hay sangre",
        "un borracho amenaza con prender fuego la casa",
        "me apuntaron con un arma",
        "estan golpeando a un abuelo",
        "entraron a la casa y estan abajo",
        "hay un tiroteo",
        "estan asaltando el almacen",
    ],
    "missing": [
        "se me perdio el nene",
        "no encuentro a mi hija",
        "mi papa tiene alzheimer y no volvio",
        "se perdio un chiquito en la playa",
        "mi hijo autista se escapo",
        "mi hermana de 14 no aparece",
        "busco a mi abuela que salio sola",
        "desaparecio mi nene en el shopping",
        "no sabemos donde esta el abuelo",
        "la nena se fue con un desconocido",
        "se perdio mi hijo en la cancha",
    ],
    "animal": [
        "un perro esta mordiendo a un chico",
        "dos perros persiguen a los chicos",
        "hay una yarara en el patio",
        "un pitbull ataca a una señora",
        "le pico un alacran al nene",
        "un enjambre de abejas ataca a la gente",
        "hay un toro suelto corriendo",
        "la jauria ataco a un nene",
        "una vibora en la escuela",
        "perro rabioso persiguiendo gente",
        "hay caballos sueltos en la ruta de noche",
    ],
    "traffic": [
        "chocaron y hay heridos",
        "atropellaron a una nena",
        "volco un colectivo",
        "el paso a nivel esta con la barrera levantada y viene el tren",
        "un auto a contramano en la autopista",
        "una moto quedo abajo del camion",
        "hay gente atrapada en el auto",
        "el semaforo esta caido en el medio de la calle",
        "choque en la ruta, el conductor no se mueve",
        "un camion perdio la carga y hay autos frenando",
        "se derramo combustible en la curva",
    ],
    "health": [
        "los chicos del comedor estan vomitando",
        "nos intoxicamos con el agua",
        "estan fumigando con chicos en el patio",
        "se volco un camion con quimicos y la gente tose",
        "varios abuelos del geriatrico con vomitos y uno desmayado",
        "hay una nube de cloro en la pileta y arden los ojos",
        "salio agua marron y los chicos estan descompuestos",
    ],
    "explicit": [
        "ayuda",
        "auxilio",
        "socorro",
        "es una emergencia",
        "vengan ya",
        "necesito ayuda urgente",
        "estamos en peligro",
        "manden a alguien ya",
        "sos",
        "ayudenme por favor",
        "urgente vengan",
    ],
    "self_harm": [
        "me quiero matar",
        "no quiero vivir mas",
        "me voy a tirar del puente",
        "hoy termino con todo",
        "mi hijo dice que se va a cortar",
        "tengo las pastillas en la mano",
        "quiero desaparecer para siempre",
        "me quiero morir de verdad",
        "estoy pensando en suicidarme",
        "me voy a colgar",
        "quiero terminar con mi vida",
        "ya no aguanto mas, me voy a matar",
        "mi amiga se quiere suicidar",
        "me estoy cortando",
        "me tome todas las pastillas",
        "estoy en el puente y voy a saltar",
        "mi papa dice que se va a pegar un tiro",
        "ya me despedi de todos",
        "no le encuentro sentido a seguir viviendo",
        "quiero dormir y no despertar",
        "soy una carga, mejor me muero",
        "mi hermana se encerro con un cuchillo y dice que se mata",
        "mi novio me escribio que se va a tirar al tren",
        "estoy por tirarme de la terraza",
        "ya escribi la carta de despedida",
        "me voy a ahorcar",
        "hoy me quito la vida",
        "no doy mas con la vida, me quiero ir para siempre",
        "me voy a tomar todo el frasco de pastillas",
    ],
    "gender_violence": [
        "mi marido me pega",
        "mi ex me amenaza con matarme",
        "mi pareja me encerro y me saco el celular",
        "mi novio me esta golpeando",
        "el padre de mis hijos me agarro del cuello",
        "mi ex esta en la puerta y tiene perimetral",
        "mi esposo me dijo que hoy me mata",
        "la vecina grita que la suelte y el novio le pega",
        "mi pareja me amenazo con un cuchillo",
        "me pega y estoy encerrada en el baño",
        "mi cuñado le pega a mi hermana",
        "mi papa le esta pegando a mi mama",
        "el me tiene encerrada y no me deja salir",
        "mi ex me persigue con el auto",
        "me violo mi pareja y sigue en la casa",
        "mi marido esta borracho y rompe todo, tengo miedo que me pegue",
        "el novio de mi hija la esta golpeando",
    ],
    "child": [
        "hay un nene solo encerrado en un auto al sol",
        "la vecina le pega al nene con un cinto",
        "hay dos chicos solos sin comer hace dias",
        "un hombre le ofrece plata a unas nenas para que suban al auto",
        "el padrastro abusa de mi sobrina",
        "un bebe llora hace horas solo",
        "el nene esta atado en el patio",
        "un nene de 4 camina solo por la ruta",
        "un tipo se lleva a una nena que grita que no es su papa",
        "le queman los brazos con cigarrillos al chico",
        "dejaron a un bebe solo en la casa",
        "la nena esta encerrada en el balcon con frio",
        "un adulto esta citando a mi hija de 12 por internet para hoy",
        "le estan pegando a un nene en la casa de al lado, grita",
        "el chico tiene marcas de golpes y no quiere volver a su casa",
        "un nene chiquito solo en la plaza de noche llorando",
    ],
}

CALM: dict[str, list[str]] = {
    "routine": [
        "hay un bache enorme",
        "no pasa el camion de la basura",
        "la luz de la calle no anda",
        "los perros del vecino ladran toda la noche",
        "pido poda del arbol",
        "la vereda esta rota",
        "el contenedor esta lleno",
        "hay un auto abandonado",
        "quiero sacar un turno",
        "no hay agua desde la mañana",
        "la plaza esta sucia",
        "el colectivo no para en la parada",
        "se corto la luz en la manzana",
        "hay una perdida de agua en la vereda",
        "el semaforo tarda mucho",
        "la garita no tiene techo",
        "ruidos molestos del bar",
        "el pasto del baldio esta altisimo",
        "la cloaca huele feo hace una semana",
        "hay ratas en el basural",
        "se quemo la lampara del poste",
        "el camino vecinal esta intransitable",
        "quiero hacer un reclamo por la poda",
        "los juegos de la plaza estan rotos",
        "el arbol levanto las baldosas",
        "pido que arreglen la zanja",
        "se me perdio el gato",
        "se escapo mi perro",
        "el vecino quema hojas y el humo entra a mi casa",
        "cuando pasa la recoleccion de ramas",
        "gotea el techo del centro de salud",
    ],
    "urgent_routine": [
        "URGENTE necesito el certificado",
        "urgente el turno para el dni",
        "es urgente que arreglen el bache",
        "emergencia se me perdio el dni",
        "ayuda con la factura",
        "necesito ayuda con el tramite",
        "urgente cuando abre rentas",
        "SOS no puedo pagar la tasa online",
        "vengan ya a cortar el pasto",
        "manden a alguien a destapar la cloaca",
        "urgentisimo el permiso del evento",
        "necesito ayuda urgente con la inscripcion",
        "es una emergencia, no anda el wifi de la biblioteca",
    ],
    "future": [
        "el dia que llueva se nos va a inundar",
        "tengo miedo que el arbol se caiga algun dia",
        "si no podan las ramas van a tocar los cables",
        "un dia de estos alguien se va a matar en esa curva",
        "me preocupa que haya incendios este verano",
        "si sigue lloviendo se va a desbordar el arroyo",
        "el puente se va a romper en cualquier momento si no lo arreglan",
        "algun dia los perros van a morder a un chico",
        "que hacemos si hay tormenta mañana",
        "cuando llueve fuerte entra agua, pidan que hagan el desague",
        "la casa abandonada se va a prender fuego algun dia",
    ],
    "resolved": [
        "mi mama ya esta internada y estable",
        "los bomberos ya apagaron el fuego",
        "ya arreglaron la perdida de gas",
        "el nene ya aparecio, perdon",
        "ya vino la ambulancia y se lo llevaron",
        "ya esta todo controlado",
        "lo del cable ya lo solucionaron",
        "la señora ya esta bien",
        "ya lo atendieron en la guardia",
        "ya volvio mi hija a casa",
    ],
    "past": [
        "ayer hubo un incendio y quedo todo negro",
        "la semana pasada me mordio un perro",
        "el año pasado se inundo el barrio",
        "hace un mes atropellaron a un perro",
        "anoche robaron en la escuela",
        "mi papa tuvo un acv hace dos años",
        "en marzo se cayo una rama sobre mi auto",
        "el invierno pasado se quemo el techo",
        "hubo un choque el domingo",
    ],
    "cable": [
        "hay un cable de internet colgando",
        "el cable del telefono esta tirado",
        "cables de fibra optica sueltos",
        "un cable de acero de la obra en la vereda",
        "el cable de la tele enredado en el arbol",
        "se cayo el cable del tendedero",
        "cable de cablevision cortado",
        "cuelga un cable de telefono del poste",
    ],
    "topic": [
        "charla sobre como actuar ante incendios",
        "curso de primeros auxilios",
        "campaña de prevencion del suicidio",
        "trabajo practico sobre violencia de genero",
        "taller de prevencion de accidentes",
        "simulacro de evacuacion en la escuela",
        "jornada de salud mental",
        "protocolo de abuso infantil para clubes",
        "donaciones para los inundados",
        "material sobre grooming para docentes",
        "la pelicula sobre el incendio del cine",
    ],
    "info": [
        "a que numero llamo si veo un cable caido",
        "cual es el telefono de defensa civil",
        "donde denuncio un perro peligroso",
        "que hago si huelo gas, pregunto para saber",
        "cual es la linea de prevencion del suicidio",
        "como pido un traslado programado en ambulancia",
        "la guardia atiende los domingos",
        "como se hace una denuncia de violencia de genero",
        "hay grupos para familiares con depresion",
    ],
    "figurative": [
        "me muero de risa",
        "este calor me mata",
        "me mato estudiando",
        "el precio es un robo",
        "la fila es un infierno",
        "esta que arde la reunion",
        "me quiero matar con este tramite",
        "mi jefe me va a matar si llego tarde",
        "casi me da un infarto con la boleta",
        "me ahogo en papeles",
        "el grupo del barrio explota de mensajes",
        "me quiero morir, otra vez me cobraron mal",
        "me voy a tirar por la ventana si no me atienden jaja",
        "este barrio es una bomba de tiempo",
    ],
    "joke": [
        "jajaja mi hermano dice que se tira del balcon si pierde boca",
        "era el asado, no hay fuego jaja",
        "me mato el final de la serie jaja",
        "socorro el gato me robo la silla jaja",
        "lo secuestraron los marcianos jsjs",
        "ahre me muero de sueño",
    ],
    "negated": [
        "no hay heridos, solo el espejo roto",
        "no hay olor a gas pero el medidor hace ruido",
        "no sale humo pero el transformador zumba",
        "nadie se lastimo",
        "no entro agua a la casa",
        "no es una emergencia pero el hidrante pierde",
        "no paso nada grave",
        "no es urgente pero el semaforo anda mal",
        "nadie salio herido, solo se rompio la vidriera",
        "se rompio el vidrio del colectivo pero no hay heridos",
        "no hubo heridos, solo se rompio el paredon",
        "se rompio la baranda pero nadie se lastimo",
        "no hay peligro, solo se rompio un caño de agua",
        "nadie se lastimo, solo daños en el auto",
        "sin heridos, solo se rompio el techo del quincho",
    ],
    "thanks": [
        "muchas gracias por la ayuda",
        "gracias por ayudarme",
        "gracias por la ayuda de ayer",
        "mil gracias",
        "gracias por atenderme tan rapido",
        "gracias, ya esta todo bien",
        "ok gracias",
        "listo gracias",
        "bueno gracias por la ayuda",
        "genial, gracias por la ayuda con el tramite",
        "hola buen dia",
        "buenas tardes",
        "hola como estas",
        "chau gracias",
        "perfecto, muchas gracias",
        "dale gracias",
    ],
}

ROUTINE_MORE = [
    "sigue sin luz, y ahora tambien la de enfrente",
    "seguimos sin luz desde ayer",
    "se corto la luz de nuevo y ahora tampoco hay agua",
    "ahora se corto la luz en toda la cuadra",
    "sigue sin luz la calle y ahora tampoco anda el semaforo",
    "ahora tampoco pasa el colectivo",
    "y ahora la luminaria de enfrente tampoco anda",
    "sigue igual, ahora tambien se rompio la vereda de al lado",
    "ahora hay dos pozos en vez de uno",
    "ahora se sumo la casa de enfrente al corte de luz",
    "todavia no volvio la luz, ahora son tres dias",
    "sigue el bache y ahora se hizo mas grande",
    "ahora tampoco hay señal de internet",
    "la luz va y viene desde la mañana",
    "no tenemos luz en la manzana, ahora tampoco agua",
    "seguimos esperando que arreglen la luz de la esquina",
    "mi marido trabaja en la obra de la ruta y pregunta por el permiso",
    "mi hijo juega al futbol en el club del barrio, hay becas",
    "mi hija se llama Brisa y quiere anotarse en danza",
    "mi abuela cumple 90 años y queremos hacerle un homenaje en el centro de jubilados",
    "mi mama quiere aprender a usar la compu, hay cursos",
    "mi papa esta jubilado y quiere hacer voluntariado",
    "mi esposa tiene un emprendimiento de comida y quiere un permiso",
    "mi novio y yo queremos casarnos por civil",
    "mi hermano se muda al barrio y pregunta por el colectivo",
    "mi sobrino necesita un certificado de alumno regular",
    "mi nieto va a la escuela 45 y falta el transporte",
    "mi tia vive sola y quiere saber del programa de acompañamiento",
    "mi vecina Ramona pregunta por el bono de jubilados",
    "mi nombre es Ramona y vivo en Godoy Cruz",
    "soy Crescencio Paredes, vecino del barrio Cruz del Sur",
    "vivo en Guaymallen cerca de la plaza",
    "estoy en Villa Nueva y quiero saber donde pagar la tasa",
    "me mude a Lujan de Cuyo el mes pasado",
    "vengo de Cordoba y quiero cambiar el domicilio",
    "trabajo en la panaderia de la esquina y queremos poner mesas en la vereda",
    "mi perro se llama Rayo y quiero vacunarlo",
    "el colegio San Jose organiza una feria el sabado",
    "el grupo scout hace una colecta de ropa",
    "quiero felicitar a la chica del mostrador por la atencion",
    "soy de la comision vecinal del barrio La Cruz",
    "tengo una consulta sobre el club de abuelos",
    "la señora Cristina pregunta por el bono",
    "mi hijo cumple años y queremos usar el salon de la plaza",
    "mi mujer es docente y pregunta por el acto del 9 de julio",
    "los chicos de la escuela hacen una muestra de arte",
    "mi hija adolescente quiere hacer la pasantia en la muni",
    "mi abuelo era bombero voluntario y queremos donar sus cosas",
    "mi bebe nacio la semana pasada y quiero hacer la partida",
    "mi pareja y yo queremos adoptar un gato del refugio",
    "mi hermana estudia enfermeria y busca practicas",
    "mi vieja pregunta si el colectivo pasa por el hospital los domingos",
    "mi viejo quiere saber cuando abre la pileta",
    "los nenes del jardin van de excursion a la granja",
    "la nena de mi vecina vende rifas para el viaje de egresados",
    "mi familia quiere plantar arboles en la vereda",
    "mi hijo perdio la campera en el polideportivo",
    "mi marido encontro una billetera en la plaza, donde la llevo",
    "mi abuela se olvida las cosas, hay talleres de memoria",
    "mi papa quiere cortar el arbol de su casa, necesita permiso",
    "mi mama cocina para el comedor y necesitan una heladera",
    "queremos hacer una pelea de almohadas en la plaza para el dia del niño jaja",
    "el chico que corta el pasto no vino esta semana",
    "mi hijo quiere ser guardavidas, donde hace el curso",
    "mi hija juega al hockey y la cancha no tiene luz",
    "soy la mama de Tomas, de segundo grado, pregunto por el comedor",
    "hay un pozo en la calle",
    "se rompio el banco de la plaza",
    "la canilla del patio gotea",
    "el vecino tiene gallinas y hay olor",
    "se me rompio la bici en la bicisenda por un pozo",
    "hay basura en la esquina",
    "hay escombros en la vereda",
    "los vecinos sacan la basura cualquier dia",
    "la cloaca esta tapada",
    "el desague pluvial esta tapado con hojas",
    "la boca de tormenta esta llena de basura",
    "hay un caño de agua perdiendo en la esquina",
    "sale poca presion de agua en el segundo piso",
    "el agua sale turbia desde ayer",
    "la boleta del agua vino con un error",
    "quiero dar de baja el servicio de agua",
    "el medidor de agua esta roto",
    "hay un poste inclinado hace meses",
    "la lampara del alumbrado titila",
    "el reflector de la cancha no anda",
    "las luces de la plaza quedan prendidas de dia",
    "el semaforo peatonal no funciona",
    "falta un cartel de pare en la esquina",
    "pinten la senda peatonal de la escuela",
    "hay autos estacionados en doble fila",
    "el estacionamiento medido cobra de mas",
    "quiero pedir un lugar para discapacitado frente a mi casa",
    "las motos hacen mucho ruido con el escape",
    "un camion descarga en la vereda todos los dias",
    "la obra de enfrente tira polvo",
    "el vecino construye sin permiso",
    "quiero saber si necesito permiso para una pileta",
    "como habilito mi local de comidas",
    "quiero renovar la habilitacion del comercio",
    "necesito un plano aprobado",
    "cuando vence la tasa municipal",
    "no me llego la boleta de la tasa",
    "quiero adherirme al debito automatico",
    "me cobraron dos veces el impuesto automotor",
    "como saco la libre deuda",
    "donde pago la patente",
    "quiero un plan de pagos",
    "la pagina de la muni no anda",
    "no puedo entrar con mi clave",
    "quiero un turno en el centro de salud",
    "hay turnos para el oculista",
    "cuando vacunan contra la gripe",
    "donde me vacuno contra el sarampion",
    "necesito un certificado de vacunas",
    "quiero la libreta sanitaria",
    "la salita no tiene pediatra los jueves",
    "hay mucha espera en la guardia para un turno comun",
    "mi mama necesita pañales de la obra social",
    "quiero inscribir a mi hijo en el jardin municipal",
    "cuando empiezan las inscripciones a la colonia de verano",
    "la escuela no tiene gas para la estufa desde hace una semana",
    "falta un docente en la escuela rural",
    "el comedor escolar necesita mercaderia",
    "quiero una beca para mi hijo",
    "la biblioteca cierra muy temprano",
    "hay talleres de guitarra para chicos",
    "el polideportivo esta sucio",
    "la pileta del club municipal esta verde",
    "el pasto de la cancha esta muy alto",
    "faltan arcos en la canchita del barrio",
    "los juegos de la plaza estan oxidados",
    "quiero que pongan una hamaca para bebes",
    "los bebederos de la plaza no andan",
    "hay grafitis en la pared del museo",
    "pintaron la pared de mi casa sin permiso",
    "hay una casa abandonada con yuyos",
    "el terreno baldio esta lleno de basura",
    "hay mosquitos por el agua estancada",
    "pido fumigacion contra el dengue",
    "hay cucarachas en el edificio publico",
    "hay palomas en el techo de la escuela",
    "un perro callejero duerme en la puerta del negocio",
    "quiero adoptar un perro del refugio",
    "hay un gato herido en la plaza",
    "el perro del vecino hace caca en mi vereda",
    "quiero denunciar maltrato a un caballo de carro",
    "el colectivo pasa cada una hora",
    "el colectivo no respeta el horario",
    "el chofer no paro en la parada",
    "quiero la tarjeta sube con descuento",
    "no hay garita en la parada del barrio",
    "el camino rural esta lleno de pozos",
    "la ruta tiene las banquinas altas",
    "falta ripio en el camino vecinal",
    "el puente de madera tiene tablas flojas, pidan arreglo",
    "la alcantarilla del camino esta rota",
    "el arroyo esta sucio con bolsas",
    "la costanera no tiene luz",
    "hay ruido de musica fuerte en la plaza los fines de semana",
    "el boliche hace ruido hasta las 6",
    "el vecino tiene el perro ladrando todo el dia",
    "la fabrica hace ruido de noche",
    "quiero denunciar un comercio que vende alcohol a menores",
    "el kiosco no da factura",
    "los precios del mercado municipal son altos",
    "la feria no tiene baños",
    "hay vendedores ambulantes en la vereda",
    "quiero un puesto en la feria",
    "el cementerio esta descuidado",
    "quiero renovar la parcela del cementerio",
    "el arbol de la plaza tiene una rama seca",
    "el arbol tapa el cartel de la calle",
    "quiero que planten un arbol en mi vereda",
    "las raices rompen el caño de la cloaca",
    "el arbol ensucia el techo con hojas",
    "quiero pedir poda de un eucalipto",
    "se cayo una rama chica en la vereda, no molesta mucho",
    "la rama del arbol toca mi ventana",
    "la luz se corta a cada rato en el barrio",
    "el transformador hace ruido",
    "se corto la luz otra vez y se me quemo la heladera",
    "quiero reclamar por la tarifa de la luz",
    "el internet anda lento en el barrio",
    "no hay señal de celular en el paraje",
    "la antena de celular esta muy cerca de la escuela",
    "quiero saber cuando asfaltan mi calle",
    "cuando hacen las cloacas en mi barrio",
    "la obra de la calle quedo a medias",
    "los de la obra dejaron arena en la calle",
    "hay una zanja abierta sin cartel",
    "quiero un subsidio para la garrafa",
    "cuando entregan la garrafa social",
    "necesito chapas para el techo que se llueve",
    "necesito colchones para mi familia",
    "quiero anotarme para un plan de vivienda",
    "quiero saber el estado de mi expediente",
    "necesito hablar con el intendente",
    "quiero hacer una sugerencia para la plaza",
    "felicito a los barrenderos de la cuadra",
    "gracias por arreglar la calle",
    "buen dia, una consulta nada mas",
    "como hago para ser voluntario en bomberos",
    "donde queda la oficina de empleo",
    "busco trabajo, hay cursos de oficio",
    "quiero el carnet de manipulador de alimentos",
    "cuanto cuesta el registro de conducir",
    "perdi el registro, como lo renuevo",
    "donde hago el tramite de la partida de nacimiento",
    "quiero casarme en el registro civil, que necesito",
    "la plaza no tiene rampa para sillas de ruedas",
    "la vereda del hospital esta rota y los abuelos se tropiezan",
    "el ascensor de la muni no anda",
    "en la oficina no atiende nadie a la tarde",
    "me atendieron mal en mesa de entradas",
    "quiero hacer una queja por un empleado",
    "hace frio en la sala de espera",
    "el baño publico de la terminal esta sucio",
    "el cajero de la terminal no anda",
    "la terminal no tiene wifi",
    "hay humo de la chimenea del vecino todas las noches",
    "sale humo de la parrilla del restaurante y molesta",
    "hay olor a cloaca en la esquina",
    "huele mal el arroyo en verano",
    "hay olor a basura quemada los domingos",
    "el basural a cielo abierto junta moscas",
    "queman cables en el baldio y hay humo, es de siempre",
    "los chicos tiran petardos en las fiestas",
    "hay mucha gente en la plaza tomando alcohol",
    "los chicos del barrio no tienen donde jugar",
    "los adolescentes necesitan un espacio para reunirse",
    "mi hijo se lastimo la rodilla en la plaza el mes pasado, arreglen el piso",
    "mi abuela necesita que la acompañen al medico la semana que viene",
    "quiero el transporte para discapacitados para el martes",
    "necesito un turno de kinesiologia para mi papa",
    "mi vecina anciana vive sola y necesita ayuda con las compras",
    "quiero visitar el hogar de ancianos",
    "hay una rata muerta en la vereda",
    "hay un perro muerto en la ruta, que lo saquen",
    "el contenedor se prendio fuego el año pasado y nunca lo cambiaron",
    "la calle se inunda cuando llueve, pidan obras",
    "hay un charco enorme que no se seca",
    "se tapo la alcantarilla y cuando llueve se junta agua",
    "la vereda esta resbalosa con el musgo",
    "la rampa del cordon esta rota",
    "pongan un semaforo en la ruta",
    "pongan lomos de burro en la avenida",
    "los camiones pesados pasan por el barrio y rompen la calle",
]

FILLERS = ["eh", "este", "bueno", "o sea", "nada", "mm", "viste", "digamos", "ehh"]
ROUTINE_PREFIX = [
    "es por el alumbrado de la calle",
    "les escribo por la basura que no pasa",
    "queria reclamar por el bache",
    "es por el reclamo de la poda",
    "hola, por lo del agua que no sale",
    "les escribo por el semaforo",
]
# Long, polite routine openings: the emergency (or nothing) comes in the last sentence.
LONG_ROUTINE = [
    "buenas tardes, les escribo porque hace mas de un mes hice un reclamo por el bache de la esquina y todavia nadie vino a verlo, ya se rompieron dos autos.",
    "hola buen dia, queria consultar por la tasa de alumbrado que me llego con un monto que no corresponde, ya pague en termino y tengo el comprobante.",
    "disculpen la molestia, les comento que el camion de la basura no pasa por mi cuadra desde el lunes y los perros rompen las bolsas.",
    "hola, soy vecina del barrio norte, queria pedir la poda del arbol de mi vereda porque las ramas tocan los cables del telefono.",
    "buenas noches, perdon la hora, les escribo por el turno del registro de conducir que saque para el jueves y no me llego la confirmacion.",
    "hola que tal, queria saber si el reclamo de la luz de la plaza ya esta cargado, me dieron un numero pero no lo encuentro.",
    "buen dia, les escribo por el zanjon de la calle 12 que esta tapado de basura, cuando llueve se llena y huele mal.",
    "hola, una consulta por el horario del centro de salud, mi mama tiene turno con el clinico y no se si abren el feriado.",
    "estimados, me dirijo a ustedes para reiterar el pedido de reparacion de la vereda de la escuela, esta toda levantada.",
    "hola, mire, yo ya llame tres veces por lo del agua que sale turbia, me dijeron que mandaban a alguien y no vino nadie.",
]
LONG_LINKS = [" ", " ah, y ", " aparte, ", " tambien les aviso que ", " y perdon, pero ", " otra cosa: ", " y ahora "]
TYPO_SWAPS = [("s", "z"), ("c", "s"), ("v", "b"), ("ll", "y"), ("qu", "k"), ("que", "q"), ("por", "x"), ("h", "")]


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _voice(rng: random.Random, text: str) -> str:
    words = text.split()
    out: list[str] = []
    for word in words:
        if rng.random() < 0.15:
            out.append(rng.choice(FILLERS))
        out.append(word)
        if rng.random() < 0.12:
            out.append(word)
    return " ".join(out)


def _typo(rng: random.Random, text: str) -> str:
    words = text.split()
    for _ in range(rng.randint(1, 2)):
        if not words:
            break
        i = rng.randrange(len(words))
        old, new = rng.choice(TYPO_SWAPS)
        if old in words[i]:
            words[i] = words[i].replace(old, new, 1)
        elif len(words[i]) > 3:
            j = rng.randrange(len(words[i]) - 1)
            w = words[i]
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def _noise(rng: random.Random, text: str) -> str:
    r = rng.random()
    if r < 0.25:
        text = _voice(rng, text)
    elif r < 0.45:
        text = _typo(rng, text)
    if rng.random() < 0.1:
        text = text.upper()
    if rng.random() < 0.08:
        words = text.split()
        if words:
            i = rng.randrange(len(words))
            words[i] = words[i] + words[i][-1] * rng.randint(2, 4)
            text = " ".join(words)
    if rng.random() < 0.3:
        text = text.replace(",", "").replace(".", "")
    return text


def _compose(rng: random.Random, core: str, closers: list[str], *, urgent: bool) -> str:
    parts = [rng.choice(OPENERS), core]
    place = rng.choice(PLACES)
    if place and rng.random() < 0.6:
        parts.insert(2, place)
    if rng.random() < 0.12:
        parts.insert(1, rng.choice(ROUTINE_PREFIX) + rng.choice(("... y ahora", "... y tambien", ", y ahora")))
    if not urgent and rng.random() < 0.1:
        parts.append("y ademas " + rng.choice(CALM["routine"]))
    parts.append(rng.choice(closers))
    text = " ".join(p for p in parts if p)
    return _noise(rng, text)


STREETS = [
    "San Martin",
    "Belgrano",
    "Sarmiento",
    "Rivadavia",
    "Mitre",
    "25 de Mayo",
    "9 de Julio",
    "Moreno",
    "Urquiza",
    "Las Heras",
    "Colon",
    "Independencia",
    "Italia",
    "España",
    "Pellegrini",
    "Alem",
    "Roca",
    "Lavalle",
    "Maipu",
    "Corrientes",
    "Entre Rios",
    "Los Alamos",
    "Las Rosas",
    "Juan B. Justo",
    "Hipolito Yrigoyen",
    "Peron",
    "Eva Peron",
    "Brown",
    "Dorrego",
    "Saavedra",
    "Castelli",
    "Paso",
    "Chacabuco",
    "Tucuman",
    "Salta",
    "Jujuy",
    "Mendoza",
]
NAMES = [
    "Juan Perez",
    "Maria Gomez",
    "Ana Lopez",
    "Carlos Fernandez",
    "Rosa Martinez",
    "Jorge Diaz",
    "Lucia Romero",
    "Marta Sosa",
    "Pedro Alvarez",
    "Silvia Torres",
    "Hugo Ruiz",
    "Graciela Benitez",
    "Nicolas Acosta",
    "Sofia Rojas",
]


def _intake_answers(rng: random.Random) -> list[str]:
    """What citizens type when the bot asks for an address, a name, a phone, an email or a DNI."""
    out: list[str] = []
    for street in STREETS:
        other = rng.choice(STREETS)
        number = rng.randint(1, 4999)
        out += [
            f"{street} {number}",
            f"Av. {street} {number}",
            f"calle {street} {number}",
            f"{street} y {other}",
            f"{street} entre {other} y {rng.choice(STREETS)}",
            f"barrio {street} manzana {rng.randint(1, 40)} casa {rng.randint(1, 30)}",
            f"en {street} al {number // 100 * 100}",
            f"frente a la plaza {street}",
        ]
    for name in NAMES:
        first, last = name.split()
        out += [
            name,
            name.lower(),
            f"me llamo {name}",
            f"soy {first}",
            f"{first.lower()}{last.lower()}@gmail.com",
            f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@hotmail.com",
        ]
    for _ in range(40):
        out += [
            f"261{rng.randint(4000000, 6999999)}",
            f"11 {rng.randint(4000, 6999)}-{rng.randint(1000, 9999)}",
            str(rng.randint(20000000, 45000000)),
            f"mi dni es {rng.randint(20000000, 45000000)}",
        ]
    out += [
        "si",
        "no",
        "ok",
        "dale",
        "listo",
        "confirmo",
        "correcto",
        "esta bien",
        "si gracias",
        "no gracias",
        "1",
        "2",
    ]
    return out


def generate() -> list[tuple[int, str, str]]:
    rng = random.Random(SEED)
    rows: list[tuple[int, str, str]] = [(0, "intake", answer) for answer in _intake_answers(rng)]
    for category, cores in URGENT.items():
        per_core = min(9, max(4, 200 // len(cores)))
        for core in cores:
            for _ in range(per_core):
                rows.append((1, category, _compose(rng, core, CLOSERS, urgent=True)))
    for trap, cores in CALM.items():
        per_core = min(18, max(8, 320 // len(cores)))
        for core in cores:
            for _ in range(per_core):
                rows.append((0, trap, _compose(rng, core, CLOSERS, urgent=False)))
    # Broad everyday topics: the open world of calm messages, alone, in pairs and with the scaffolding.
    for core in ROUTINE_MORE:
        for _ in range(3):
            rows.append((0, "routine", _compose(rng, core, CLOSERS, urgent=False)))
        other = rng.choice(ROUTINE_MORE)
        rows.append((0, "routine", _noise(rng, f"{core} y ademas {other}")))
    # Long routine messages: the emergency in the last sentence counts; a routine last sentence stays calm.
    for category, cores in URGENT.items():
        for core in cores[::3]:
            text = rng.choice(LONG_ROUTINE) + rng.choice(LONG_LINKS) + core
            rows.append((1, category, _noise(rng, text) if rng.random() < 0.3 else text))
    for trap, cores in CALM.items():
        for core in cores[::4]:
            text = rng.choice(LONG_ROUTINE) + rng.choice(LONG_LINKS) + core
            rows.append((0, trap, _noise(rng, text) if rng.random() < 0.3 else text))
    for core in ROUTINE_MORE[::2]:
        rows.append((0, "routine", rng.choice(LONG_ROUTINE) + rng.choice(LONG_LINKS) + core))
    seen: set[str] = set()
    unique: list[tuple[int, str, str]] = []
    for label, category, text in rows:
        text = " ".join(text.split())
        key = _strip_accents(text.lower())
        if text and key not in seen:
            seen.add(key)
            unique.append((label, category, text))
    return unique


def main() -> None:
    rows = generate()
    with OUT.open("w", encoding="utf-8") as handle:
        handle.write("label\tcategory\ttext\n")
        for label, category, text in rows:
            handle.write(f"{label}\t{category}\t{text}\n")
    print(f"{len(rows)} rows -> {OUT}")


if __name__ == "__main__":
    main()
