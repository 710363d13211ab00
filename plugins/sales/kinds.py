"""One table, two points of view (PUR-01): a sales record's ``kind`` says whose side it is on
(``sale``; ``purchase`` when purchasing serves the buyer's side), fixed at creation.

A :class:`Viewpoint` names and labels the sessions of one kind. Sales declares its own; a plugin
that serves another kind over sales' tables (purchasing) declares its viewpoint and builds its
sessions with ``plugins.sales.sessions.build_sessions(viewpoint)``, which registers it here — so
sales holds no other plugin's names or labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

#: The parts of a viewpoint: one session each.
PARTS = ("leads", "opportunities", "accounts", "contacts")


@dataclass(frozen=True)
class Viewpoint:
    """The sessions of one ``kind``: module name, label and menu order, and per part (leads,
    opportunities, accounts, contacts) the session name and its ``(label, singular)``."""

    kind: str
    module: str
    module_label: Any
    module_order: int
    names: Mapping[str, str]
    labels: Mapping[str, tuple[Any, Any]]

    def __post_init__(self) -> None:
        missing = [p for p in PARTS if p not in self.names or p not in self.labels]
        if missing:
            raise ValueError(f"viewpoint {self.kind!r} lacks {', '.join(missing)}")


_VIEWPOINTS: dict[str, Viewpoint] = {}


def register(viewpoint: Viewpoint) -> None:
    """Make ``viewpoint`` known (idempotent; another viewpoint of the same kind is an error)."""
    known = _VIEWPOINTS.setdefault(viewpoint.kind, viewpoint)
    if known != viewpoint:
        raise ValueError(f"kind {viewpoint.kind!r} is already served by module {known.module!r}")


def viewpoint(kind: str) -> Viewpoint:
    try:
        return _VIEWPOINTS[kind]
    except KeyError:
        served = ", ".join(sorted(_VIEWPOINTS)) or "none"
        raise ValueError(f"unknown kind {kind!r}; kinds: {served}") from None


class KindMixin:
    """``kind`` = sale or another registered viewpoint's kind, fixed at creation (PUR-01)."""

    kind: Mapped[str] = mapped_column(String(10), default="sale", index=True)
