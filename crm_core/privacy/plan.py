"""What an erasure works with (CORE-21): each plugin's findings and the plan they add up to.

Plugins answer ``crm_personal_data_find`` with a :class:`PersonalData` — the records they hold
about the client (as ``(element type, id)``, so the core can erase their notes and redact their
history), the personal values those records hold (names, e-mail addresses, phone numbers,
addresses: the core and the plugins look for them in free text, files and messages), and the
fields they erase (redacted in the audit trail). The core merges the answers into an
:class:`ErasurePlan` and asks again until nothing new is found, so a plugin finds what hangs off
another plugin's records (the calls of a contact, the tasks of a case) without importing it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import Text, and_, cast, false, func, or_

from crm_core.declarations import SessionDef

#: What an erased text reads as, in every language (it is stored, not shown through gettext).
ERASED = "[erased]"
#: Shorter values are not looked for in free text: "Ana" or "12" would erase other people's words.
MIN_VALUE_LENGTH = 4


@dataclass(frozen=True)
class ErasedItem:
    """One line of the preview: ``number`` records of one kind (``key``, shown as ``label``)."""

    key: str
    label: Any
    number: int


@dataclass(frozen=True)
class PersonalData:
    """One plugin's answer to ``crm_personal_data_find``: what it holds about the client."""

    plugin: str
    items: tuple[ErasedItem, ...] = ()
    #: ``(element type, id)`` of every record about the client: its notes are erased and its
    #: audit trail redacted by the core; other plugins find what hangs off them.
    elements: frozenset[tuple[str, int]] = frozenset()
    #: The personal values these records hold, looked for in free text, files and messages.
    values: frozenset[str] = frozenset()
    #: Parts of names (a first name, a surname): redacted in the plan's own records only, as
    #: elsewhere "Rosa" or "Ferrer" is as likely someone else.
    names: frozenset[str] = frozenset()
    #: ``{element or object type: field names}`` the plugin erases: their old and new values
    #: are redacted in the audit trail of the plan's records.
    fields: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: Outbox topics whose messages this plugin erases itself (the core takes the rest).
    outbox_topics: frozenset[str] = frozenset()

    @property
    def total(self) -> int:
        return sum(item.number for item in self.items)


@dataclass(frozen=True)
class ErasurePlan:
    """The client and everything the plugins found about it so far."""

    sdef: SessionDef
    client: Any
    found: tuple[PersonalData, ...] = ()

    @cached_property
    def elements(self) -> frozenset[tuple[str, int]]:
        own = {(self.client.__element_type__, self.client.id)}
        return frozenset(own.union(*(f.elements for f in self.found)))

    @cached_property
    def values(self) -> frozenset[str]:
        """Personal values worth looking for: stripped, at least :data:`MIN_VALUE_LENGTH` long."""
        values = {v.strip() for f in self.found for v in f.values if v and v.strip()}
        return frozenset(v for v in values if len(v) >= MIN_VALUE_LENGTH and v != ERASED)

    @cached_property
    def names(self) -> frozenset[str]:
        names = {v.strip() for f in self.found for v in f.names if v and v.strip()}
        return frozenset(v for v in names if len(v) >= MIN_VALUE_LENGTH and v != ERASED) | self.values

    @cached_property
    def fields(self) -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {}
        for found in self.found:
            for kind, names in found.fields.items():
                out.setdefault(kind, set()).update(names)
        return {kind: frozenset(names) for kind, names in out.items()}

    @cached_property
    def outbox_topics(self) -> frozenset[str]:
        return frozenset().union(*(f.outbox_topics for f in self.found))

    def ids(self, element_type: str) -> list[int]:
        """The ids of the plan's records of one element type, sorted."""
        return sorted(i for kind, i in self.elements if kind == element_type)

    def of(self, plugin: str) -> PersonalData | None:
        return next((f for f in self.found if f.plugin == plugin), None)

    def targets(self, type_column: Any, id_column: Any) -> Any:
        """SQL: the row points at one of the plan's records (``element_type``/``element_id`` pairs)."""
        kinds: dict[str, list[int]] = {}
        for kind, element_id in self.elements:
            kinds.setdefault(kind, []).append(element_id)
        return or_(*(and_(type_column == kind, id_column.in_(sorted(ids))) for kind, ids in sorted(kinds.items())))

    def mentions(self, column: Any, json_column: bool = False) -> Any:
        """SQL: the text (or JSON) column contains one of the values, in any letter case."""
        patterns = set()
        for value in self.values:
            patterns.update({value, value.lower()})
            if json_column:
                escaped = json.dumps(value)[1:-1]
                patterns.update({escaped, escaped.lower()})
        if not patterns:
            return false()
        text = cast(column, Text) if json_column else column
        return or_(*(
            cond for p in sorted(patterns)
            for cond in (text.contains(p, autoescape=True), func.lower(text).contains(p.lower(), autoescape=True))
        ))

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        return _alternatives(self.values)

    @cached_property
    def _own_pattern(self) -> re.Pattern[str] | None:
        return _alternatives(self.names)

    def mentioned(self, text: str | None) -> bool:
        return bool(text) and self._pattern is not None and self._pattern.search(text) is not None

    def redact(self, text: str, own: bool = False) -> str:
        """``text`` with every occurrence of a personal value replaced by :data:`ERASED`; ``own``
        (text of the plan's own records) also parts of names."""
        pattern = self._own_pattern if own else self._pattern
        if not text or pattern is None:
            return text
        return pattern.sub(ERASED, text)

    def redact_json(self, value: Any, own: bool = False) -> Any:
        """A JSON value (payload, audit changes) with every string redacted by :meth:`redact`."""
        if isinstance(value, str):
            return self.redact(value, own)
        if isinstance(value, list):
            return [self.redact_json(v, own) for v in value]
        if isinstance(value, dict):
            return {k: self.redact_json(v, own) for k, v in value.items()}
        return value


def _alternatives(values: frozenset[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any of ``values``, longest first."""
    if not values:
        return None
    longest_first = sorted(values, key=lambda v: (-len(v), v))
    return re.compile("|".join(re.escape(v) for v in longest_first), re.IGNORECASE)


def erased(value: Any) -> Any:
    """What an erased field keeps: nothing stays nothing, any other value becomes :data:`ERASED`."""
    return value if value in (None, "") else ERASED


def found_values(*groups: Iterable[str | None]) -> frozenset[str]:
    """The non-empty values of some records' personal fields, for :attr:`PersonalData.values`."""
    return frozenset(v for group in groups for v in group if v)
