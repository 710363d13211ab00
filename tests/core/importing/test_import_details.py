"""Import details found on a real server (CORE-11, NF-02): skipped duplicates listed by line,
separators sniffed on parsed records, UTF-16 files, control characters refused per line."""

from __future__ import annotations

import pytest

from crm_core.errors import BusinessRuleError
from crm_core.importing.engine import run_import
from crm_core.importing.reader import decode, sniff_separator
from tests.core.importing.test_engine import HEADER, _existing, names, spec
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


@pytest.mark.parametrize("mode", ["all", "valid"])
def test_skipped_duplicates_are_listed_with_their_line_and_what_they_repeat(db, sdef, access_for, mode):
    ana = access_for("ana")
    old = _existing(db, sdef, ana, name="Old", email="UNO@x.test")
    text = HEADER + "Uno;A;uno@x.test;1;\nNew;B;new@x.test;2;\nNew again;C;new@x.test;3;\n"
    result = run_import(sdef, ana, text, spec(mode=mode, on_duplicate="skip"), chunk_size=2)
    assert (result.created, result.skipped, result.errors) == (1, 2, [])
    assert result.skips == [
        (2, "email", f"Skipped: duplicate of existing record {old.id} (same Email)."),
        (4, "email", "Skipped: duplicate of line 3 (same Email)."),
    ]


def test_skipped_lines_are_still_listed_when_an_all_or_nothing_import_fails(db, sdef, access_for):
    text = HEADER + "Uno;A;uno@x.test;abc;\nDos;B;dos@x.test;2;\nDos bis;C;dos@x.test;3;\n"
    result = run_import(sdef, access_for("ana"), text, spec(mode="all", on_duplicate="skip"))
    assert not result.committed and [e[0] for e in result.errors] == [2]
    assert result.skips == [(4, "email", "Skipped: duplicate of line 3 (same Email).")]


def test_a_record_the_importer_cannot_see_is_neither_skipped_nor_named(db, sdef, access_for):
    bobs = _existing(db, sdef, access_for("bob"), name="Bob's", email="uno@x.test")
    result = run_import(sdef, access_for("ana"), HEADER + "Uno;A;uno@x.test;;\n", spec(on_duplicate="skip"))
    assert (result.created, result.skipped, result.skips) == (1, 0, [])
    assert str(bobs.id) not in repr(result.errors)
    assert names(db) == ["Bob's", "Uno"]


MULTILINE = 'Name;"City, Country";Email\nUno;"Madrid, ES\n2nd floor, left";uno@x.test\nDos;"León, ES";dos@x.test\n'


def test_the_separator_is_sniffed_on_records_when_a_quoted_cell_spans_lines(db, sdef, access_for):
    assert sniff_separator(MULTILINE) == ";"  # per raw line, "," looked the more regular one
    assert sniff_separator(MULTILINE, ";") == ";"
    result = run_import(sdef, access_for("ana"), MULTILINE, spec(columns=("name", "company", "email")))
    assert result.committed and names(db) == ["Dos", "Uno"]


def test_a_chosen_separator_absent_from_the_first_record_is_refused(app_ctx):
    with pytest.raises(BusinessRuleError, match="seems to use “;”"):
        sniff_separator(MULTILINE, "|")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_are_detected_by_bom_or_zero_bytes_and_read(app_ctx, codec):
    original = "Nombre\tCiudad\nJosé\tLogroño\n"
    data = original.encode(codec)  # "utf-16" writes a BOM (as Excel's "Unicode text" does)
    text, encoding = decode(data)
    assert (text, encoding) == (original, "utf-16")
    assert decode(data, "utf-16") == (original, "utf-16")
    assert sniff_separator(text) == "\t"


def test_utf16_is_offered_and_a_utf16_file_imports_through_the_screens(client_for, db):
    from tests.core.importing.test_import_screens import job_id, run, upload

    client = client_for("ana")
    assert 'value="utf-16"' in client.get("/s/samples/import").get_data(as_text=True)
    data = "Name\tEmail\nJosé Núñez\tjose@x.test\n".encode("utf-16")
    response = upload(client, data, filename="unicode.txt")
    assert response.status_code == 302
    jid = job_id(response)
    assert "José Núñez" in client.get(f"/s/samples/import/{jid}").get_data(as_text=True)
    run(client, jid, ["name", "email"])
    assert names(db) == ["José Núñez"]


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f"])
def test_a_value_with_a_control_character_refuses_its_line_only(db, sdef, access_for, char):
    text = HEADER + f"Uno;A{char}B;uno@x.test;1;\n" + 'Dos;"Tab\tand\r\nCR";dos@x.test;2;\n'
    result = run_import(sdef, access_for("ana"), text, spec(mode="valid"))
    code = f"U+{ord(char):04X}"
    assert result.errors == [
        (2, "company", f"This value contains an invisible control character ({code}); remove it and import the"
         " line again.")
    ]
    assert names(db) == ["Dos"]


def test_a_control_character_in_an_ignored_column_does_not_matter(db, sdef, access_for):
    text = HEADER + "Uno;A\x07B;uno@x.test;1;\n"
    result = run_import(sdef, access_for("ana"), text, spec(columns=("name", "", "email", "amount", "due")))
    assert result.committed and names(db) == ["Uno"]


def test_a_stray_nul_is_refused_per_line_but_a_binary_file_as_a_whole(app_ctx):
    text, _encoding = decode(b"Name;Email\nUno\x00;uno@x.test\n" + b"Dos;dos@x.test\n" * 10)
    assert "Uno\x00" in text
    with pytest.raises(BusinessRuleError, match="not a text file"):
        decode(b"GIF89a\x01\x00\x01\x00" + bytes(200))


def test_a_spreadsheet_is_refused_with_what_to_do_and_never_unpacked(app_ctx):
    from tests.core.test_archives import zipped

    with pytest.raises(BusinessRuleError, match="spreadsheet or archive, not a delimited text file"):
        decode(zipped({"xl/workbook.xml": b"<workbook/>"}))


def test_control_characters_are_refused_through_the_screens_with_the_line(client_for, db):
    from tests.core.importing.test_import_screens import job_id, run, upload

    client = client_for("ana")
    jid = job_id(upload(client, b"Name,Email\nBell\x07,b@x.test\nFine,f@x.test\n", separator=","))
    run(client, jid, ["name", "email"], mode="valid")
    page = client.get(f"/s/samples/import/{jid}/job").get_data(as_text=True)
    assert "invisible control character (U+0007)" in page
    assert names(db) == ["Fine"]
