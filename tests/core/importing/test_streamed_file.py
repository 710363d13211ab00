"""A job reads its stored file as a stream (issue 13 target 2): :func:`checked_codec` refuses
what :func:`decode` refuses, with the same message (the byte's position included), and the rows
read from the stream are the rows read from the decoded text, in every encoding offered."""

from __future__ import annotations

import io
import zipfile
from functools import partial

import pytest

from crm_core.errors import BusinessRuleError
from crm_core.importing import reader
from crm_core.importing.reader import checked_codec, decode, open_text, read_rows

TEXT = "Nombre;Ciudad\r\nÁlvaro Núñez;Córdoba\n\"Dos\nlíneas\";€ 5\r\nZoë;Ærø\n"
CASES = {
    "utf-8": TEXT.encode(),
    "utf-8-sig": TEXT.encode("utf-8-sig"),
    "utf-16 with BOM": TEXT.encode("utf-16"),
    "utf-16-le without BOM": TEXT.encode("utf-16-le"),
    "utf-16-be without BOM": TEXT.encode("utf-16-be"),
    "cp1252": TEXT.encode("cp1252"),
    "cp1252 with an undefined byte (read as Latin-1)": TEXT.encode("cp1252") + b"Raro;\x81\n",
}
ENCODING = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "cp1252": "cp1252"}


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch):  # type: ignore[no-untyped-def]
    """Pieces of 7 bytes: multi-byte characters and UTF-16 pairs fall across pieces."""
    monkeypatch.setattr(reader, "STREAM_PIECE", 7)


@pytest.mark.parametrize("case", CASES)
def test_the_stream_reads_the_rows_decode_reads(app_ctx, tmp_path, case):
    data = CASES[case]
    encoding = ENCODING.get(case.split()[0], "utf-16")
    path = tmp_path / "file.csv"
    path.write_bytes(data)
    text, _used = decode(data, encoding)
    codec = checked_codec(path, encoding)
    streamed = list(read_rows(partial(open_text, path, codec), ";"))
    assert streamed == list(read_rows(text, ";"))
    assert streamed[0].cells == ["Nombre", "Ciudad"] and streamed[2].line == 3


@pytest.mark.parametrize(("data", "encoding"), [
    (b"Name\n" + "Álvaro\n".encode() * 3 + b"\xff\xfe" + b"x\n", "utf-8"),  # bad UTF-8 at byte 30
    ("Name\nÁ\n".encode()[:-2], "utf-8"),  # a character cut at the end of the file
    (b"  \r\n\t\n", "utf-8"),  # empty
    (b"GIF89a\x01\x00\x01\x00" + bytes(200), "cp1252"),  # binary
    (_zip(), "utf-8"),  # a spreadsheet
    (b"Name\n", "latin-9"),  # unknown encoding
])
def test_the_stream_refuses_what_decode_refuses_with_the_same_message(app_ctx, tmp_path, data, encoding):
    path = tmp_path / "file.csv"
    path.write_bytes(data)
    with pytest.raises(BusinessRuleError) as decoded:
        decode(data, encoding)
    with pytest.raises(BusinessRuleError) as streamed:
        checked_codec(path, encoding)
    assert str(streamed.value) == str(decoded.value)
    assert streamed.value.field == decoded.value.field
