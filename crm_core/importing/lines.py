"""From file rows to field values (CORE-11, EXT-03, NF-02): what the user mapped, the
spreadsheet habits accepted, the refusals of a whole line, and the duplicate index (the
records the importer may see whose key is in the file, :mod:`crm_core.importing.keys`).

:mod:`crm_core.importing.engine` writes what this module makes of each line; keeping the
per-line rules here keeps each module readable on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from marshmallow import fields
from sqlalchemy.orm import Session as DbSession

from crm_core.declarations import SessionDef, schema_fields
from crm_core.errors import BusinessRuleError
from crm_core.importing.keys import existing, fold
from crm_core.importing.reader import Row
from crm_core.importing.report import ReportLine, ReportSpool
from crm_core.importing.seen import SeenKeys
from crm_core.models.imports import ERROR, SKIP
from crm_core.security.access import Access
from crm_core.security.field_access import read_only_names, refused_field
from crm_core.text_rules import code_point, find_control_character

MODES = ("all", "valid")
ON_DUPLICATE = ("skip", "update")
EU_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


@dataclass(frozen=True)
class ImportSpec:
    """How to read the file: one field name per file column ("" = ignore the column)."""

    columns: tuple[str, ...]
    separator: str = ";"
    header: bool = True
    mode: str = "all"
    on_duplicate: str = "skip"


@dataclass
class ImportResult:
    """Counters, written lines and the per-line report of an import, or of one chunk of it."""

    total: int = 0
    processed: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    #: lines refused (a line with several fields at fault counts once).
    failed: int = 0
    #: report lines ``(line, field, reason, kind)`` of the chunk at hand: a refused line gives one
    #: per field at fault, a skipped duplicate one. :meth:`keep_report` moves them to :attr:`report`.
    pending: list[ReportLine] = field(default_factory=list)
    #: the import's report so far, on disk past a size (:mod:`crm_core.importing.report`).
    report: ReportSpool | None = None
    #: lines written by the chunk at hand; :meth:`keep_written` folds them into :attr:`runs`.
    written: list[int] = field(default_factory=list)
    #: ``[first, last]`` runs of the lines written by earlier chunks: a 1,000,000-line import
    #: keeps a few runs, not a million numbers.
    runs: list[list[int]] = field(default_factory=list)
    committed: bool = False

    def refuse(self, line: int, reasons: Iterable[tuple[str, str]]) -> None:
        """Report a refused line with its ``(field, reason)`` pairs."""
        self.pending.extend((line, name, reason, ERROR) for name, reason in reasons)

    def keep_report(self, part: ImportResult) -> None:
        """Add a chunk's report lines (after every line already kept), in the report's order."""
        self.failed += len({line for line, _f, _r, kind in part.pending if kind == ERROR})
        lines = sorted(part.pending)
        if self.report is None:
            self.pending.extend(lines)
        else:
            self.report.add(lines)

    def report_lines(self) -> Iterator[ReportLine]:
        """Every report line kept so far, sorted by line, field and reason."""
        yield from self.report or ()
        yield from self.pending

    @property
    def errors(self) -> list[tuple[int, str, str]]:
        """``(line, field, reason)`` of the refused lines, read back from the report (tests and
        in-process callers; a job stores the report without building this list)."""
        return [(line, name, reason) for line, name, reason, kind in self.report_lines() if kind == ERROR]

    @property
    def skips(self) -> list[tuple[int, str, str]]:
        """``(line, field, reason)`` of every duplicate line skipped: listed, not only counted."""
        return [(line, name, reason) for line, name, reason, kind in self.report_lines() if kind == SKIP]

    def counts(self) -> dict[str, int]:
        keys = ("total", "processed", "created", "updated", "skipped", "failed")
        return {k: getattr(self, k) for k in keys}

    def keep_written(self, lines: Iterable[int]) -> None:
        """Add written ``lines`` (after every line already kept) to :attr:`runs`."""
        for line in sorted(lines):
            if self.runs and line == self.runs[-1][1] + 1:
                self.runs[-1][1] = line
            else:
                self.runs.append([line, line])

    def forget_written(self) -> None:
        self.written, self.runs = [], []

    def written_ranges(self) -> list[list[int]]:
        """Written lines as ``[first, last]`` runs, compact enough for 1,000,000 rows."""
        out = ImportResult(runs=[list(run) for run in self.runs])
        out.keep_written(self.written)
        return out.runs


def loadable_fields(sdef: SessionDef) -> dict[str, str]:
    """Fields a file column may fill: the schema's load-able fields, with their labels."""
    assert sdef.schema is not None
    return {
        name: str(f.metadata.get("label", name.replace("_", " ").capitalize()))
        for name, f in schema_fields(sdef.schema).items()
        if not f.dump_only and f.metadata.get("importable", True)
    }


def guess_mapping(sdef: SessionDef, header: Sequence[str]) -> list[str]:
    """Map header cells that equal a field's name or label (case-insensitive), others ignored."""
    by_text = {}
    for name, label in loadable_fields(sdef).items():
        by_text.setdefault(label.strip().lower(), name)
        by_text[name.lower()] = name
    out: list[str] = []
    for cell in header:
        name = by_text.get(cell.strip().lower(), "")
        out.append("" if name in out else name)
    return out


def check_spec(sdef: SessionDef, spec: ImportSpec) -> None:
    """Refuse a mapping that cannot work before reading any row (clear message, NF-02)."""
    allowed = loadable_fields(sdef)
    if spec.mode not in MODES or spec.on_duplicate not in ON_DUPLICATE:
        raise BusinessRuleError(_("Choose an import mode and what to do with duplicates."))
    mapped = [c for c in spec.columns if c]
    if not mapped:
        raise BusinessRuleError(_("Map at least one column to a field."), field="columns")
    for name in mapped:
        if name in read_only_names(sdef.schema):
            raise BusinessRuleError(refused_field(sdef, name), field="columns")
        if name not in allowed:
            raise BusinessRuleError(_("Unknown field “%(f)s”.", f=name), field="columns")
        if mapped.count(name) > 1:
            raise BusinessRuleError(_("The field %(f)s is mapped twice.", f=allowed[name]), field="columns")
    assert sdef.schema is not None
    missing = [allowed[n] for n, f in schema_fields(sdef.schema).items() if f.required and n not in mapped]
    if missing:
        raise BusinessRuleError(_("Required fields are not mapped: %(f)s.", f=", ".join(missing)), field="columns")


def normalisers(sdef: SessionDef) -> dict[str, Callable[[str], str]]:
    """Per-field conversions of what spreadsheets write: ``1.234,5`` numbers, ``31/12/2026`` dates."""
    assert sdef.schema is not None
    out: dict[str, Callable[[str], str]] = {}
    for name, f in schema_fields(sdef.schema).items():
        if isinstance(f, fields.Number):
            out[name] = _number
        elif isinstance(f, fields.Date | fields.DateTime):
            out[name] = _date
    return out


def _number(value: str) -> str:
    value = value.replace(" ", "").replace("\u00a0", "")
    if "," in value and ("." not in value or value.rfind(",") > value.rfind(".")):
        return value.replace(".", "").replace(",", ".")
    return value.replace(",", "")


def _date(value: str) -> str:
    match = EU_DATE.match(value)
    return f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}" if match else value


class LineRefused(BusinessRuleError):
    """A line refused as a whole before the schema sees it: the wrong number of values, or a
    control character in a value (the rule forms and the API apply, :mod:`crm_core.text_rules`)."""



class LineValues:
    """Turns file rows into field dicts and finds duplicates, one chunk at a time.

    Before a chunk is written, :meth:`start_chunk` fills :attr:`index` with the chunk's keys
    found among the records the importer may see (:func:`crm_core.importing.keys.existing`) and
    among the lines of this file already written or checked (:class:`SeenKeys`, on disk), so
    what the import holds follows the chunk, neither the table nor the file (issue 13 target 2).
    """

    def __init__(self, sdef: SessionDef, access: Access, spec: ImportSpec) -> None:
        self.sdef, self.access, self.spec = sdef, access, spec
        self.convert = normalisers(sdef)
        self.width = len(spec.columns)
        self.keys = tuple(sdef.import_keys) if all(k in spec.columns for k in sdef.import_keys) else ()
        #: key → id of a record the importer may see, or of a line's record (0: checked, not
        #: written), for the keys of the current chunk.
        self.index: dict[tuple[str, ...], int] = {}
        #: key → the line of this file that holds it, so a later repeat names that line.
        self.lines: dict[tuple[str, ...], int] = {}
        #: what this chunk remembered, stored in :attr:`seen` when the next chunk starts.
        self._new: dict[tuple[str, ...], tuple[int, int]] = {}
        labels = loadable_fields(sdef)
        self.same = ", ".join(labels.get(k, k) for k in self.keys)
        self.seen = SeenKeys() if self.keys else None

    def start_chunk(self, db: DbSession, rows: Iterable[Mapping[str, str]]) -> None:
        """Load the duplicate index for the field values of the next chunk's lines."""
        self.end_chunk()
        keys = {key for data in rows if (key := self.key(data))}
        if not keys or self.seen is None:
            return
        self.index = existing(db, self.sdef, self.access, self.keys, keys)
        for key, (pk, line) in self.seen.get(keys).items():
            self.index[key], self.lines[key] = pk, line

    def end_chunk(self) -> None:
        """Store what the chunk remembered on disk and let go of the chunk's index."""
        if self.seen is not None and self._new:
            self.seen.put((key, pk, line) for key, (pk, line) in self._new.items())
        self.index, self.lines, self._new = {}, {}, {}

    def close(self) -> None:
        if self.seen is not None:
            self.seen.close()

    def data(self, row: Row) -> dict[str, str]:
        if len(row.cells) != self.width:
            raise LineRefused(
                _("This line has %(n)d values; the file has %(m)d columns.", n=len(row.cells), m=self.width)
            )
        out = {}
        for name, cell in zip(self.spec.columns, row.cells, strict=True):
            value = cell.strip()
            if name and value:
                char = find_control_character(value)
                if char is not None:
                    raise LineRefused(
                        _(
                            "This value contains an invisible control character (%(code)s); remove it and import"
                            " the line again.",
                            code=code_point(char),
                        ),
                        field=name,
                    )
                out[name] = self.convert[name](value) if name in self.convert else value
        return out

    def key(self, data: Mapping[str, str]) -> tuple[str, ...] | None:
        if not self.keys:
            return None
        key = tuple(_key_part(data.get(k)) for k in self.keys)
        return key if any(key) else None

    def remember(self, key: tuple[str, ...], pk: int, line: int) -> None:
        self.index[key] = pk
        self.lines[key] = line
        self._new[key] = (pk, line)

    def forget(self, key: tuple[str, ...]) -> None:
        self.index.pop(key, None)
        self.lines.pop(key, None)
        self._new.pop(key, None)

    def skip(self, result: ImportResult, line: int, key: tuple[str, ...]) -> None:
        """Count and list a skipped duplicate. It names the earlier line, or the id of a record
        the importer may see (the index holds only those), so nothing hidden is revealed."""
        if key in self.lines:
            reason = _("Skipped: duplicate of line %(n)d (same %(fields)s).", n=self.lines[key], fields=self.same)
        else:
            reason = _(
                "Skipped: duplicate of existing record %(id)d (same %(fields)s).", id=self.index[key], fields=self.same
            )
        result.skipped += 1
        result.pending.append((line, self.keys[0] if len(self.keys) == 1 else "", reason, SKIP))


_key_part = fold
