"""Pure parts of the ticket service: ids, PINs, status transitions, text limits."""

from __future__ import annotations

import pytest

from ventanilla.errors import BadRequest, TooLarge
from ventanilla.tickets import service
from ventanilla.tickets.models import ESTADOS, Ticket


def test_ids_are_random_and_javascript_safe() -> None:
    ids = {service.new_ticket_id() for _ in range(2000)}
    assert len(ids) == 2000 and all(2**40 <= i < 2**53 for i in ids)


def test_pins_are_six_digits() -> None:
    assert all(len(p) == 6 and p.isdigit() for p in (service.new_pin() for _ in range(100)))


def test_every_estado_has_a_label() -> None:
    assert set(ESTADOS) == set(service.ESTADO_LABELS) and set(ESTADOS) >= service.PANEL_ESTADOS


@pytest.mark.parametrize(
    ("live", "agent", "estado", "ok"),
    [
        (False, None, "resuelto", True),
        (False, None, "nuevo", True),
        (False, None, "cerrado", True),
        (False, None, "en_vivo", False),
        (False, None, "esperando_agente_en_vivo", False),
        (True, None, "esperando_agente_en_vivo", True),
        (True, None, "en_vivo", False),
        (True, 7, "en_vivo", True),
        (False, None, "volando", False),
    ],
)
def test_transition_rules(live: bool, agent: int | None, estado: str, ok: bool) -> None:
    ticket = Ticket(estado="en_proceso", is_live_chat=live, assigned_agent_id=agent)
    assert (service.transition_error(ticket, estado) is None) is ok


@pytest.mark.parametrize(("text", "error"), [("", BadRequest), ("   ", BadRequest), ("x" * 4001, TooLarge)])
def test_text_limits(text: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        service.check_text(text)


def test_text_is_trimmed() -> None:
    assert service.check_text("  hola  ") == "hola"
