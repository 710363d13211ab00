"""Validate and write imported rows through the generic element services (CORE-11, EXT-03).

A chunk of rows is parsed and loaded through the session schema first (one schema instance);
its new rows are then written by ``elements.create_validated`` (bulk ``COPY``/``executemany``
with audit rows and hooks), duplicates the user chose to update by ``elements.update``, so the
schema, reference checks, ownership, audit trail and hooks apply exactly as on the detail
screen, without a flush, a savepoint and a reference query per row. Only the chunk's write sits
in a savepoint, and a chunk whose write fails (a database constraint, a hook's refusal) is
redone row by row, one savepoint each, to report the exact line. Duplicate keys
(``SessionDef.import_keys``): the records whose key is in the file are found once, by a join in
the database (:mod:`crm_core.importing.keys`): no per-row ``SELECT``, and nothing that grows with
the table.

Modes: ``all`` (all-or-nothing) writes in ONE transaction and rolls it back when any row is
bad; every bad row is still reported. ``valid`` commits chunk by chunk and reports exactly
which lines were written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session as DbSession

from crm_core.db import unit_of_work
from crm_core.declarations import SessionDef
from crm_core.errors import BusinessRuleError, CrmError
from crm_core.importing.lines import ImportResult, ImportSpec, LineRefused, LineValues, check_spec
from crm_core.importing.reader import Row, Text, read_rows
from crm_core.importing.report import ReportSpool
from crm_core.security.access import Access
from crm_core.security.field_access import restricted
from crm_core.services import elements, lookups
from crm_core.validation_messages import flat as flat_messages
from crm_core.validation_messages import translated

CHUNK = 1_000
#: Refusals raised before a row touches the database: the transaction stays usable.
BEFORE_WRITE = (ValidationError, LineRefused)
ROW_ERRORS = (ValidationError, CrmError, SQLAlchemyError)


def _reasons(exc: Exception) -> list[tuple[str, str]]:
    """``(field, reason)`` pairs of a refused row."""
    if isinstance(exc, ValidationError):
        messages = translated(exc.normalized_messages())
        return [(name, "; ".join(flat_messages(msg))) for name, msg in messages.items()]
    if isinstance(exc, BusinessRuleError):
        return [(exc.field or "", str(exc))]
    if isinstance(exc, CrmError):
        return [("", str(exc))]
    return [("", _("The database refused this line: %(e)s", e=str(getattr(exc, "orig", exc)).splitlines()[0]))]


@dataclass(frozen=True)
class _Line:
    """A file row made ready for writing: its field values (``None`` when the line has the wrong
    number of values) and what the session schema made of them for a new element (the loaded
    values, or the refusal)."""

    row: Row
    data: dict[str, str] | None
    loaded: dict[str, Any] | Exception


def _kept(exc: Exception) -> Exception:
    """A refusal kept until its chunk is written, without its traceback: the traceback's frames
    hold the chunk being built, which holds the refusal — a cycle only the garbage collector
    frees, so a file of bad lines piled up megabytes of such chunks between two collections
    (and grew with the file)."""
    exc.__context__ = None
    return exc.with_traceback(None)


class _Prepare:
    """Parses and validates a chunk of rows with one schema instance before anything is written;
    the schema's lookups are batched for the chunk (:mod:`crm_core.services.lookups`)."""

    def __init__(self, sdef: SessionDef, rows: LineValues) -> None:
        assert sdef.schema is not None
        self.sdef, self.rows, self.schema = sdef, rows, sdef.schema()

    def __call__(self, chunk: list[Row]) -> list[_Line]:
        parsed = [self._parse(row) for row in chunk]
        with lookups.chunk([data for _row, data in parsed if isinstance(data, dict)]):
            return [self._line(row, data) for row, data in parsed]

    def _parse(self, row: Row) -> tuple[Row, dict[str, str] | LineRefused]:
        try:
            return row, self.rows.data(row)
        except LineRefused as exc:
            return row, _kept(exc)

    def _line(self, row: Row, data: dict[str, str] | LineRefused) -> _Line:
        if isinstance(data, LineRefused):
            return _Line(row, None, data)
        try:
            return _Line(row, data, elements.validate(self.sdef, data, schema=self.schema))
        except ValidationError as exc:
            return _Line(row, data, _kept(exc))


class _Writer:
    """Writes a chunk in batches, or one row at a time to isolate a failing row, or (once an
    all-or-nothing import has failed) only checks rows."""

    def __init__(self, db: DbSession, sdef: SessionDef, access: Access, spec: ImportSpec, rows: LineValues) -> None:
        self.db, self.sdef, self.access, self.spec, self.rows = db, sdef, access, spec, rows
        assert sdef.schema is not None
        self.schema = sdef.schema()

    def write_chunk(self, chunk: list[_Line], result: ImportResult, added: list[tuple[str, ...]]) -> None:
        """Refusals before writing are recorded per line; a failed write raises (the caller retries)."""
        pending: list[tuple[int, dict[str, Any] | Exception, tuple[str, ...] | None]] = []
        waiting: set[tuple[str, ...]] = set()
        for line in chunk:
            if line.data is None:
                _record(result, line.row.line, line.loaded)  # type: ignore[arg-type]
                continue
            key = self.rows.key(line.data)
            if key and key in waiting:
                # This line repeats a line not written yet: write those first so the index is exact.
                self._create(pending, result, added)
                pending, waiting = [], set()
            pk = self.rows.index.get(key) if key else None
            if pk is None:
                pending.append((line.row.line, line.loaded, key))
                if key:
                    waiting.add(key)
            elif self.spec.on_duplicate == "skip":
                self.rows.skip(result, line.row.line, key)  # type: ignore[arg-type]
            else:
                try:
                    self._update(pk, line.data, line.row.line, result)
                except BEFORE_WRITE as exc:
                    _record(result, line.row.line, exc)
        self._create(pending, result, added)

    def _create(
        self,
        pending: list[tuple[int, dict[str, Any] | Exception, tuple[str, ...] | None]],
        result: ImportResult,
        added: list[tuple[str, ...]],
    ) -> None:
        if not pending:
            return
        outcomes = elements.create_validated(self.db, self.sdef, self.access, [loaded for _l, loaded, _k in pending])
        for (line, _data, key), outcome in zip(pending, outcomes, strict=True):
            if isinstance(outcome, Exception):
                _record(result, line, outcome)
                continue
            result.created += 1
            result.written.append(line)
            if key:
                self.rows.remember(key, outcome, line)
                added.append(key)

    def _update(self, pk: int, data: dict[str, str], line: int, result: ImportResult) -> None:
        element = self.db.get(self.sdef.model, pk)
        elements.update(self.db, self.sdef, self.access, element, data)
        result.updated += 1
        result.written.append(line)

    def write(self, row: Row, result: ImportResult, added: list[tuple[str, ...]]) -> None:
        """One row through ``elements.create``/``update``: the fallback that isolates a failing row."""
        data = self.rows.data(row)
        key = self.rows.key(data)
        pk = self.rows.index.get(key) if key else None
        if pk is None:
            element = elements.create(self.db, self.sdef, self.access, data)
            result.created += 1
            result.written.append(row.line)
            if key:
                self.rows.remember(key, element.id, row.line)
                added.append(key)
        elif self.spec.on_duplicate == "skip":
            self.rows.skip(result, row.line, key)  # type: ignore[arg-type]
        else:
            self._update(pk, data, row.line, result)

    def check(self, line: _Line, result: ImportResult) -> None:
        if line.data is None:
            raise line.loaded  # type: ignore[misc]
        key = self.rows.key(line.data)
        duplicate = key is not None and key in self.rows.index
        if duplicate and self.spec.on_duplicate == "skip":
            self.rows.skip(result, line.row.line, key)  # type: ignore[arg-type]
            return
        if key and not duplicate:
            self.rows.remember(key, 0, line.row.line)  # later lines with this key repeat this one
        if duplicate:
            pk = self.rows.index[key]  # 0: a line of this file, not written yet
            existing = self.db.get(self.sdef.model, pk) if pk else None
            elements.validate(self.sdef, line.data, partial=True, schema=self.schema, element=existing)
        elif isinstance(line.loaded, Exception):
            raise line.loaded


def _write_chunk(db: DbSession, writer: _Writer, chunk: list[_Line]) -> ImportResult:
    """Write one chunk in a savepoint; if the write fails, redo it one savepoint per row."""
    part, added = ImportResult(), []
    savepoint = db.begin_nested()
    try:
        writer.write_chunk(chunk, part, added)
        savepoint.commit()
    except ROW_ERRORS:
        savepoint.rollback()
        for key in added:
            writer.rows.forget(key)
        part, added = ImportResult(), []
        for line in chunk:
            one = db.begin_nested()
            try:
                writer.write(line.row, part, added)
                one.commit()
            except ROW_ERRORS as exc:
                one.rollback()
                _record(part, line.row.line, exc)
    part.processed = len(chunk)
    return part


def _merge(result: ImportResult, part: ImportResult) -> None:
    for name in ("processed", "created", "updated", "skipped"):
        setattr(result, name, getattr(result, name) + getattr(part, name))
    result.keep_report(part)
    result.keep_written(part.written)


def data_rows(text: Text, spec: ImportSpec) -> Iterable[Row]:
    rows = read_rows(text, spec.separator)
    if spec.header:
        next(rows, None)
    return rows


def _chunks(rows: Iterable[Row], size: int) -> Iterable[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _record(result: ImportResult, line: int, exc: Exception) -> None:
    result.refuse(line, _reasons(exc))


def run_import(
    sdef: SessionDef,
    access: Access,
    text: Text,
    spec: ImportSpec,
    on_chunk: Callable[[ImportResult], None] | None = None,
    chunk_size: int = CHUNK,
) -> ImportResult:
    """Import decoded ``text`` (or a stored file opened as a stream each time it is read,
    :data:`crm_core.importing.reader.Text`); needs an app context. Raises only for file-level
    problems. What it holds follows a chunk, not the file: the file is read twice as a stream
    (the count, then the chunks), the duplicate index is loaded per chunk, the written lines are
    kept as runs, the report lines in a :class:`~crm_core.importing.report.ReportSpool` (the
    caller may close it once it has read or stored the report)."""
    access.require(sdef, "modify")
    sdef = restricted(sdef, access)  # no column fills a field the user's group may not change
    check_spec(sdef, spec)
    result = ImportResult(total=sum(1 for _row in data_rows(text, spec)), report=ReportSpool())
    run = _all_or_nothing if spec.mode == "all" else _valid_rows
    run(sdef, access, text, spec, result, on_chunk or (lambda _r: None), chunk_size)
    return result


def _check_chunk(writer: _Writer, chunk: list[_Line]) -> ImportResult:
    """Check a chunk's rows without writing them (an all-or-nothing import that has failed)."""
    part = ImportResult(processed=len(chunk))
    for line in chunk:
        try:
            writer.check(line, part)
        except ROW_ERRORS as exc:
            _record(part, line.row.line, exc)
            exc.__traceback__ = None  # its frame holds the line that holds it (see _kept)
    return part


class _Abort(Exception):
    """Rolls the all-or-nothing transaction back after every row has been checked."""


def _all_or_nothing(
    sdef: SessionDef,
    access: Access,
    text: Text,
    spec: ImportSpec,
    result: ImportResult,
    on_chunk: Callable[[ImportResult], None],
    chunk_size: int,
) -> None:
    rows = LineValues(sdef, access, spec)
    try:
        with unit_of_work() as db:
            writer = _Writer(db, sdef, access, spec, rows)
            for chunk in map(_Prepare(sdef, rows), _chunks(data_rows(text, spec), chunk_size)):
                rows.start_chunk(db, _values(chunk))
                if not result.failed:
                    _merge(result, _write_chunk(db, writer, chunk))
                else:  # the import has failed: only check the rest, to report every bad line
                    _merge(result, _check_chunk(writer, chunk))
                on_chunk(result)
            if result.failed:
                raise _Abort
        result.committed = True
    except _Abort:
        result.created = result.updated = 0
        result.forget_written()
    finally:
        rows.close()


def _valid_rows(
    sdef: SessionDef,
    access: Access,
    text: Text,
    spec: ImportSpec,
    result: ImportResult,
    on_chunk: Callable[[ImportResult], None],
    chunk_size: int,
) -> None:
    rows = LineValues(sdef, access, spec)
    try:
        for chunk in map(_Prepare(sdef, rows), _chunks(data_rows(text, spec), chunk_size)):
            with unit_of_work() as db:
                rows.start_chunk(db, _values(chunk))
                _merge(result, _write_chunk(db, _Writer(db, sdef, access, spec, rows), chunk))
                on_chunk(result)
    finally:
        rows.close()
    result.committed = True


def _values(chunk: list[_Line]) -> Iterable[dict[str, str]]:
    return (line.data for line in chunk if line.data is not None)
