"""The import engine without HTTP: modes, duplicates, per-row errors, file reading (CORE-11, NF-02, EXT-03)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError, PermissionDenied
from crm_core.events import handles
from crm_core.importing.engine import run_import
from crm_core.importing.lines import ImportSpec, guess_mapping
from crm_core.importing.reader import decode, sniff_separator
from crm_core.models.audit import AuditEntry
from crm_core.services import elements
from crm_core.testing import make_plugin
from tests.support import sample
from tests.support.sample import Sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})
COLUMNS = ("name", "company", "email", "amount", "due")
HEADER = "Name;Company;Email;Amount;Due date\n"
BROKEN = (
    HEADER
    + "Uno;A;uno@x.test;1;2026-01-01\n"
    + "Dos;B;dos@x.test;abc;2026-01-02\n"  # line 3: amount
    + "Tres;C;tres@x.test;3\n"  # line 4: a value missing
    + ";D;cuatro@x.test;4;2026-01-04\n"  # line 5: required name empty
    + "Cinco;E;not-an-email;5;2026-01-05\n"  # line 6: email
    + "Seis;F;seis@x.test;6;2026-01-06\n"
)


def names(db) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(db.scalars(select(Sample.name)))


def spec(**kw) -> ImportSpec:  # type: ignore[no-untyped-def]
    return ImportSpec(kw.pop("columns", COLUMNS), **kw)


def test_all_or_nothing_writes_nothing_and_reports_every_bad_line(db, sdef, access_for):
    result = run_import(sdef, access_for("ana"), BROKEN, spec(mode="all"))
    assert not result.committed
    assert names(db) == []
    assert result.created == 0 and result.written == []
    assert sorted({line for line, _f, _r in result.errors}) == [3, 4, 5, 6]
    fields = {line: field for line, field, _r in result.errors}
    assert fields[3] == "amount" and fields[5] == "name" and fields[6] == "email"
    assert "4 values; the file has 5 columns" in {line: r for line, _f, r in result.errors}[4]
    assert result.failed == 4 and result.processed == result.total == 6


def test_valid_rows_mode_writes_exactly_the_valid_lines(db, sdef, access_for):
    result = run_import(sdef, access_for("ana"), BROKEN, spec(mode="valid"), chunk_size=2)
    assert result.committed
    assert names(db) == ["Seis", "Uno"]
    assert result.written_ranges() == [[2, 2], [7, 7]]
    assert result.created == 2 and result.failed == 4


def test_imported_rows_go_through_the_element_service(db, sdef, access_for):
    ana = access_for("ana")
    run_import(sdef, ana, HEADER + "Uno;A;uno@x.test;1.234,50;31/12/2026\n", spec())
    element = db.scalar(select(Sample))
    assert (element.owner_id, element.creator_id, element.kind) == (ana.user.id, ana.user.id, "sale")
    assert element.amount == Decimal("1234.50") and element.due == date(2026, 12, 31)
    audit = db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.element_type == "test_sample", AuditEntry.action == "create"))
    assert audit == 1


def _existing(db, sdef, access, **data):  # type: ignore[no-untyped-def]
    with unit_of_work():
        return elements.create(db, sdef, access, data)


def test_duplicates_on_import_keys_are_skipped(db, sdef, access_for):
    ana = access_for("ana")
    _existing(db, sdef, ana, name="Old", email="UNO@x.test")
    text = HEADER + "Uno;A;uno@x.test;1;\nNew;B;new@x.test;2;\nNew again;C;new@x.test;3;\n"
    result = run_import(sdef, ana, text, spec(on_duplicate="skip"))
    assert (result.created, result.skipped) == (1, 2)
    assert names(db) == ["New", "Old"]


def test_duplicates_are_updated_through_the_service_when_asked(db, sdef, access_for):
    ana = access_for("ana")
    old = _existing(db, sdef, ana, name="Old", email="uno@x.test", company="Before")
    result = run_import(sdef, ana, HEADER + "Uno;After;uno@x.test;;\n", spec(on_duplicate="update"))
    assert (result.created, result.updated) == (0, 1)
    db.refresh(old)
    assert (old.name, old.company, old.version) == ("Uno", "After", 2)
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.element_type == "test_sample", AuditEntry.action == "update")) == 1


def test_anothers_record_is_not_a_duplicate_the_importer_may_touch(db, sdef, access_for):
    bobs = _existing(db, sdef, access_for("bob"), name="Bob's", email="uno@x.test")
    result = run_import(sdef, access_for("ana"), HEADER + "Uno;A;uno@x.test;;\n", spec(on_duplicate="update"))
    assert (result.created, result.updated) == (1, 0)
    db.refresh(bobs)
    assert bobs.name == "Bob's"


def test_unmapped_required_field_is_refused_before_any_row(db, sdef, access_for):
    with pytest.raises(BusinessRuleError, match="Required fields are not mapped: Name"):
        run_import(sdef, access_for("ana"), HEADER, spec(columns=("", "company", "email", "amount", "due")))
    with pytest.raises(BusinessRuleError, match="mapped twice"):
        run_import(sdef, access_for("ana"), HEADER, spec(columns=("name", "name", "email", "amount", "due")))


def test_import_needs_the_modify_permission(db, sdef, access_for):
    from dataclasses import replace

    ana = access_for("ana")
    read_only = replace(ana, perms={**ana.perms, "samples": (True, False, False)})
    with pytest.raises(PermissionDenied):
        run_import(sdef, read_only, HEADER + "Uno;A;uno@x.test;1;\n", spec())
    assert names(db) == []


def test_a_latin1_file_read_as_utf8_gets_a_clear_error(app_ctx):
    data = "Nombre;Compañía\nJosé;Añil\n".encode("cp1252")
    with pytest.raises(BusinessRuleError, match="not valid UTF-8 text"):
        decode(data, "utf-8")
    text, encoding = decode(data)
    assert encoding == "cp1252" and "José" in text


def test_bom_is_detected_and_removed(app_ctx):
    text, encoding = decode("\ufeffName\nÁlvaro\n".encode())
    assert (text, encoding) == ("Name\nÁlvaro\n", "utf-8-sig")


def test_wrong_separator_is_refused_and_the_right_one_sniffed(app_ctx):
    with pytest.raises(BusinessRuleError, match="seems to use “;”"):
        sniff_separator(HEADER + "a;b;c;d;e\n", ",")
    assert sniff_separator("a,b;c\nx,y;z\n") in {",", ";"}
    assert sniff_separator("a|b|c\n1|2|3\n") == "|"
    assert sniff_separator("a\tb\n1\t2\n") == "\t"


def test_header_cells_are_mapped_by_field_label_or_name(sdef, app_ctx):
    assert guess_mapping(sdef, ["Name", "e-mail", "EMAIL", "Due date", "name"]) == ["name", "", "email", "due", ""]


@handles(sessions=("samples",))
def _refuse_boom(sdef, element, user, db):  # type: ignore[no-untyped-def]
    if element.name == "Boom":
        raise BusinessRuleError("a plugin refused Boom after it was flushed")


@pytest.mark.crm(extra_plugins={"sample": sample, "refuser": make_plugin("refuser", crm_element_created=_refuse_boom)})
def test_a_row_refused_after_writing_is_rolled_back_alone_in_valid_rows_mode(db, sdef, access_for):
    text = HEADER + "Uno;A;;;\nBoom;B;;;\nTres;C;;;\n"
    result = run_import(sdef, access_for("ana"), text, spec(mode="valid"))
    assert names(db) == ["Tres", "Uno"]
    assert result.errors == [(3, "", "a plugin refused Boom after it was flushed")]
    assert result.written_ranges() == [[2, 2], [4, 4]]


@pytest.mark.crm(extra_plugins={"sample": sample, "refuser": make_plugin("refuser", crm_element_created=_refuse_boom)})
def test_a_row_refused_after_writing_keeps_all_or_nothing_empty(db, sdef, access_for):
    result = run_import(sdef, access_for("ana"), HEADER + "Uno;A;;;\nBoom;B;;;\nTres;C;;;\n", spec(mode="all"))
    assert names(db) == [] and [e[0] for e in result.errors] == [3]


@pytest.mark.crm(extra_plugins={"sample": sample, "refuser": make_plugin("refuser", crm_element_created=_refuse_boom)})
def test_a_chunk_whose_batched_write_fails_is_redone_row_by_row_to_report_the_exact_line(db, sdef, access_for):
    text = HEADER + "Uno;A;;;\nDos;B;;;\nBoom;C;;;\nCuatro;D;;;\nCinco;E;x;;\n"
    result = run_import(sdef, access_for("ana"), text, spec(mode="valid"), chunk_size=2)
    assert names(db) == ["Cuatro", "Dos", "Uno"]
    assert [(line, field) for line, field, _r in result.errors] == [(4, ""), (6, "email")]
    assert result.written_ranges() == [[2, 3], [5, 5]]
    assert (result.created, result.processed) == (3, 5)
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.element_type == "test_sample", AuditEntry.action == "create")) == 3


def test_a_line_repeating_an_unwritten_line_of_its_chunk_updates_what_that_line_created(db, sdef, access_for):
    text = HEADER + "Uno;A;uno@x.test;;\nUno bis;B;UNO@x.test;;\nDos;C;dos@x.test;;\n"
    result = run_import(sdef, access_for("ana"), text, spec(on_duplicate="update"))
    assert (result.created, result.updated, result.skipped) == (2, 1, 0)
    assert names(db) == ["Dos", "Uno bis"]
    actions = sorted(db.scalars(select(AuditEntry.action).where(AuditEntry.element_type == "test_sample")))
    assert actions == ["create", "create", "update"]


def test_every_imported_row_fires_the_created_hook_once(db, sdef, access_for, crm_app):
    seen: list[str] = []

    def remember(sdef, element, user, db) -> None:  # type: ignore[no-untyped-def]
        seen.append(element.name)

    crm_app.extensions["crm"].pm.register(make_plugin("seen", crm_element_created=remember), "seen")
    try:
        result = run_import(sdef, access_for("ana"), HEADER + "Uno;A;;;\nDos;B;;;\nTres;C;;;\n", spec(), chunk_size=2)
    finally:
        crm_app.extensions["crm"].pm.unregister(name="seen")
    assert result.committed and seen == ["Uno", "Dos", "Tres"]
