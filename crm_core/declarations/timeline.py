"""Detail tabs and timeline entries plugins contribute to a record's page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:

    from crm_core.declarations.session import SessionDef


@dataclass(frozen=True)
class Tab:
    """A side tab on the detail screen; ``render(session, element)`` returns safe HTML."""

    name: str
    label: str
    render: Callable[[SessionDef, Any], str]
    order: int = 100


@dataclass(frozen=True)
class TimelineLink:
    """A record named by a timeline entry: its name, and its detail URL when the reader may open it."""

    label: str
    url: str | None = None


@dataclass(frozen=True)
class TimelineLine:
    """One changed field of a timeline entry, as people read it: the field's label, the values
    as the grid shows them (labels and names, never codes or ids), a link for a referenced record."""

    label: str
    before: Any = None
    after: Any = None
    url: str | None = None


@dataclass(frozen=True)
class TimelineEntry:
    """One entry of a record's timeline (``crm_timeline_entries``).

    ``at`` is an aware UTC datetime; ``key`` is unique across every source and stable (e.g.
    ``"activity:000000000042"``: zero-padded so that entries of one moment sort the same way on
    every page); ``kind`` (``note``, ``change``, ``activity``, ``call``, ``message`` …) styles
    the entry; ``title``, ``who`` and ``body`` are shown as text (never HTML), ``url`` opens the
    entry's own record, ``links`` name related records.
    """

    at: Any
    key: str
    kind: str
    title: str
    who: str = ""
    body: str = ""
    lines: tuple[TimelineLine, ...] = ()
    links: tuple[TimelineLink, ...] = ()
    url: str | None = None
