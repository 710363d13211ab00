"""The keys an import has already written or checked, on disk (CORE-11, NF-01, issue 13 target 2).

The duplicate rule also compares a line with the earlier lines of the same file ("duplicate of
line 3"). Keeping every key of a 1,000,000-line file in a Python dict cost about 400 bytes a line
(the key, its record id and its line): hundreds of MB for a large file. :class:`SeenKeys` keeps
them in a private temporary SQLite database (the standard library's ``sqlite3``; an empty file
name makes SQLite create an on-disk file it deletes on close) with a bounded page cache, so an
import only holds the keys of the chunk it is writing. It is separate from the CRM's database:
it lives as long as the import, whatever transactions the import commits or rolls back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable

#: SQLite's page cache for the store, in KiB (negative ``cache_size``): the rest stays on disk.
CACHE_KIB = 4096
#: Keys per ``IN`` list (well under SQLite's bound parameters).
IN_BATCH = 500

Key = tuple[str, ...]


def _text(key: Key) -> str:
    """The key as one text: its parts joined by U+001F, a control character no imported value may
    hold (:mod:`crm_core.text_rules` refuses the line), so two keys never share a text. (A JSON
    list cost a third of the store's time in the 100,000-line profile.)"""
    return "\x1f".join(key)


class SeenKeys:
    """``key → (record id, line)`` of the lines an import wrote (id 0: checked, not written)."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("")
        self._db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self._db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, pk INTEGER NOT NULL, line INTEGER NOT NULL)")

    def put(self, entries: Iterable[tuple[Key, int, int]]) -> None:
        """Store (or replace) ``(key, id, line)`` entries."""
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO seen VALUES (?, ?, ?)",
                                 ((_text(key), pk, line) for key, pk, line in entries))

    def get(self, keys: Collection[Key]) -> dict[Key, tuple[int, int]]:
        """``key → (id, line)`` of the stored keys among ``keys``."""
        by_text = {_text(key): key for key in keys}
        texts = list(by_text)
        out: dict[Key, tuple[int, int]] = {}
        for first in range(0, len(texts), IN_BATCH):
            batch = texts[first : first + IN_BATCH]
            marks = ", ".join("?" * len(batch))
            for text, pk, line in self._db.execute(f"SELECT key, pk, line FROM seen WHERE key IN ({marks})", batch):  # noqa: S608
                out[by_text[text]] = (pk, line)
        return out

    def close(self) -> None:
        self._db.close()
