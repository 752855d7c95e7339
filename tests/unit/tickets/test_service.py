"""Pure parts of the ticket service: ids, PINs, status transitions, text limits."""

from __future__ import annotations

import pytest

from ventanilla.errors import BadRequest, TooLarge
from ventanilla.tickets import service
from ventanilla.tickets.models import ESTADOS


def test_ids_are_random_and_javascript_safe() -> None:
    ids = {service.new_ticket_id() for _ in range(2000)}
    assert len(ids) == 2000 and all(2**40 <= i < 2**53 for i in ids)


def test_pins_are_six_digits() -> None:
    assert all(len(p) == 6 and p.isdigit() for p in (service.new_pin() for _ in range(100)))


def test_every_estado_has_transitions_and_a_label() -> None:
    assert set(service.TRANSITIONS) == set(ESTADOS) == set(service.ESTADO_LABELS)
    for estado, targets in service.TRANSITIONS.items():
        assert estado not in targets and targets <= set(ESTADOS)


@pytest.mark.parametrize(("text", "error"), [("", BadRequest), ("   ", BadRequest), ("x" * 4001, TooLarge)])
def test_text_limits(text: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        service.check_text(text)


def test_text_is_trimmed() -> None:
    assert service.check_text("  hola  ") == "hola"
