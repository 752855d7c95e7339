"""Knowledge-base retrieval and CSV parsing, on the demo municipio's entries."""

from __future__ import annotations

import pytest

from ventanilla.errors import BadRequest
from ventanilla.knowledge import search, service
from ventanilla.knowledge.cli import demo_csv

ITEMS = tuple(
    search.Item(i, e.title, e.answer, e.keywords, e.link) for i, e in enumerate(service.parse_csv(demo_csv()), 1)
)


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("¿Cuál es el horario de atención?", "Horarios de atención"),
        ("¿a qué hora abren?", "Horarios de atención"),
        ("¿Qué días pasa el camión de la basura?", "Recolección de residuos"),
        ("como saco el carnet de conducir", "Licencia de conducir"),
        ("renovar licencia", "Licencia de conducir"),
        ("¿Hasta cuándo se paga la tasa municipal?", "Tasas municipales"),
        ("perdí la boleta de la tasa", "Tasas municipales"),
        ("¿cuándo hacen la poda de los árboles?", "Poda de árboles"),
        ("¿Dónde castro a mi perra?", "Castraciones de mascotas"),
        ("castraciones gratis de gatos", "Castraciones de mascotas"),
        ("me estafaron en un comercio, ¿a dónde voy?", "Defensa del consumidor"),
        ("HORARIOS DE ATENCIÓN", "Horarios de atención"),
        ("horaios de atencion", "Horarios de atención"),  # a typo
    ],
)
def test_questions_find_their_entry(question: str, title: str) -> None:
    hit = search.best(ITEMS, question)
    assert hit is not None and hit.item.title == title, search.rank(ITEMS, question)
    assert 0 < hit.confidence <= 1


@pytest.mark.parametrize(
    "question",
    ["¿Cuándo juega Boca?", "¿venden entradas para el teatro?", "cual es la capital de Francia", "", "   ", "🙂", "?"],
)
def test_unanswerable_questions_find_nothing(question: str) -> None:
    assert search.best(ITEMS, question) is None


def test_rank_is_ordered_and_bounded() -> None:
    hits = search.rank(ITEMS, "horario de la recolección de basura", limit=2)
    assert len(hits) == 2 and hits[0].confidence >= hits[1].confidence
    assert search.rank(ITEMS, "x" * 100_000) == []


def test_parse_csv_reads_keywords_and_a_bom() -> None:
    raw = '\ufefftitulo,respuesta,palabras_clave\nA,Respuesta A,"uno, dos , uno"\n'.encode()
    (entry,) = service.parse_csv(raw)
    assert (entry.title, entry.answer, entry.keywords) == ("A", "Respuesta A", ("uno", "dos"))


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        (b"titulo,respuesta\nA,B\n", "Faltan columnas en el CSV: palabras_clave"),
        (b"nombre,texto\nA,B\n", "titulo, respuesta, palabras_clave"),
        ("titulo,respuesta,palabras_clave\nPoda,Se poda en mayo,árbol\n".encode("latin-1"), "UTF-8"),
        (b"titulo,respuesta,palabras_clave\nA,uno,x\nB,dos,y\na,tres,z\n", "Título repetido en las filas 2 y 4"),
        (b"titulo,respuesta,palabras_clave\nA,,x\n", "Fila 2: Falta la respuesta"),
        (b"titulo,respuesta,palabras_clave\n", "no tiene filas"),
        (b"", "Faltan columnas"),
        (b"titulo,respuesta,palabras_clave\n\x00\x01,b,c\n", "no es un CSV"),
    ],
)
def test_parse_csv_bad_input_has_clear_errors(raw: bytes, needle: str) -> None:
    with pytest.raises(BadRequest) as caught:
        service.parse_csv(raw)
    assert needle in caught.value.message
