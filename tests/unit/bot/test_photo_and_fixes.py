"""The optional photo offer during the intake, and a "no" at the summary that asks what to correct."""

from __future__ import annotations

import pytest

from ventanilla.bot.engine import CancelComplaint, CreateComplaint, Incoming
from ventanilla.bot.understanding import is_plain_no, named_field, without_photo_decline

from .test_conversation import play

PHOTO_OFFER = "Si tenés una foto, mandala; si no, seguimos."


def test_the_photo_is_offered_once_when_the_contact_is_asked() -> None:
    first, second = play(["se cayó una rama grande en Pringles 340", "a ver si me acuerdo"])
    assert PHOTO_OFFER in first.respuesta
    assert PHOTO_OFFER not in second.respuesta


def test_no_photo_offer_once_a_photo_came() -> None:
    (first,) = play(
        [Incoming(text="basura en la esquina de Rondeau y Tiburcio Benegas", attachment_url="https://x/f.jpg")]
    )
    assert PHOTO_OFFER not in first.respuesta
    assert first.state.draft.attachment_url == "https://x/f.jpg"


@pytest.mark.parametrize("decline", ["no tengo foto", "No, no tengo ninguna foto ahora", "sin foto", "no"])
def test_declining_the_photo_moves_on_and_is_never_a_name_or_a_cancel(decline: str) -> None:
    replies = play(["se cayó una rama grande en Pringles 340", decline, "Ramona Ledesma 2614093355", "sí"])
    assert "seguimos sin foto" in replies[1].respuesta
    assert replies[1].effect is None
    assert replies[1].state.draft.nombre is None
    assert isinstance(replies[-1].effect, CreateComplaint)
    assert replies[-1].effect.draft.nombre == "Ramona Ledesma"


def test_a_decline_with_the_contact_beside_it_keeps_the_contact() -> None:
    replies = play(["se cayó una rama grande en Pringles 340", "no tengo foto, soy Ramona Ledesma, 2614093355"])
    d = replies[-1].state.draft
    assert (d.nombre, d.telefono) == ("Ramona Ledesma", "2614093355")


def test_a_photo_during_the_contact_step_is_attached() -> None:
    replies = play(
        [
            "se cayó una rama grande en Pringles 340",
            Incoming(text="", attachment_url="https://x/r.jpg"),
            "Ramona Ledesma 2614093355",
            "dale",
        ]
    )
    assert isinstance(replies[-1].effect, CreateComplaint)
    assert replies[-1].effect.draft.attachment_url == "https://x/r.jpg"


AT_SUMMARY = ["hay un pozo hondo en Rufino Ortega 410", "Ezequiel Funes 2615008811"]


def test_no_at_the_summary_asks_what_to_correct_and_keeps_the_draft() -> None:
    replies = play([*AT_SUMMARY, "no"])
    assert "¿Qué dato querés corregir?" in replies[-1].respuesta
    assert replies[-1].effect is None
    assert replies[-1].state.draft.ubicacion == "Rufino Ortega 410"


@pytest.mark.parametrize(
    ("turns", "field", "value"),
    [
        (["no, el nombre está mal, es Marta Gimenez"], "nombre", "Marta Gimenez"),
        (["no", "el nombre", "Marta Gimenez"], "nombre", "Marta Gimenez"),
        (["no", "Marta Gimenez"], "nombre", "Marta Gimenez"),
        (["nop", "la dirección", "Rufino Ortega 1410"], "ubicacion", "Rufino Ortega 1410"),
        (["no", "la dirección es Rufino Ortega 1410"], "ubicacion", "Rufino Ortega 1410"),
        (["está mal", "el teléfono", "2615008812"], "telefono", "2615008812"),
    ],
)
def test_corrections_after_a_no(turns: list[str], field: str, value: str) -> None:
    replies = play([*AT_SUMMARY, *turns, "sí"])
    assert isinstance(replies[-1].effect, CreateComplaint)
    assert getattr(replies[-1].effect.draft, field) == value


@pytest.mark.parametrize("cancel", ["cancelá", "no quiero hacerlo", Incoming(action="cancelar_reclamo")])
def test_only_an_explicit_cancel_discards_the_draft(cancel: str | Incoming) -> None:
    replies = play([*AT_SUMMARY, "no", cancel])
    assert isinstance(replies[-1].effect, CancelComplaint)


def test_the_summary_says_what_a_no_does() -> None:
    replies = play(AT_SUMMARY)
    assert "decime qué dato querés corregir" in replies[-1].respuesta
    assert "para cancelar" not in replies[-1].respuesta


@pytest.mark.parametrize(
    ("text", "field", "plain_no", "rest"),
    [
        ("el nombre", "nombre", False, None),
        ("la dirección está mal", "ubicacion", False, None),
        ("no", None, True, None),
        ("está mal", None, True, None),
        ("no tengo foto", None, False, ""),
        ("no tengo fotos pero es en Mitre 100", None, False, "es en Mitre 100"),
        ("Fotos no tengo", None, False, ""),
    ],
)
def test_the_readers(text: str, field: str | None, plain_no: bool, rest: str | None) -> None:
    from ventanilla.bot.intake import normalize

    assert named_field(normalize(text)) == field
    assert is_plain_no(normalize(text)) is plain_no
    assert without_photo_decline(text) == rest


def test_a_typed_no_the_widget_sends_as_cancel_is_read_as_text() -> None:
    """Both widgets send `cancelar_reclamo` for a typed "no" while their context says a summary awaits confirmation
    (useChatLogic.ts): at the summary it asks which field to correct, and the draft stays."""
    replies = play([*AT_SUMMARY, Incoming(text="no", action="cancelar_reclamo")])
    assert not isinstance(replies[-1].effect, CancelComplaint)
    assert "corregir" in replies[-1].respuesta
    cancelled = play([*AT_SUMMARY, Incoming(text="Cancelar", action="cancelar_reclamo")])
    assert isinstance(cancelled[-1].effect, CancelComplaint)
