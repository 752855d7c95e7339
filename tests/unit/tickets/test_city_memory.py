"""Pure parts of the city's memory: the same place, the answer to the join offer, phone numbers."""

from __future__ import annotations

import pytest

from ventanilla.bot.duplicates import offer_text, read_answer
from ventanilla.chat import keys
from ventanilla.tickets.duplicates import distance_m, same_address
from ventanilla.tickets.identity import find_phone, has_phone, national_phone, ticket_phone
from ventanilla.tickets.models import Ticket


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Rivadavia 350", "rivadavia 350", True),
        ("Av. Godoy Cruz 850", "godoy cruz al 850", True),
        ("Colón y España", "España y Colon", True),
        ("Plaza del barrio Bombal", "plaza del barrio bombal", True),
        ("Mitre 700", "Mitre 700, frente a la farmacia", True),
        ("Mitre 700", "Mitre 1700", False),
        ("Mitre 700", "Belgrano 700", False),
        ("Catamarca 1100", "Catamarca 1150", False),
        ("en la plaza", "en la plaza", True),
        ("plaza", "plaza san martin", False),
        (None, "Mitre 700", False),
    ],
)
def test_same_address(a: str | None, b: str, same: bool) -> None:
    assert same_address(a, b) is same


def test_distance_of_a_block() -> None:
    assert 90 < distance_m(-32.8895, -68.8458, -32.8904, -68.8458) < 110


@pytest.mark.parametrize(
    ("text", "action", "choice"),
    [
        ("sí", None, "join"),
        ("dale, sumame", None, "join"),
        ("si es ese", None, "join"),
        ("no, es otro problema", None, "other"),
        ("no", None, "other"),
        ("es otro", None, "other"),
        ("", "sumarme_reclamo", "join"),
        ("", "es_otro_reclamo", "other"),
        ("cancelar", None, None),
        ("la dirección es Mitre 800", None, None),
    ],
)
def test_the_answer_to_the_join_offer(text: str, action: str | None, choice: str | None) -> None:
    assert read_answer(text, action) == choice


def test_offer_names_number_and_status() -> None:
    assert offer_text(14, "en_proceso").startswith("Ya hay un reclamo igual (N.º 14, en proceso).")


@pytest.mark.parametrize(
    ("raw", "national"),
    [
        ("+54 9 261 444 3322", "2614443322"),
        ("5492614443322", "2614443322"),
        ("0261 15-444-3322", "2614443322"),
        ("261-4443322", "2614443322"),
        ("(0261) 423-5566", "2614235566"),
        ("011 15 5555 1234", "1155551234"),
        ("4443322", None),
        ("123", None),
    ],
)
def test_national_phone(raw: str, national: str | None) -> None:
    assert national_phone(raw) == national


def test_find_phone_in_text() -> None:
    assert find_phone("mi cel es 0261 15-444-3322, gracias") == "2614443322"
    assert find_phone("reclamo 5 pin 257382") is None


def test_a_whatsapp_conversation_names_its_number_without_a_written_phone() -> None:
    filed = Ticket(chat_session_key=keys.whatsapp("5492614443322"), telefono=None)
    assert ticket_phone(filed) == "2614443322" and has_phone(filed, "2614443322")
    forged = Ticket(chat_session_key=keys.web("0b6f1f7e-0c56-4b5e-9d0a-1f2e3d4c5b6a"), telefono=None)
    assert ticket_phone(forged) is None and not has_phone(forged, "2614443322")
