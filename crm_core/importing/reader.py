"""Reading an uploaded delimited file: encoding, separator, rows with their line numbers.

Every failure is a ``BusinessRuleError`` with a message a user can act on (choose another
encoding or separator), raised before anything is written (NF-02).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from charset_normalizer import from_bytes
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm_core.errors import BusinessRuleError

ENCODINGS = {
    "utf-8": _l("UTF-8"),
    "utf-8-sig": _l("UTF-8 with BOM"),
    "utf-16": _l("UTF-16 (Excel “Unicode text”)"),
    "cp1252": _l("Latin-1 / Windows-1252"),
}
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
ZIP_SIGNATURE = b"PK\x03\x04"
#: bytes looked at to tell UTF-16 without a BOM by its zero bytes (every other byte in Latin text).
UTF16_SAMPLE = 4096
#: more than one NUL per this many characters means a binary file, not text with a stray NUL.
BINARY_NUL_SHARE = 100
SEPARATORS = {";": ";", ",": ",", "\t": _l("tab"), "|": "|"}
#: charset-normalizer names that we read as Windows-1252 (a superset of Latin-1's printable range).
LATIN_FAMILY = {"latin_1", "iso8859_1", "iso8859_15", "cp1252", "windows-1252", "ascii"}
SNIFF_LINES = 20
PREVIEW_ROWS = 5
#: bytes decoded at a time when a stored file is checked and read as a stream (:func:`checked_codec`).
STREAM_PIECE = 1 << 20
#: an import's text: decoded in memory (a form's preview, the tests), or a function that opens
#: the decoded file as a new stream each time (a job's spooled file, :func:`open_text`).
Text = str | Callable[[], IO[str]]


@dataclass(frozen=True)
class Row:
    """One record of the file: the line it starts on and its cells."""

    line: int
    cells: list[str]


def _not_valid(encoding: str, exc: UnicodeDecodeError) -> BusinessRuleError:
    """The refusal of a file that is not valid text in the chosen encoding, naming the byte (of
    the whole file: the streamed check passes its offset in ``exc.start``)."""
    return BusinessRuleError(
        _("The file is not valid %(e)s text (byte %(pos)d). Choose another encoding.",
          e=ENCODINGS[encoding], pos=exc.start + 1),
        field="encoding",
    )


def _chosen(data: bytes, encoding: str) -> str:
    """The encoding to read ``data`` with (``encoding``, else detected), after refusing an
    unknown encoding and a spreadsheet or archive."""
    if encoding and encoding not in ENCODINGS:
        raise BusinessRuleError(_("Unknown encoding “%(e)s”.", e=encoding), field="encoding")
    if data.startswith(ZIP_SIGNATURE):
        # an .xlsx or .ods is a zip: say what to do rather than read it as text (nor unpack it)
        raise BusinessRuleError(
            _("This is a spreadsheet or archive, not a delimited text file. Save it as CSV or “Unicode text” first."),
            field="file",
        )
    return encoding or _detect(data)


def decode(data: bytes, encoding: str = "") -> tuple[str, str]:
    """``(text, encoding used)``; ``encoding`` empty = detect (BOM, UTF-16's zero bytes, UTF-8,
    then charset-normalizer)."""
    encoding = _chosen(data, encoding)
    try:
        text = data.decode(_utf16_codec(data) if encoding == "utf-16" else encoding)
    except UnicodeDecodeError as exc:
        if encoding != "cp1252":
            raise _not_valid(encoding, exc) from None
        text = data.decode("latin-1")  # the five bytes cp1252 leaves undefined are Latin-1 controls
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise BusinessRuleError(_("The file is empty."), field="file")
    if text.count("\x00") > len(text) // BINARY_NUL_SHARE:
        # a binary file (a spreadsheet, an image); a stray NUL in a text file is refused per line
        raise BusinessRuleError(_("This is not a text file (it contains NUL bytes)."), field="file")
    return text, encoding


def _utf16_codec(data: bytes) -> str:
    """The codec for a UTF-16 file: by its BOM (Excel writes one), else by which half of each
    byte pair is zero in the sample (Latin text), little-endian when nothing tells."""
    if data.startswith(UTF16_BOMS):
        return "utf-16"
    sample = data[:UTF16_SAMPLE]
    return "utf-16-be" if sample[0::2].count(0) > sample[1::2].count(0) else "utf-16-le"


def _looks_utf16(data: bytes) -> bool:
    """A BOM, or zero bytes on one side of most byte pairs and rarely on the other (UTF-8 and
    Windows-1252 text has none; a binary file has them on both sides)."""
    if data.startswith(UTF16_BOMS):
        return True
    sample = data[:UTF16_SAMPLE]
    zeros = sorted((sample[0::2].count(0), sample[1::2].count(0)))
    return zeros[1] > len(sample) // 4 and zeros[0] < zeros[1] // 4


def _scan_utf8(data: bytes) -> None:
    """``data.decode("utf-8")``'s check, without holding the decoded text."""
    decoder, view = codecs.getincrementaldecoder("utf-8")(), memoryview(data)
    for start in range(0, len(data), STREAM_PIECE):
        decoder.decode(view[start:start + STREAM_PIECE])
    decoder.decode(b"", final=True)


def _detect(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if _looks_utf16(data):
        return "utf-16"
    try:
        _scan_utf8(data)
    except UnicodeDecodeError:
        # charset-normalizer often ranks cp1250 first for Spanish text; any Western candidate
        # means the file reads correctly as Windows-1252, the only single-byte choice offered.
        candidates = {match.encoding.lower() for match in from_bytes(data[:200_000])}
        if not candidates & LATIN_FAMILY:
            raise BusinessRuleError(
                _("The file's encoding could not be recognised. Choose it in the form."), field="encoding"
            ) from None
        return "cp1252"
    return "utf-8"


def sniff_separator(text: str, chosen: str = "") -> str:
    """The chosen separator (checked against the first record) or the most consistent candidate.

    Candidates are compared on parsed records, not raw lines: a quoted cell may hold line
    breaks and other separators, and counting characters per physical line then guesses wrong.
    """
    widths = _record_widths(text)
    plausible = [sep for sep, counts in widths.items() if counts and min(counts) > 1]
    if chosen:
        if chosen not in SEPARATORS:
            raise BusinessRuleError(_("Unknown separator “%(s)s”.", s=chosen), field="separator")
        if widths[chosen][:1] in ([], [1]) and plausible:
            raise BusinessRuleError(
                _(
                    "The separator “%(s)s” does not occur in the first line; the file seems to use “%(o)s”.",
                    s=SEPARATORS[chosen],
                    o=SEPARATORS[_most_consistent(widths, plausible)],
                ),
                field="separator",
            )
        return chosen
    if not plausible:
        return ";"  # a one-column file: any separator reads it
    return _most_consistent(widths, plausible)


def _record_widths(text: str) -> dict[str, list[int]]:
    """Per candidate separator, the cell counts of the first non-blank records read with it
    (empty when the file cannot be read with that separator)."""
    stream = io.StringIO(text, newline="")
    out: dict[str, list[int]] = {}
    for sep in SEPARATORS:
        stream.seek(0)
        counts: list[int] = []
        try:
            for cells in csv.reader(stream, delimiter=sep):
                if any(map(str.strip, cells)):
                    counts.append(len(cells))
                    if len(counts) >= SNIFF_LINES:
                        break
        except csv.Error:
            counts = []
        out[sep] = counts
    return out


def _most_consistent(widths: dict[str, list[int]], plausible: list[str]) -> str:
    """The separator whose cell count varies least between records, then the one giving most cells."""
    return min(plausible, key=lambda s: (max(widths[s]) - min(widths[s]), -min(widths[s])))


def checked_codec(path: Path, encoding: str) -> str:
    """The codec that reads the stored file at ``path`` as :func:`decode` would read its bytes,
    after the same checks with the same messages, reading :data:`STREAM_PIECE` bytes at a time:
    an import never holds the whole file, encoded or decoded (issue 13 target 2). Windows-1252
    with one of the five bytes it leaves undefined reads as Latin-1, the whole file, as
    :func:`decode` does. ``encoding`` must be one of :data:`ENCODINGS` (a job stores the one the
    upload detected or the user chose)."""
    if encoding not in ENCODINGS:
        raise BusinessRuleError(_("Unknown encoding “%(e)s”.", e=encoding), field="encoding")
    with path.open("rb") as stream:
        head = stream.read(UTF16_SAMPLE)
    if head.startswith(ZIP_SIGNATURE):
        raise BusinessRuleError(
            _("This is a spreadsheet or archive, not a delimited text file. Save it as CSV or “Unicode text” first."),
            field="file",
        )
    codec = _utf16_codec(head) if encoding == "utf-16" else encoding
    try:
        with path.open("rb") as stream:
            _scan(stream, codec)
    except UnicodeDecodeError as exc:
        if encoding != "cp1252":
            raise _not_valid(encoding, exc) from None
        codec = "latin-1"
        with path.open("rb") as stream:
            _scan(stream, codec)
    return codec


def _scan(stream: IO[bytes], codec: str, keep: int = 0, max_line: int = 0) -> str:
    """Decode the stream piece by piece: a ``UnicodeDecodeError`` whose ``start`` is the byte's
    offset in the file, or :func:`decode`'s refusals of an empty or binary file; with
    ``max_line``, :func:`check_line_length`'s refusal. Returns the first ``keep`` characters or
    more (whole pieces), never the whole file unless it is that small."""
    decoder = codecs.getincrementaldecoder(codec)()
    lines = _LineMeter(max_line) if max_line else None
    offset = chars = nuls = 0
    blank = first = True
    head: list[str] = []
    kept = 0
    while True:
        piece = stream.read(STREAM_PIECE)
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(piece, final=not piece)
        except UnicodeDecodeError as exc:
            exc.start += offset - pending
            raise
        offset += len(piece)
        if first and text:
            text, first = text.lstrip("\ufeff"), False
        chars += len(text)
        nuls += text.count("\x00")
        blank = blank and not text.strip()
        if lines is not None:
            lines.feed(text)
        if kept <= keep and text:  # one character past ``keep`` tells that more follows
            head.append(text)
            kept += len(text)
        if not piece:
            break
    if blank:
        raise BusinessRuleError(_("The file is empty."), field="file")
    if nuls > chars // BINARY_NUL_SHARE:
        raise BusinessRuleError(_("This is not a text file (it contains NUL bytes)."), field="file")
    if lines is not None:
        lines.end()
    return "".join(head)


#: What ``str.splitlines`` ends a line at (``\r\n`` being one break).
_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


class _LineMeter:
    """:func:`check_line_length` over a text fed in pieces: the same line numbers (a ``\r\n``
    split between two pieces is one break) and the same message, naming the first long line's
    whole length, given by :meth:`end` (after the file's other checks, as :func:`decode` makes
    them first)."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars, self.number, self.length, self.after_cr = max_chars, 1, 0, False
        self.refusal: BusinessRuleError | None = None

    def feed(self, text: str) -> None:
        if self.after_cr and text.startswith("\n"):
            text = text[1:]
        self.after_cr = text.endswith("\r")
        start = 0
        for match in _BREAK.finditer(text):
            self.length += match.start() - start
            self._ended()
            self.number, self.length, start = self.number + 1, 0, match.end()
        self.length += len(text) - start

    def end(self) -> None:
        self._ended()
        if self.refusal is not None:
            raise self.refusal

    def _ended(self) -> None:
        if self.length > self.max_chars and self.refusal is None:
            self.refusal = BusinessRuleError(
                _(
                    "Line %(n)d has %(len)s characters; at most %(max)s are accepted per line.",
                    n=self.number, len=format_decimal(self.length), max=format_decimal(self.max_chars),
                ),
                field="file",
            )


#: Characters of an upload kept for the separator's guess and the mapping screen's preview.
HEAD_CHARS = 1 << 20


def checked_head(data: bytes, encoding: str = "", max_line: int = 0) -> tuple[str, str]:
    """``(the file's first lines, encoding used)`` after :func:`decode`'s checks and, with
    ``max_line``, :func:`check_line_length`'s, all made over the whole file piece by piece: the
    upload form and the mapping screen never hold the decoded file, only its first
    :data:`HEAD_CHARS` characters (cut after a line's end), whatever its size (issue 13 target 2)."""
    encoding = _chosen(data, encoding)
    codec = _utf16_codec(data) if encoding == "utf-16" else encoding
    try:
        head = _scan(io.BytesIO(data), codec, HEAD_CHARS, max_line)
    except UnicodeDecodeError as exc:
        if encoding != "cp1252":
            raise _not_valid(encoding, exc) from None
        head = _scan(io.BytesIO(data), "latin-1", HEAD_CHARS, max_line)
    if len(head) > HEAD_CHARS:  # more follows: the preview reads whole lines only
        head = head[:HEAD_CHARS]
        cut = max(head.rfind("\n"), head.rfind("\r"))
        head = head[: cut + 1] if cut > 0 else head
    return head, encoding


def open_text(path: Path, codec: str) -> IO[str]:
    """The stored file as a text stream read as it is consumed, lines ending as written
    (``newline=""``, as the csv module wants); the caller closes it."""
    return io.TextIOWrapper(path.open("rb"), encoding=codec, newline="")


def _lines(stream: IO[str]) -> Iterator[str]:
    """The stream's lines, without the byte order marks :func:`decode` strips."""
    first = True
    for line in stream:
        if first:
            line, first = line.lstrip("\ufeff"), False
        yield line


def read_rows(text: Text, separator: str) -> Iterator[Row]:
    """Records with the physical line each starts on; blank lines are skipped. ``text`` is the
    decoded file, or a function opening it as a stream (read as the rows are consumed)."""
    if isinstance(text, str):
        yield from _read(io.StringIO(text, newline=""), separator)
        return
    with text() as stream:
        yield from _read(_lines(stream), separator)


def _read(lines: Iterable[str], separator: str) -> Iterator[Row]:
    reader = csv.reader(lines, delimiter=separator)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BusinessRuleError(_("Line %(n)d cannot be read: %(e)s", n=start, e=str(exc)), field="file") from None
        if any(map(str.strip, cells)):
            yield Row(start, cells)
        start = reader.line_num + 1


def check_line_length(text: str, max_chars: int) -> None:
    """Refuse a file with a line longer than ``max_chars`` before any parsing: such a file is
    not a table a person can map (a 164 KB line of 20,000 columns made a 19 MB page)."""
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) > max_chars:
            raise BusinessRuleError(
                _(
                    "Line %(n)d has %(len)s characters; at most %(max)s are accepted per line.",
                    n=number, len=format_decimal(len(line)), max=format_decimal(max_chars),
                ),
                field="file",
            )


def check_columns(head: list[str], max_columns: int) -> None:
    """Refuse more columns than the mapping screen offers (one field choice per column)."""
    if len(head) > max_columns:
        raise BusinessRuleError(
            _(
                "The file has %(n)s columns; at most %(max)s can be imported. Remove the columns you do not need.",
                n=format_decimal(len(head)), max=format_decimal(max_columns),
            ),
            field="file",
        )


def preview(text: str, separator: str, header: bool, size: int = PREVIEW_ROWS) -> tuple[list[str], list[Row]]:
    """The header cells (or "Column n") and the first ``size`` data rows."""
    rows = read_rows(text, separator)
    head: list[str] = []
    sample: list[Row] = []
    for row in rows:
        if header and not head:
            head = [c.strip() for c in row.cells]
            continue
        sample.append(row)
        if len(sample) >= size:
            break
    width = max([len(head)] + [len(r.cells) for r in sample])
    if not head:
        head = [_("Column %(n)d", n=i + 1) for i in range(width)]
    return head, sample
