"""How the bot reads the urgency verdict of a message before acting on it (pure: no database).

The urgency classifier (`ventanilla.urgency`) is another component's; here the dialogue decides what its verdict
means in a conversation. A clerk escalates when someone is in danger *now*, not when a word sounds alarming: the
word "URGENTE" on a burnt-out lamp, a leaning tree, a dog that bites people who pass, a fallen sign, or a verdict the
learned model gave to a bare name are ordinary complaints. What stays an emergency: everything the rules flagged
outside the hazards below, and any message with a sign of harm happening now (a victim, fire, sparks, "ayuda")."""

from __future__ import annotations

import re
from typing import Final

from ventanilla.text import fold
from ventanilla.urgency import Verdict, classify_rules

CALM: Final = Verdict(False, 0.0, "none", ())

HAZARDS: Final = frozenset({"structure", "electric", "animal", "traffic"})
"""Categories where the thing itself (a tree, a pole, a dog, a sign) is usually a complaint, not an emergency now."""

_ALARM_WORDS: Final = frozenset({"urgente", "urgencia", "emergencia", "es urgente", "es una emergencia"})

_HARM_NOW_RE: Final = re.compile(
    r"\b(?:ayuda|socorro|auxilio|911|ambulancia|ahora mismo|ahora|ya mismo|en este momento|acaba(?:n)? de|"
    r"sangr\w*|herid[oa]s?|lastimad[oa]s?|inconscien\w*|desmay\w*|no respira\w*|no reacciona|no se mueve|"
    r"convuls\w*|atrapad[oa]s?|encerrad[oa]s?|ahog\w*|se lo lleva|se la lleva|le dio la corriente|corriente|"
    r"descarga|electrocut\w*|chispas?|fuego|humo|incendi\w*|llamas|explot\w*|gas|arma|cuchillo|tiros?|disparo\w*|"
    r"pegando|pegandole|golpeando|violen\w*|matar\w*|morir\w*|muert[oa]|suicid\w*|vivir|hacerme dano|"
    r"terminar con todo|no doy mas|pastillas|cortarme|tirad[oa] en el piso|mordiendo|atacando)\b"
)
_NEGATED_HARM_RE: Final = re.compile(
    r"\b(?:no hay (?:nadie |ningun\w* )?|nadie (?:esta |quedo |salio )?|sin |no hubo |no habia nadie )"
    r"(?:herid\w*|lastimad\w*|en peligro|atrapad\w*)"
)
_PROGRESSIVE_RE: Final = re.compile(r"\b(?:esta|estan|se esta|se estan)\s+(?!por\b)\w+(?:ando|iendo)\b")


def _harm_now(folded: str, *, ongoing: bool = False) -> bool:
    """A sign that someone is being harmed, or is in danger, right now (negated mentions aside); with `ongoing`,
    a thing happening as they write ("está tirando", "se está cayendo") counts too."""
    cleaned = _NEGATED_HARM_RE.sub(" ", folded)
    return bool(_HARM_NOW_RE.search(cleaned) or (ongoing and _PROGRESSIVE_RE.search(cleaned)))


def _alarm_word_only(rules: Verdict) -> bool:
    """The rules fired on "urgente" / "emergencia" alone, with nothing that says what happens."""
    said = [r for r in rules.reasons if not r.startswith("modelo")]
    return rules.category == "explicit" and bool(said) and all(fold(r) in _ALARM_WORDS for r in said)


def rules_alarm(text: str) -> bool:
    """The rules (not the model) see an emergency in the text beyond an alarm word alone."""
    rules = classify_rules(text)
    if rules.level != "urgent" or _alarm_word_only(rules):
        return False
    # "no quiero seguir con el reclamo" is a cancel, not a wish to die: self-harm needs words of its own here; and
    # "¿cuándo lo arreglan? ya es la tercera vez que se quema" is about a lamp: other kinds need harm now.
    if rules.category == "self_harm":
        return bool(_SELF_HARM_RE.search(fold(text)))
    return _harm_now(fold(text))


_SELF_HARM_RE: Final = re.compile(
    r"\b(?:vivir|viviendo|vida|matar\w*|mato|morir\w*|muerto|muerta|suicid\w*|dano|lastimarme|cortarme|"
    r"terminar con todo|termino con todo|no doy mas|pastillas|tirarme|desaparecer)\b"
)


_NOBODY_HURT_RE: Final = re.compile(
    r"\b(?:no hay (?:nadie|ninguna persona|ningun herido|heridos|lastimados|peligro)(?: \w+)?|"
    r"nadie (?:salio |quedo |esta |resulto )?(?:lastimad[oa]|herid[oa]|en peligro|golpead[oa])|"
    r"no (?:lastimo|golpeo|hirio|agarro) a nadie|sin heridos|sin lastimados|no hubo heridos|no se lastimo nadie)\b"
)


def read(text: str, verdict: Verdict, *, reports_problem: bool) -> Verdict:
    """`_read`, with the danger question answered in advance: a message that says nobody is hurt ("se cayó un
    árbol, no hay nadie lastimado") is filed as told where the bot would have asked; a sure verdict stands."""
    folded = fold(text)
    if verdict.level == "calm" or not _NOBODY_HURT_RE.search(folded):
        return _read(text, verdict, reports_problem=reports_problem)
    rest = _NOBODY_HURT_RE.sub(" ", folded)
    answer = _read(rest, verdict, reports_problem=reports_problem)
    return CALM if answer.unsure and not _harm_now(rest, ongoing=True) else answer


def _read(text: str, verdict: Verdict, *, reports_problem: bool) -> Verdict:
    """The verdict as the dialogue acts on it: calm for an alarm word ("URGENTE") on an ordinary complaint;
    "unsure" (ask) for an alarm word alone, a verdict of the learned model alone with no sign of harm now, and a
    hazard (tree, pole, dog, sign) with nobody hurt; the classifier's verdict otherwise. An emergency the
    classifier sees is never turned calm here.

    `reports_problem`: the message tells of a city problem the bot files (a category or a problem cue)."""
    if verdict.level == "calm":
        return verdict
    folded = fold(text)
    rules = classify_rules(text)
    if rules.level == "calm":
        # The learned model alone: it has flagged names, addresses and "empecemos de nuevo", so without a sign of
        # harm now the bot asks; it never drops it: the model alone also reads farewells and plans written calmly
        # ("he decidido poner fin a mi vida esta noche"), which no list of words here can know: its self-harm
        # verdict stands.
        sure = _sure_self_harm(folded, verdict, reports_problem=reports_problem)
        if _harm_now(folded) or (verdict.category == "self_harm" and verdict.level == "urgent" and sure):
            return verdict
        if verdict.level != "urgent" and verdict.category == "fire" and _BURNT_OUT_RE.search(folded):
            # "el foco está quemado": a lamp that burnt out, the model's doubt about fire is the word's other sense.
            return CALM
        return _ask_instead(verdict)
    if verdict.category == "self_harm" and len(folded.split()) <= 5 and not _SELF_HARM_RE.search(folded):
        # A few words with no word of dying in them ("no quiero seguir", "no puedo más") may be a cancel or a wish
        # to die: the bot asks, the person says which (escalating a cancel locked people in an urgent ticket).
        return _ask_instead(verdict) if verdict.level == "urgent" else verdict
    if verdict.category in _PERSON_HARM and _thing_fallen(folded):
        # "el cartel de PARE está tirado en el piso": the thing lies there, not a person; the bot asks, never calms.
        return _ask_instead(verdict)
    if verdict.category == "violence" and _figurative(folded):
        # "me va a matar con la música": a threat whose weapon is a nuisance is a figure of speech about it; the bot
        # asks rather than escalates, and never calms it.
        return _ask_instead(verdict)
    if _alarm_word_only(rules):
        if reports_problem:
            return CALM
        return Verdict(False, verdict.score, "explicit", verdict.reasons, unsure=True)
    if verdict.category in HAZARDS and rules.category in HAZARDS and not _harm_now(folded, ongoing=True):
        # A leaning tree or a fallen sign is usually a complaint, but a wall fallen on someone who shouts is not:
        # the person answers the question, the bot does not decide it away.
        return _ask_instead(verdict)
    return verdict


_SURE_SELF_HARM: Final = 0.8
_FAREWELL_RE: Final = re.compile(
    r"\b(?:me despido|despedirme|adios a todos|perdonenme|perdoname|no aguanto mas|poner fin|ultima vez|"
    r"ya no (?:aguanto|puedo)|no quiero (?:estar|seguir)|nadie me va a extranar|carta)\b"
)


def _sure_self_harm(folded: str, verdict: Verdict, *, reports_problem: bool) -> bool:
    """The learned model alone reads self-harm: sure with words of dying or farewell, or above 0.8 in a message that
    tells of no city problem; otherwise (a greeting letter, "una obra hace ruidos... tengo un bebé y no podemos
    descansar") the bot asks instead."""
    if _SELF_HARM_RE.search(folded) or _FAREWELL_RE.search(folded):
        return True
    return verdict.score >= _SURE_SELF_HARM and not reports_problem


_BURNT_OUT_RE: Final = re.compile(
    r"\b(?:foco|focos|lampara|lamparas|lamparita|luz|luces|luminaria|luminarias|farol|faroles|bombita|reflector|"
    r"foquito)\b(?:\s+\w+){0,7}?\s+(?:quemad[oa]s?|se quemo|se quemaron)\b"
)
_PERSON_HARM: Final = frozenset({"medical", "violence"})
_THING_RE: Final = re.compile(
    r"\b(?:cartel\w*|senal\w*|poste|postes|columna|arbol|arboles|rama|ramas|semaforo\w*|cables?|contenedor\w*|"
    r"tapa|reja|pared|muro|techo|chapa|farol|luminaria|foco|auto|moto|heladera|colchon|escombros?|bolsas?|banco|"
    r"hamaca|tacho|tachos|vidrios?)\b"
)
_PERSON_WORD_RE: Final = re.compile(
    r"\b(?:persona|personas|senor|senora|hombre|mujer|chic[oa]s?|nen[ea]s?|nin[oa]s?|bebe|alguien|vecin[oa]s?|"
    r"abuel[oa]s?|ancian[oa]s?|viejit[oa]s?|joven|pib[ea]s?|hij[oa]s?|mama|papa|esposo|esposa|marido|herman[oa]s?|"
    r"amig[oa]s?|gente|tipo|muchach[oa]s?|chabon|flaco|flaca|peaton|ciclista|motociclista|conductor|"
    r"se desmayo|desmay\w*|no respira|sangr\w*|herid[oa]s?|lastimad[oa]s?|golpead[oa]s?)\b"
)
_POSTURE_RE: Final = re.compile(r"\b(?:esta |estan |quedo |quedaron )?tirad[oa]s? en (?:el piso|la calle|la vereda)\b")


_FIGURATIVE_RE: Final = re.compile(
    r"\b(?:(?:me|nos) (?:va|van) a (?:matar|volver loc[oa])|(?:me|nos) (?:mata|matan|esta matando|estan matando))"
    r"(?: con| de)? (?:(?:el|la|los|las|su|sus|tanto|esa|ese|esta|este) )?"
    r"(?:musica|ruido\w*|parlante\w*|bocina\w*|cumbia|reggaeton|fiesta\w*|ladrid\w*|olor\w*|obra\w*|taladro\w*|"
    r"martill\w*|golpe(?:teo|cito)s?|perro\w*|gallo\w*|alarma\w*|boliche\w*)\b"
)


def _figurative(folded: str) -> bool:
    """A threat said of a nuisance ("me van a matar con los ladridos") and, without it, nothing of harm now."""
    rest = _FIGURATIVE_RE.sub(" ", folded)
    return rest != folded and classify_rules(rest).level == "calm" and not _harm_now(rest)


def _thing_fallen(folded: str) -> bool:
    """A thing (a sign, a pole, a branch) lies on the ground and no person is named or harmed."""
    return (
        bool(_THING_RE.search(folded))
        and not _PERSON_WORD_RE.search(folded)
        and not _harm_now(_POSTURE_RE.sub(" ", folded), ongoing=True)
    )


def _ask_instead(verdict: Verdict) -> Verdict:
    """An emergency the dialogue doubts: "unsure" (the bot asks "¿Hay alguien en peligro ahora mismo?"), never calm."""
    return Verdict(False, verdict.score, verdict.category, verdict.reasons, unsure=True)
