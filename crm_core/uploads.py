"""The size limit of uploaded files, the same on every path that takes one (NF-02).

Note attachments and import files share ``CRM_UPLOAD_MAX_BYTES``. Whether Flask cuts a huge
request off (``RequestEntityTooLarge``) or a view reads one byte past the limit, the user gets
the same answer: HTTP 413 and one translated sentence with the limit in the user's units
("10 MB", "10 MB" / "1,5 MB" in Spanish), never a raw byte count.
"""

from __future__ import annotations

from typing import IO

from babel.units import format_unit
from flask_babel import get_locale
from flask_babel import gettext as _

from crm_core.errors import BusinessRuleError

TOO_LARGE_STATUS = 413
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
