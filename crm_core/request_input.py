"""Request input refused before any view runs, and the one parser of integer parameters
(NF-02, NF-03).

A NUL byte or another control character in a query string, a form or a JSON body cannot be
stored by PostgreSQL (NUL), corrupts terminals and exports (escape sequences) and is never
typed by a person, so the core refuses it in one ``before_request`` guard for every route —
screens, lookups, exports, the login page and the API — instead of each view finding out at
the database. Integers come from requests as text of any length; :func:`int_arg` turns them
into numbers a 64-bit column can hold, or answers 400 naming the parameter. The guard and the
400 page are installed by :func:`crm_core.web.init_app` (this module sits below the pages).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import request
from flask_babel import gettext as _
from sqlalchemy import BigInteger
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from crm_core.text_rules import CONTROL_CHARACTERS, code_point, find_control_character

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MAX_PAGE = 1_000_000


class BadInput(BadRequest):
    """A 400 about one request parameter; ``field`` names it for the API's ``fields``."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def forbidden_character(text: str) -> str | None:
    """The first character of ``text`` the core refuses (:mod:`crm_core.text_rules`), as
    ``U+XXXX``, or None."""
    found = find_control_character(text)
    return code_point(found) if found else None


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """``(field path, text)`` of every key and string in a JSON value, however nested."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            yield name, str(key)
            yield from _strings(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def _submitted() -> Iterator[tuple[str, str]]:
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            yield key, key
            yield key, value
    if request.is_json:
        yield from _strings(request.get_json(silent=True), "")


def refuse_control_characters() -> None:
    """The guard: 400 for the first submitted name or value holding a forbidden character."""
    for name, text in _submitted():
        code = forbidden_character(text)
        if code:
            shown = CONTROL_CHARACTERS.sub("\N{REPLACEMENT CHARACTER}", name)
            raise BadInput(
                _("The field “%(name)s” contains a character that is not allowed (%(code)s).", name=shown, code=code),
                field=shown,
            )


def parse_int(text: str) -> int:
    """A whole number a 64-bit column holds; ``ValueError`` for anything else."""
    value = int(text.strip())
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(text)
    return value


def column_holds(column: Any, value: int) -> bool:
    """Whether an integer ``column`` can hold ``value``: 64 bits for a ``BigInteger``, 32 for
    the other integer types (the elements' ids). PostgreSQL refuses a comparison of a 32-bit
    column with a number past its range instead of finding nothing, so an id from a request
    is checked before it reaches a query."""
    bits = 64 if isinstance(getattr(column, "type", None), BigInteger) else 32
    return -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route of the app: a number past the 32-bit id columns (the
    elements', users', settings' ids) matches no route, so it is a 404 like any missing record
    rather than a query PostgreSQL refuses. A route over a ``BigInteger`` id says so:
    ``<int(max=9223372036854775807):item_id>``."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def int_arg(
    name: str,
    default: int | None = None,
    source: MultiDict | None = None,
    low: int = INT64_MIN,
    high: int = INT64_MAX,
) -> int | None:
    """Integer parameter ``name`` of the query string (or ``source``, e.g. ``request.form``);
    ``default`` when absent or empty, 400 naming the parameter when it is not a whole number
    between ``low`` and ``high`` (by default the range of a 64-bit column)."""
    raw = (request.args if source is None else source).get(name, "")
    return _whole_number(name, raw, low, high) if raw.strip() else default


def int_list(name: str, source: MultiDict | None = None) -> list[int]:
    """Every non-empty value of the repeated integer parameter ``name`` (ticked ids)."""
    values = (request.args if source is None else source).getlist(name)
    return [_whole_number(name, raw, INT64_MIN, INT64_MAX) for raw in values if raw.strip()]


def _whole_number(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise BadInput(_("“%(name)s” must be a whole number.", name=name), field=name) from None
    if not low <= value <= high:
        raise BadInput(
            _("“%(name)s” must be between %(low)d and %(high)d.", name=name, low=low, high=high), field=name
        )
    return value


def page_arg() -> int:
    """The ``page`` parameter of a paged screen or list: 1 when absent; pages past
    :data:`MAX_PAGE` are refused, so ``OFFSET`` stays within what the database can count."""
    return int_arg("page", 1, low=1, high=MAX_PAGE) or 1
