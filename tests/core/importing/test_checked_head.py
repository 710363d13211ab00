"""The upload's checks made as a stream (issue 13 target 2): ``checked_head`` refuses exactly what
``decode`` and ``check_line_length`` refuse over the whole text, with the same messages (line
numbers, byte offsets), keeps only the file's first lines, and holds a few megabytes for an
upload of any size."""

from __future__ import annotations

import tracemalloc

import pytest

from crm_core.errors import BusinessRuleError
from crm_core.importing import reader
from crm_core.importing.reader import check_line_length, checked_head, decode


def _outcome(call):  # type: ignore[no-untyped-def]
    try:
        return ("ok", call())
    except BusinessRuleError as exc:
        return ("refused", str(exc), exc.field)


def _whole(data: bytes, encoding: str, limit: int):  # type: ignore[no-untyped-def]
    def call():  # type: ignore[no-untyped-def]
        text, used = decode(data, encoding)
        check_line_length(text, limit)
        return text, used
    return _outcome(call)


CASES = [
    (b"name;city\nAna;Quito\n", "", 20),
    (b"name;city\r\n" + b"x" * 30 + b"\r\nshort\r\n", "", 20),  # \r\n split across 8-byte pieces
    (b"a\rb\x0bc\x0cd\xc2\x85e\xe2\x80\xa8" + b"y" * 25 + b"\n", "utf-8", 20),  # every line end splitlines knows
    (b"ok\n" * 5 + b"z" * 21, "", 20),  # the long line is the last, without an ending
    ("ñandú;€\n".encode("cp1252") * 3, "cp1252", 20),
    (b"ok\n\x81\x8d\x8f\x90\x9d\n", "cp1252", 20),  # bytes Windows-1252 leaves undefined: read as Latin-1
    (b"ok\n\xff\xfe bad", "utf-8", 20),  # not UTF-8: the byte named
    (b"\xef\xbb\xbfname\nAna\n", "", 20),
    ("name\nAna\n".encode("utf-16"), "", 20),
    (b"   \n \n", "", 20),  # empty
    (b"a\x00b\x00c\x00" * 20, "utf-8", 20),  # binary
    (b"PK\x03\x04rest", "", 20),
    (b"name\n", "latin-9", 20),
]


@pytest.mark.parametrize(("data", "encoding", "limit"), CASES)
def test_the_streamed_checks_answer_as_the_whole_text_does(app_ctx, monkeypatch, data, encoding, limit):
    monkeypatch.setattr(reader, "STREAM_PIECE", 8)  # many pieces: breaks and characters split between them
    expected = _whole(data, encoding, limit)
    got = _outcome(lambda: checked_head(data, encoding, limit))
    assert got == expected


def test_only_the_first_lines_are_kept_cut_after_a_line_end(app_ctx, monkeypatch):
    monkeypatch.setattr(reader, "HEAD_CHARS", 100)
    data = b"".join(b"line %03d;value\n" % i for i in range(500))
    head, encoding = checked_head(data, "", 1000)
    assert encoding == "utf-8" and len(head) == 90 and head.endswith("value\n")  # 6 whole lines of 15
    assert head == data.decode()[: len(head)]


def test_an_upload_of_any_size_is_checked_in_a_few_megabytes(app_ctx):
    data = b"".join(b"Lead %07d;Company %07d;lead%07d@example.com;+34 600 %06d\n" % (i, i, i, i % 10**6)
                    for i in range(150_000))  # 9 MB
    assert len(data) > 8_000_000
    tracemalloc.start()
    try:
        checked_head(data, "", 100_000)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the whole text decoded and split into lines held 28.9 MB here
    assert peak < 6_000_000, peak
