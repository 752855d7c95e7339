"""Upload typing: the content decides, the declared type and the name may only agree with it."""

from __future__ import annotations

import re

import pytest

from tests import samples
from ventanilla.attachments.service import (
    KINDS,
    OCTET_STREAM,
    canonical,
    clean_attachment,
    declared_type,
    detect,
    resolve,
    safe_link,
    serving,
)
from ventanilla.errors import BadRequest

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (samples.png(), "image/png"),
        (samples.jpeg(), "image/jpeg"),
        (samples.gif(), "image/gif"),
        (samples.webp(), "image/webp"),
        (samples.pdf(), "application/pdf"),
        (samples.ogg(), "audio/ogg"),
        (samples.webm(), "video/webm"),
        (samples.mp4(), "video/mp4"),
        (samples.m4a(), "audio/mp4"),
        (samples.docx(), DOCX),
        ("Hola, les mando la lista de vecinos:\nJosé;Ana\n".encode(), "text/plain"),
    ],
)
def test_the_content_decides_the_type(content: bytes, expected: str) -> None:
    kind = detect(content)
    assert kind is not None and kind.mime == expected


@pytest.mark.parametrize(
    "content",
    [samples.HTML, samples.SVG, b"  \n<?xml version='1.0'?><x/>", b"MZ" * 40, b"\x00\x01\x02binario", b"\xff\xfe\x00<"],
)
def test_markup_programs_and_binary_junk_are_no_allowed_kind(content: bytes) -> None:
    assert detect(content) is None


@pytest.mark.parametrize(
    ("value", "essence"),
    [
        (None, ""),
        ("", ""),
        ("image/PNG", "image/png"),
        ("audio/webm;codecs=opus", "audio/webm"),
        ('text/plain; charset="utf-8"', "text/plain"),
    ],
)
def test_declared_types_are_parsed_strictly(value: str | None, essence: str) -> None:
    assert declared_type(value) == essence


@pytest.mark.parametrize(
    "value",
    ["image/png,text/html", "image/png, image/svg+xml", "image/png;,application/xhtml+xml", "png", "image/", "a/b c"],
)
def test_lists_and_junk_as_declared_type_are_refused(value: str) -> None:
    with pytest.raises(BadRequest):
        declared_type(value)


@pytest.mark.parametrize(
    ("name", "declared", "content"),
    [
        ("foto.png", "text/html", samples.png()),  # declared type disagrees with the content
        ("foto.png", "image/svg+xml", samples.png()),
        ("informe.pdf", "image/png", samples.pdf()),
        ("foto.html", "image/png", samples.png()),  # the name disagrees
        ("foto.svg", "", samples.png()),
        ("foto.pdf", "", samples.png()),
        ("lista.txt", "", samples.png()),
        ("pagina.png", "image/png", samples.HTML),  # the content is not a picture
        ("dibujo.svg", "image/svg+xml", samples.SVG),
        ("programa.exe", "", b"MZ" * 40),
    ],
)
def test_disagreement_between_content_name_and_type_is_refused(name: str, declared: str, content: bytes) -> None:
    with pytest.raises(BadRequest):
        resolve(name, declared, content)


def test_agreeing_uploads_keep_the_most_precise_type_and_a_fitting_name() -> None:
    assert resolve("foto.jpg", "image/jpeg", samples.jpeg()) == (KINDS["image/jpeg"], "foto.jpg")
    assert resolve("foto", "", samples.jpeg()) == (KINDS["image/jpeg"], "foto.jpg")
    assert resolve("audio-grabado-1.webm", "audio/webm", samples.webm()) == (
        KINDS["audio/webm"],
        "audio-grabado-1.webm",
    )
    # The widget names every voice note .webm, whatever the browser recorded.
    assert resolve("audio-grabado-1.webm", "audio/ogg", samples.ogg()) == (KINDS["audio/ogg"], "audio-grabado-1.ogg")
    assert resolve("audio-grabado-1.webm", "audio/mp4", samples.m4a()) == (KINDS["audio/mp4"], "audio-grabado-1.m4a")
    assert resolve("nota.m4a", "audio/x-m4a", samples.m4a())[0].mime == "audio/mp4"
    assert resolve("carta.docx", "application/zip", samples.docx())[0].mime == DOCX
    assert resolve("vecinos.csv", "text/csv", b"nombre,calle\nAna,San Martin\n")[0].mime == "text/csv"
    assert resolve("informe.pdf", "application/octet-stream", samples.pdf())[0].mime == "application/pdf"


def test_serving_rechecks_the_recorded_type_against_the_content() -> None:
    assert serving("image/png", samples.png()).mime_type == "image/png"
    assert serving("image/png,text/html", samples.HTML).mime_type == OCTET_STREAM
    assert not serving("image/png,text/html", samples.HTML).inline
    assert serving("text/html", samples.png()).mime_type == "image/png"
    assert serving("audio/webm", samples.webm()).mime_type == "audio/webm"
    text = serving("text/plain", b"hola")
    assert text.mime_type == "text/plain; charset=utf-8" and not text.inline
    assert not serving("application/pdf", samples.pdf()).inline
    assert canonical("image/jpg") == "image/jpeg"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        " JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "file:///etc/passwd",
        "//evil.example/x.png",
        "http:///nohost",
        "/tickets/municipio/1",
        "/archivos/../tickets",
        "https://ok.example/\x00x",
        "java\nscript:alert(1)",
        12,
        None,
    ],
)
def test_only_web_links_and_our_own_uploads_are_kept(url: object) -> None:
    assert safe_link(url) is None
    assert clean_attachment({"url": url, "name": "x.png"}) is None


def test_web_links_and_our_uploads_are_kept_as_they_came() -> None:
    own = "/archivos/" + "a" * 32 + "/foto.png"
    for url in ("https://cdn.example.org/foto.png", "http://127.0.0.1:5000/archivos/x/y.png", own):
        assert safe_link(url) == url
    full = {"url": own, "name": "foto.png", "mimeType": "image/png", "size": 69}
    assert clean_attachment(full) == {**full, "thumbUrl": own}


@pytest.mark.parametrize(
    ("info", "name", "mime"),
    [
        ({"url": "https://cdn.example.org/fotos/pozo%20grande.JPG"}, "pozo_grande.JPG", "image/jpeg"),
        ({"url": "/archivos/" + "b" * 32 + "/acta.pdf", "name": ""}, "acta.pdf", "application/pdf"),
        ({"url": "https://cdn.example.org/x/video.mp4", "mimeType": None}, "video.mp4", "video/mp4"),
        ({"url": "https://cdn.example.org/x/nota.m4a", "name": "Nota de voz"}, "Nota de voz", "audio/mp4"),
        ({"url": "https://cdn.example.org/descargar", "name": "informe.docx"}, "informe.docx", None),
    ],
)
def test_a_bare_link_gets_its_name_and_type_from_the_link(info: dict[str, object], name: str, mime: str | None) -> None:
    """Attachments kept as a link alone (older intake rows) show as what they are, not `adjunto` / null."""
    cleaned = clean_attachment(info)
    assert cleaned is not None and cleaned["name"] == name
    assert cleaned.get("mimeType") == (
        mime or "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


def test_new_keys_never_hold_a_phone_like_digit_run() -> None:
    from ventanilla.attachments.service import _KEY, new_key

    keys = [new_key() for _ in range(2000)]
    assert len(set(keys)) == 2000 and all(_KEY.match(k) for k in keys)
    assert not any(re.search(r"\d{7}", k) for k in keys)
