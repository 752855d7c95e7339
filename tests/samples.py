"""Small files whose first bytes are what real ones start with (enough for content detection)."""

from __future__ import annotations

import io
import struct
import zipfile


def png(size: int = 2048) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"0" * max(0, size - 16)


def jpeg(size: int = 2048) -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"0" * max(0, size - 11)


def gif() -> bytes:
    return b"GIF89a" + b"\x01\x00\x01\x00" + b"0" * 64


def webp() -> bytes:
    return b"RIFF" + struct.pack("<I", 100) + b"WEBPVP8 " + b"0" * 100


def pdf() -> bytes:
    return b"%PDF-1.4\n% informe del bache\n" + b"0" * 256


def ogg() -> bytes:
    return b"OggS\x00\x02" + b"\x00" * 20 + b"OpusHead" + b"0" * 256


def webm() -> bytes:
    return b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"0" * 256


def iso_media(brand: bytes, compatible: bytes = b"isommp42") -> bytes:
    box = b"ftyp" + brand + b"\x00\x00\x02\x00" + compatible
    return struct.pack(">I", len(box) + 4) + box + b"\x00\x00\x00\x08free" + b"0" * 256


def mp4() -> bytes:
    return iso_media(b"isom")


def m4a() -> bytes:
    return iso_media(b"M4A ", b"M4A mp42isom")


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


HTML = b"<!doctype html><html><body><script>fetch('/tickets').then(r=>r.text()).then(alert)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>'
