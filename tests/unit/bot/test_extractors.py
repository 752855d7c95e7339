"""Each slot extractor and the intent rules against their labelled tables (tests/unit/bot/extractor_tables.py).

Every row must pass: a row that fails is a bug to fix or a row to move to docs/bot.md's known misses, not a floor."""

from __future__ import annotations

import pytest

from tests.unit.bot import extractor_tables as tables
from ventanilla.bot.intents import classify
from ventanilla.bot.slots import extract, find_address, find_email, find_name, find_phone, find_ticket_ref


@pytest.mark.parametrize(("text", "expected"), tables.ADDRESSES)
def test_addresses_in_free_text(text: str, expected: str | None) -> None:
    place = find_address(text)
    assert (place.text if place else None) == expected


@pytest.mark.parametrize(("text", "expected"), tables.ADDRESS_ANSWERS)
def test_addresses_as_answers(text: str, expected: str | None) -> None:
    place = extract(text, asked="ubicacion").place
    assert (place.text if place else None) == expected


def test_typed_coordinates_are_a_point() -> None:
    place = find_address("-32.8895, -68.8458")
    assert place is not None and (place.latitud, place.longitud) == (-32.8895, -68.8458)


@pytest.mark.parametrize(("text", "expected"), tables.PHONES)
def test_phones(text: str, expected: str | None) -> None:
    assert find_phone(text) == expected


@pytest.mark.parametrize(("text", "expected"), tables.EMAILS)
def test_emails(text: str, expected: str | None) -> None:
    assert find_email(text) == expected


@pytest.mark.parametrize(("text", "expected"), tables.NAMES)
def test_names_in_free_text(text: str, expected: str | None) -> None:
    assert extract(text).nombre == expected


@pytest.mark.parametrize(("text", "expected"), tables.NAME_ANSWERS)
def test_names_as_answers(text: str, expected: str | None) -> None:
    assert find_name(text, bare=True, asked=True) == expected or (expected is None and extract(text).nombre is None)


@pytest.mark.parametrize(("text", "expected"), tables.TICKET_REFS)
def test_ticket_numbers_and_pins(text: str, expected: tuple[int | None, str | None]) -> None:
    ref = find_ticket_ref(text)
    assert (ref.nro, ref.pin) == expected


def test_a_lone_pin_with_a_leading_zero_is_a_pin_when_one_is_expected() -> None:
    assert find_ticket_ref("077877", bare_pin=True).pin == "077877"


@pytest.mark.parametrize(("text", "expected"), tables.INTENTS)
def test_intents(text: str, expected: str) -> None:
    assert classify(text, ("Baches y calles", "Residuos y limpieza", "Alumbrado público")).value == expected
