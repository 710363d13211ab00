"""Lookups schemas make while validating (an account by code, the kind of an account …), batched
per import chunk.

A schema validates one row at a time, so a lookup in a validator is one query per row: an
import of 1,000 contacts asked for 1,000 accounts. While the import engine validates a chunk it
opens :func:`chunk` with the chunk's raw rows; the first :func:`lookup` of a kind then loads the
values of *every* row of the chunk in one query and answers the other rows from memory. Outside
a chunk (a form, the API) a lookup is one query, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

#: ``load(keys) -> {key: value}`` for the keys found; a missing key means "no such record".
Loader = Callable[[set[Any]], Mapping[Any, Any]]


class _Chunk:
    """The raw rows of the chunk being validated and what was looked up for them, by kind."""

    def __init__(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.rows = rows
        self.found: dict[str, dict[Any, Any]] = {}

    def get(self, kind: str, key: Any, load: Loader, field: str, convert: Callable[[Any], Any]) -> Any:
        known = self.found.get(kind)
        if known is None:
            keys = {key} | {k for k in (_converted(row.get(field), convert) for row in self.rows) if k is not None}
            loaded = load(keys)
            known = self.found[kind] = {k: loaded.get(k) for k in keys}
        if key not in known:  # a key the rows did not show as such (normalised by the schema)
            known[key] = load({key}).get(key)
        return known[key]


def _converted(raw: Any, convert: Callable[[Any], Any]) -> Any:
    if raw is None or raw == "":
        return None
    try:
        return convert(raw)
    except (TypeError, ValueError):
        return None  # the field's own validation refuses it


_current: ContextVar[_Chunk | None] = ContextVar("crm_lookup_chunk", default=None)


@contextmanager
def chunk(rows: Sequence[Mapping[str, Any]]) -> Iterator[None]:
    """Batch the lookups made while the rows of one chunk are validated."""
    token = _current.set(_Chunk(rows))
    try:
        yield
    finally:
        _current.reset(token)


def lookup(kind: str, key: Any, load: Loader, field: str, convert: Callable[[Any], Any] = str) -> Any:
    """The value ``load`` finds for ``key`` (``None`` if none), in one query per chunk.

    ``kind`` names the lookup (unique per loader, e.g. ``"sales.account_kind"``); ``field`` is
    the raw input field whose values, turned by ``convert`` into keys, are loaded together.
    """
    current = _current.get()
    if current is None:
        return load({key}).get(key)
    return current.get(kind, key, load, field, convert)
