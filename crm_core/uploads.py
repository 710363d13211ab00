"""The size limit of uploaded files, the same on every path that takes one (NF-02).

Note attachments and import files share ``CRM_UPLOAD_MAX_BYTES``. Whether Flask cuts a huge
request off (``RequestEntityTooLarge``) or a view reads one byte past the limit, the user gets
the same answer: HTTP 413 and one translated sentence with the limit in the user's units
("10 MB", "10 MB" / "1,5 MB" in Spanish), never a raw byte count.
"""

from __future__ import annotations

from typing import IO

from babel.units import format_unit
from flask import current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _

from crm_core.errors import BusinessRuleError

TOO_LARGE_STATUS = 413
#: Largest refused body still read to its end before answering (see :func:`drain_refused_body`).
DRAIN_MAX_BYTES = 64 * 1024 * 1024
_UNITS = ((1024**3, "digital-gigabyte"), (1024**2, "digital-megabyte"), (1024, "digital-kilobyte"))


class FileTooLarge(BusinessRuleError):
    """An uploaded file over ``CRM_UPLOAD_MAX_BYTES``; screens answer it with HTTP 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(_("The file is larger than the limit of %(size)s.", size=human_size(limit)), field="file")


def human_size(size: int) -> str:
    """``size`` bytes as the user reads it: the largest binary unit it reaches, one decimal at
    most, localised (``10 MB``, ``1,5 MB``)."""
    for factor, unit in _UNITS:
        if size >= factor:
            value = round(size / factor, 1)
            return format_unit(int(value) if value.is_integer() else value, unit, length="short", locale=get_locale())
    return format_unit(size, "digital-byte", length="long", locale=get_locale())


def read_upload(stream: IO[bytes], limit: int) -> bytes:
    """The uploaded bytes, reading at most one byte past ``limit``; FileTooLarge beyond it."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(limit)
    return data


def drain_refused_body() -> None:
    """Read and discard the body of a request refused as too large before answering.

    Flask refuses a body whose declared length is over the limit without reading it; a server
    that answers and closes while the browser is still sending makes the browser report a reset
    connection instead of the 413 page. Bodies up to :data:`DRAIN_MAX_BYTES` are read through (in
    64 KiB chunks, never kept); larger ones are not, and the client may see the reset.
    """
    length = request.content_length or 0
    stream = request.environ.get("wsgi.input")
    if stream is None or not 0 < length <= DRAIN_MAX_BYTES:
        return
    while length > 0:
        chunk = stream.read(min(65536, length))
        if not chunk:
            return
        length -= len(chunk)


def too_large_answer() -> str:
    """The message for a request Flask cut off as too large, after draining its body: what
    every path (screens, API) answers with HTTP 413."""
    drain_refused_body()
    return str(FileTooLarge(current_app.config["CRM_UPLOAD_MAX_BYTES"]))
