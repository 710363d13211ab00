"""Bounded inspection of uploaded zip archives (office files are zips) (NF-02, NF-03).

A 1 MB upload can inflate to gigabytes (a "zip bomb"), and ``ZipFile.read`` inflates a whole
member into memory. Every uploaded archive is therefore checked here before anything else
opens it (a note attachment's type check, a spreadsheet reader): the member count from the
end record *before* ``ZipFile`` builds its directory, every member's name, declared sizes and
compression ratio, then every member is inflated in chunks against a running budget (so a
member whose header lies about its size is caught too, and a corrupt one fails its CRC).
Memory stays at one chunk whatever the archive claims. Refusals are ``BusinessRuleError``
with a message the user can act on.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from flask_babel import gettext as _

from crm_core.errors import BusinessRuleError
from crm_core.text_rules import find_control_character

CHUNK = 64 * 1024
#: members returned to the caller (``keep``) are at most this large; a larger one is left out.
MAX_KEPT = 64 * 1024
#: End of central directory record (fixed part) and the zip64 locator that may precede it.
_EOCD, _EOCD_SIZE = b"PK\x05\x06", 22
_ZIP64_LOCATOR, _ZIP64_LOCATOR_SIZE = b"PK\x06\x07", 20
_MAX_COMMENT = 0xFFFF


@dataclass(frozen=True)
class ArchiveLimits:
    """What an uploaded archive may hold. The defaults fit real office documents of up to
    ``CRM_UPLOAD_MAX_BYTES`` (XML compresses about 10:1) with a wide margin."""

    max_members: int = 1_000
    max_total_bytes: int = 200 * 1024 * 1024
    #: inflated / compressed size of one member; checked once a member passes ``ratio_floor``.
    max_ratio: int = 100
    ratio_floor: int = 1024 * 1024
    max_name_length: int = 255


@dataclass(frozen=True)
class Archive:
    """The outcome of a successful inspection: member names and the small members asked for."""

    names: frozenset[str]
    small: dict[str, bytes]


def _refuse(reason: str) -> BusinessRuleError:
    return BusinessRuleError(_("This archive cannot be accepted: %(reason)s", reason=reason), field="file")


def _too_many(limits: ArchiveLimits) -> BusinessRuleError:
    return _refuse(_("more than %(n)d files inside.", n=limits.max_members))


def _too_large() -> BusinessRuleError:
    return _refuse(_("its content is too large once uncompressed."))


def _bomb() -> BusinessRuleError:
    return _refuse(_("a file inside is compressed suspiciously well (a “zip bomb”)."))


def _declared_members(data: bytes) -> int:
    """The member count the end record declares (zip64 included), read without ``ZipFile``."""
    start = data.rfind(_EOCD, max(0, len(data) - _EOCD_SIZE - _MAX_COMMENT))
    if start < 0 or len(data) - start < _EOCD_SIZE:
        raise zipfile.BadZipFile
    count = struct.unpack_from("<H", data, start + 10)[0]
    if count == 0xFFFF and start >= _ZIP64_LOCATOR_SIZE:
        locator = start - _ZIP64_LOCATOR_SIZE
        if data[locator : locator + 4] == _ZIP64_LOCATOR:
            record = struct.unpack_from("<Q", data, locator + 8)[0]
            if record + 40 > len(data):
                raise zipfile.BadZipFile
            count = struct.unpack_from("<Q", data, record + 32)[0]
    return int(count)


def _bad_name(name: str, limits: ArchiveLimits) -> bool:
    """Names a well-formed document never has: absolute, ``..``, backslashes, controls, too long."""
    path = PurePosixPath(name)
    return (
        not name
        or len(name) > limits.max_name_length
        or name.startswith("/")
        or "\\" in name
        or ".." in path.parts
        or (len(name) > 1 and name[1] == ":")
        or find_control_character(name) is not None
    )


def inspect_zip(data: bytes, keep: frozenset[str] = frozenset(), limits: ArchiveLimits | None = None) -> Archive:
    """Check every member of the zip ``data`` within ``limits``; return the names and the content
    of the members named in ``keep`` (small ones, such as an ODF ``mimetype``).

    Raises ``zipfile.BadZipFile`` for something that is not a readable zip (the caller knows
    what the file was meant to be) and ``BusinessRuleError`` for an archive over the limits.
    """
    limits = limits or ArchiveLimits()
    try:
        return _inspect(data, keep, limits)
    except (EOFError, NotImplementedError, RuntimeError, OSError, ValueError, zlib.error) as exc:
        # truncated, encrypted, an unknown compression method: not a document we can read
        raise zipfile.BadZipFile(str(exc)) from exc


def _inspect(data: bytes, keep: frozenset[str], limits: ArchiveLimits) -> Archive:
    if _declared_members(data) > limits.max_members:
        raise _too_many(limits)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            raise _too_many(limits)
        names = [info.filename for info in infos]
        if len(set(names)) != len(names) or any(_bad_name(name, limits) for name in names):
            raise _refuse(_("a file inside has an unsafe or repeated name."))
        if sum(info.file_size for info in infos) > limits.max_total_bytes:
            raise _too_large()
        if any(_too_compressed(info.file_size, info.compress_size, limits) for info in infos):
            raise _bomb()
        small: dict[str, bytes] = {}
        budget = limits.max_total_bytes
        for info in infos:
            budget -= _inflate(zf, info, budget, limits, small if info.filename in keep else None)
    return Archive(frozenset(names), small)


def _inflate(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, limits: ArchiveLimits, keep: dict[str, bytes] | None
) -> int:
    """Inflate one member chunk by chunk; the bytes it really held. ``keep`` receives its content
    (only asked for small members, and still bounded by the budget)."""
    size, parts = 0, []
    with zf.open(info) as member:
        while chunk := member.read(CHUNK):
            size += len(chunk)
            if size > budget:
                raise _too_large()
            if _too_compressed(size, info.compress_size, limits):
                raise _bomb()
            if keep is not None and size <= MAX_KEPT:
                parts.append(chunk)
    if keep is not None and size <= MAX_KEPT:
        keep[info.filename] = b"".join(parts)
    return size


def _too_compressed(inflated: int, compressed: int, limits: ArchiveLimits) -> bool:
    return inflated > limits.ratio_floor and inflated > limits.max_ratio * max(compressed, 1)
