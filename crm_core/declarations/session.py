"""The session declaration (:class:`SessionDef`) and what it is made of: the menu's module,
statuses, named filters, the board and the form's sections."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from marshmallow import Schema
    from sqlalchemy.orm import Session as DbSession

    from crm_core.custom_fields.declarations import FieldDecl
    from crm_core.security.access import Access
from crm_core.declarations.actions import Action, Workflow


@dataclass(frozen=True)
class Module:
    """A menu group (seed: *Módulo*), e.g. Sales."""

    name: str
    label: str
    order: int = 100


@dataclass(frozen=True)
class Status:
    """A fixed internal state of a session's elements with its default visible label."""

    code: str
    label: str
    #: ``False`` for terminal states (qualified, won, lost …): they do not count as open.
    open: bool = True
    #: The kind of state, which colours its badge on grids and detail pages (issue 17 item 6):
    #: one of :data:`STATE_TONES`; empty means ``"open"`` for an open state, ``"closed"`` otherwise.
    tone: str = ""

    def __post_init__(self) -> None:
        if self.tone and self.tone not in STATE_TONES:
            raise ValueError(f"Status {self.code!r}: tone {self.tone!r} is not one of {', '.join(STATE_TONES)}")

    @property
    def kind(self) -> str:
        """The state's tone as declared, or read from ``open``."""
        return self.tone or ("open" if self.open else "closed")


#: Kinds of state a status may declare (``Status.tone``), each with its badge colour in crm.css.
STATE_TONES = ("open", "won", "lost", "closed")


@dataclass(frozen=True)
class NamedFilter:
    """A ready-made condition of a session's grid, API list, listing and export (``?only=name``):
    ``condition()`` returns the SQL condition, built at query time (it may read the clock)."""

    name: str
    label: str
    condition: Callable[[], Any]


@dataclass(frozen=True)
class Board:
    """A session's pipeline board (EXT-04): a kanban with one column per value of ``field``.

    The columns are the choices of ``field`` in the session's schema (``metadata={"choices":
    callable}`` or a ``OneOf`` validator), in their order. ``amount`` and ``probability`` (a
    percentage) give each column its sum and probability-weighted sum. Moving a card runs the
    session's ``action`` with ``{field: new value}``: the same schema, workflow and rules as
    the form, so a refused move is refused with the action's own message. Checked at start-up
    (:func:`crm_core.checks.board_problems`).
    """

    field: str
    action: str
    amount: str | None = None
    probability: str | None = None


@dataclass(frozen=True)
class Section:
    """A block of a record's overview page (a client's 360 view): a titled table.

    An internal section has its ``rows`` (dicts keyed by ``columns``, read from the database in
    the request). An external one has ``fetch`` instead — a callable without arguments that asks
    an outside system and returns the rows; it runs in a worker thread with no app context, in
    parallel with the other fetches, and only ``timeout`` seconds are waited for it (then a
    placeholder shows; a fetch whose own client gave up in time raises ``TimeoutError`` to be
    shown the same way, "slow", not "failed"); ``cache_seconds`` > 0 keeps its rows that long per process, under
    ``cache_key``. ``columns`` are ``(key, label)`` pairs.
    """

    name: str
    label: str
    columns: tuple[tuple[str, str], ...]
    rows: tuple[Mapping[str, Any], ...] = ()
    fetch: Callable[[], list[Mapping[str, Any]]] | None = None
    timeout: float = 2.0
    cache_seconds: float = 0.0
    cache_key: str = ""
    order: int = 100


@dataclass(frozen=True)
class SessionDef:
    """One screen area (seed: *Sesión*) and everything the generic screens need to serve it.

    ``model`` is the element table; ``where`` fixes column values for this session (for example
    ``{"kind": "purchase"}``): they filter every query and are set on every new element, and
    cannot be changed. A session without a model is a plain page (``endpoint``) that still has
    a menu entry and permissions, e.g. the calendar.
    """

    name: str
    module: str
    label: str
    model: type | None = None
    schema: type[Schema] | None = None
    columns: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    statuses: tuple[Status, ...] = ()
    status_field: str = "status"
    where: Mapping[str, Any] = field(default_factory=dict)
    deletable: bool = True
    importable: bool = False
    import_keys: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    #: field name → session name whose elements the field references (lookup pickers).
    lookups: Mapping[str, str] = field(default_factory=dict)
    default_sort: str = "-id"
    order: int = 100
    endpoint: str | None = None
    #: element label for one record, e.g. "Lead"; defaults to the session label.
    singular: str = ""
    #: the state machine of ``workflow.field`` (usually ``status_field``), if the session has one.
    workflow: Workflow | None = None
    #: what the records are, in words plugins share without importing each other ("account",
    #: "contact", "lead", "opportunity" …): an integration recognises sessions by role, never by
    #: name or table (an ERP link serves every session with the role "account", of any kind).
    roles: tuple[str, ...] = ()
    #: column values that make a record readable by every user who may view the session, owner
    #: or not (``{"published": True}`` for knowledge articles); changing it stays with its owner
    #: and the groups that see all records. Empty: the ownership rule alone.
    shared: Mapping[str, Any] = field(default_factory=dict)
    #: the pipeline board of the session (``/s/<session_name>/board``), if it has one.
    board: Board | None = None
    #: ready-made conditions users tick on the grid (``?only=overdue``), ANDed with the rest.
    named_filters: tuple[NamedFilter, ...] = ()
    #: fields the grid lets users change in place, cell by cell (issue 17 item 5): each must be
    #: a field the schema loads; the cell's small form saves through ``elements.update``.
    inline_edit: tuple[str, ...] = ()
    #: the client's custom fields of this session (EXT-16), set by the core from customer.toml
    #: and Configuration → Fields; their values live in the model's ``custom`` JSON column.
    custom_fields: tuple[FieldDecl, ...] = ()
    #: ``(db, access, sdef, text) → new element``: a record made from the text typed in a picker
    #: of this session ("+ New customer “Acme”", issue 17 item 6), inside the request's
    #: transaction, with the caller's rights; ``None``: pickers offer no such entry.
    quick_create: Callable[[DbSession, Access, SessionDef, str], Any] | None = None
    #: the columns the grid and the API may sort by. ``None`` (the usual case): those the
    #: model's declared list indexes serve (``crm_core.indexes.indexed_sorts``), so a sort is
    #: offered exactly when an index gives its first page; a tuple overrides that, e.g. for a
    #: table that stays small. The default sort and sortable custom fields are always offered.
    sorts: tuple[str, ...] | None = None

    def custom_field(self, name: str) -> FieldDecl | None:
        return next((f for f in self.custom_fields if f.name == name), None)

    def named_filter(self, name: str) -> NamedFilter | None:
        return next((f for f in self.named_filters if f.name == name), None)

    def __post_init__(self) -> None:
        if self.model is None and self.endpoint is None:
            raise ValueError(f"session {self.name!r} needs a model or an endpoint")
        if self.model is not None and self.schema is None:
            raise ValueError(f"session {self.name!r} has a model but no schema")

    @property
    def has_grid(self) -> bool:
        return self.model is not None

    def action(self, name: str) -> Action | None:
        return next((a for a in self.actions if a.name == name), None)

    def status(self, code: str) -> Status | None:
        return next((s for s in self.statuses if s.code == code), None)
