"""tools/architecture_measures.py finds each thing it counts, and nothing else, in a package written here."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def measures_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("architecture_measures", ROOT / "tools" / "architecture_measures.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


FILES = {
    "domain.py": '''
        """Vocabulary."""
        from enum import StrEnum

        class Estado(StrEnum):
            NUEVO = "nuevo"
            CERRADO = "cerrado"
    ''',
    "tickets/repository.py": """
        async def get(session, ticket_id):
            return None
    """,
    "tickets/service.py": '''
        def many(a, b, c, d, e, f, g):
            """"nuevo" in a docstring is not a literal."""
            return a == "cerrado"

        class Thing:
            def __init__(self, a, b, c, d, e, f, g):
                pass

            def six(self, a, b, c, d, e, f):
                return "abierto"
    ''',
    "tickets/http.py": """
        from ventanilla.tickets import repository
        from ventanilla.tickets.repository import get as get_ticket_row

        @router.get("/a")
        async def reads(uow):
            return await repository.get(uow.session, 1)

        @router.get("/b")
        async def reads_and_writes(uow):
            uow.session.add(object())
            return {}

        @router.post("/c")
        async def writes(uow):
            await uow.commit()

        @router.put("/d")
        async def helper_only(uow):
            return await _load(uow)

        async def _load(uow):
            return await get_ticket_row(uow.session, 2)
    """,
}


def test_each_measure_finds_what_it_counts(tmp_path: Path) -> None:
    package = tmp_path / "ventanilla"
    for name, text in FILES.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    measures = measures_module()
    result = measures.measure(measures.load(package))
    assert result["http_handlers"] == 4
    assert result["largest_module"]["module"] == "ventanilla/tickets/http.py"
    assert [i["function"] for i in result["functions_over_6_parameters"]["items"]] == [
        "ventanilla/tickets/service.py:2 many"
    ]
    assert result["handlers_that_commit"]["items"] == ["ventanilla/tickets/http.py:15 writes"]
    assert result["handlers_that_call_a_repository"]["items"] == ["ventanilla/tickets/http.py:6 reads"]
    assert result["repository_calls_in_transport_modules"]["count"] == 2
    assert result["get_handlers_that_write"]["items"] == ["ventanilla/tickets/http.py:10 reads_and_writes"]
    assert result["bare_status_literals"]["items"] == ["ventanilla/tickets/service.py:4 'cerrado'"]
