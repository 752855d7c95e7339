"""Labelled tables for the bot's slot extractors and intent rules, written by the bot21 engineer from how people
write to a municipality (not taken from the outsiders' dialogues). `None` means: nothing should be found."""

from __future__ import annotations

ADDRESSES: list[tuple[str, str | None]] = [
    ("se rompió la vereda en Rioja 1200", "Rioja 1200"),
    ("hay un bache en Mitre al 700", "Mitre al 700"),
    ("Mitre al 700", "Mitre al 700"),
    ("por Alem 450 hay una luz apagada", "Alem 450"),
    ("hay un pozo enorme en colón y españa", "Colón y España"),
    ("en la esquina de San Juan y Rivadavia no anda el semáforo", "San Juan y Rivadavia"),
    ("basura acumulada en Catamarca entre Rioja y Salta", "Catamarca entre Rioja y Salta"),
    ("entre Rioja y Salta", "entre Rioja y Salta"),
    ("frente a la escuela 12 hay ramas caídas", "frente a la escuela 12"),
    ("hay ratas en el baldío de Salta 340", "Salta 340"),
    ("auto abandonado en Av. San Martín 1234 hace 3 semanas", "Av. San Martín 1234"),
    ("-32.8895, -68.8458", "Coordenadas -32.889500, -68.845800"),
    ("estoy en -32,8901 -68,8399", "Coordenadas -32.890100, -68.839900"),
    ("vivo en Belgrano 540, barrio Centro", "Belgrano 540, Barrio Centro"),
    ("calle 25 de Mayo 300", "25 de Mayo 300"),
    ("en la calle 9 de julio 455 pierde agua", "9 de Julio 455"),
    ("en la calle San Juan al 1500", "San Juan al 1500"),
    ("en la plaza Independencia hay un árbol caído", "en la plaza Independencia"),
    ("barrio Bombal, manzana C", "Barrio Bombal"),
    ("Luz quemada en Lavalle y San Juan, hace una semana", "Lavalle y San Juan"),
    ("es en godoy cruz 2150", "Godoy Cruz 2150"),
    ("dirección: Perú 1020", "Perú 1020"),
    ("hace 2 semanas que está así", None),
    ("tengo 3 perros y 2 gatos", None),
    ("hay perros y gatos sueltos", None),
    ("Marta Gómez 2614443322", None),
    ("el pasto está altísimo y los juegos rotos", None),
    ("se cortó la luz a las 20 hs", None),
    ("hola buenas tardes", None),
    ("quiero hacer un reclamo", None),
]
"""Free text (found inside a message, without the question asked)."""

ADDRESS_ANSWERS: list[tuple[str, str | None]] = [
    ("Mitre 100", "Mitre 100"),
    ("colón y españa", "Colón y España"),
    ("san martin 1100", "San Martin 1100"),
    ("Belgrano esquina Sarmiento", "Belgrano y Sarmiento"),
    ("frente al hospital Central", "frente al hospital Central"),
    ("Juan Carlos Pérez", None),
    ("2614443322", None),
]
"""Answers to "¿Dónde es?" (the whole message is the place)."""

PHONES: list[tuple[str, str | None]] = [
    ("0261 15-444-3322", "2614443322"),
    ("+54 9 261 444 3322", "2614443322"),
    ("261-4443322", "2614443322"),
    ("2614443322", "2614443322"),
    ("5492614443322", "2614443322"),
    ("(0261) 4443322", "2614443322"),
    ("mi cel es 261 15 5443322", "2615443322"),
    ("15 4443322, característica 261", "2614443322"),
    ("cel 0261-154443322", "2614443322"),
    ("tel: 0260 442-1234", "2604421234"),
    ("11 4567-8901", "1145678901"),
    ("011 15 4567 8901", "1145678901"),
    ("+5493514567890", "3514567890"),
    ("whatsapp 2615 123456", "2615123456"),
    ("Sofía Paz, 2614443322", "2614443322"),
    ("pin 077877", None),
    ("el reclamo 14", None),
    ("Belgrano 540", None),
    ("dni 30.123.456", None),
    ("-32.8895, -68.8458", None),
    ("hace 3 días", None),
]

EMAILS: list[tuple[str, str | None]] = [
    ("ana@example.org", "ana@example.org"),
    ("mi mail es Ana.Gomez@Gmail.com", "ana.gomez@gmail.com"),
    ("juan perez, juanp_1980@yahoo.com.ar, 2614443322", "juanp_1980@yahoo.com.ar"),
    ("correo: marta @ hotmail.com", "marta@hotmail.com"),
    ("no tengo mail", None),
    ("arroba", None),
]

NAMES: list[tuple[str, str | None]] = [
    ("soy Graciela Funes", "Graciela Funes"),
    ("me llamo juan perez y vivo en mitre 100", "Juan Perez"),
    ("mi nombre es Ana María Gómez", "Ana María Gómez"),
    ("no es ese, soy Graciela Funes", "Graciela Funes"),
    ("hola, les escribe Roberto Díaz", "Roberto Díaz"),
    ("Sofía Paz, 2614443322", "Sofía Paz"),
    ("Lucas Fernández, lucas.fernandez@gmail.com", "Lucas Fernández"),
    ("ah ok. Susana Paez 2615887766", "Susana Paez"),
    ("María de los Ángeles Ruiz, 2614443322", "María de los Ángeles Ruiz"),
    ("Bueno", None),
    ("no es ese", None),
    ("hola soy vecino del barrio", None),
    ("soy la vecina de al lado", None),
    ("quiero cambiar la dirección", None),
    ("dale, gracias", None),
    ("hay un bache en Mitre 100", None),
]
"""Names without the question asked: said ("soy...") or next to a phone or email."""

NAME_ANSWERS: list[tuple[str, str | None]] = [
    ("dora juares", "Dora Juares"),
    ("Juan Carlos Pérez", "Juan Carlos Pérez"),
    ("Pérez", None),
    ("bueno", None),
    ("ok dale", None),
]
"""Answers to "¿Cuál es tu nombre?"."""

TICKET_REFS: list[tuple[str, tuple[int | None, str | None]]] = [
    ("el 14, pin 077877", (14, "077877")),
    ("el pin es 077877", (None, "077877")),
    ("reclamo N.º 14 clave 077877", (14, "077877")),
    ("hace 2 semanas hice un reclamo, el número 14, el pin creo que es 123456", (14, "123456")),
    ("14 077877", (14, "077877")),
    ("mi reclamo 12", (12, None)),
    ("quiero saber como va el reclamo numero 8 codigo 004512", (8, "004512")),
    ("N° 31 - PIN: 908172", (31, "908172")),
    ("#5 pin 111222", (5, "111222")),
    ("la clave es 020202 y el numero 9", (9, "020202")),
]

INTENTS: list[tuple[str, str]] = [
    ("quiero hablar con una persona", "person"),
    ("quiero hablar con el intendente", "person"),
    ("me pasás con un humano?", "person"),
    ("no quiero hablar con un robot", "person"),
    ("no, dejá, cancelá", "cancel"),
    ("olvidalo", "cancel"),
    ("chau", "cancel"),
    ("mejor no, ya fue", "cancel"),
    ("quiero empezar de cero", "restart"),
    ("empecemos de nuevo", "restart"),
    ("desde cero", "restart"),
    ("como va mi reclamo 12?", "consult"),
    ("quiero consultar el estado de mi reclamo", "consult"),
    ("perdí el pin", "lost_pin"),
    ("no me acuerdo la clave del reclamo", "lost_pin"),
    ("hello, I want to report a broken street light", "other_language"),
    ("olá, tem um buraco na rua, você pode ajudar?", "other_language"),
    ("sos un inútil", "insult"),
    ("bot de mierda", "insult"),
    ("YA RECLAMÉ 5 VECES POR EL MISMO BACHE!!!", "frustration"),
    ("estoy harta, nadie viene nunca", "frustration"),
    ("cuánto falta?", "wait_time"),
    ("no es una emergencia, nadie está en peligro", "false_alarm"),
    ("¿para qué quieren mi teléfono?", "why_data"),
    ("¿cuándo lo arreglan?", "when_fixed"),
    ("hola buenas", "greeting"),
    ("muchas gracias", "thanks"),
    ("jaja", "chitchat"),
    ("se rompió la vereda en Rioja 1200", "complaint"),
    ("hay ratas en el baldío de la esquina", "complaint"),
    ("auto abandonado en Perú 1020", "complaint"),
    ("la luminaria de mi cuadra está apagada", "complaint"),
    ("¿a qué hora pasa el camión de la basura?", "question"),
    ("¿castran gatos gratis?", "question"),
    ("dejaron basura en la vereda", "complaint"),
]
