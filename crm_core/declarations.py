"""Frozen declarations that plugins return from ``crm_register_*`` hooks.

A plugin describes a *session* (one screen area) once with :class:`SessionDef`; the core
builds the grid, detail, listing, import and export screens and the REST endpoints from it.
Customer configuration may relabel, reorder, hide and choose columns: data, not code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from marshmallow import Schema
    from marshmallow.fields import Field
    from sqlalchemy.orm import Session as DbSession

    from crm_core.custom_fields.declarations import FieldDecl
    from crm_core.models.auth import User
    from crm_core.security.access import Access


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
class ActionContext:
    """What an action handler receives. ``data`` is already validated by the action schema;
    ``access`` is the acting user's resolved permissions (check with it, never reload them)."""

    sdef: SessionDef
    element: Any
    data: Mapping[str, Any]
    user: User
    db: DbSession
    access: Access


@dataclass(frozen=True)
class Action:
    """A business operation on one element (qualify, close won …), shown only when available.

    ``handler`` runs inside the caller's unit of work; it raises ``BusinessRuleError`` to refuse.
    Its return value (e.g. the element created) is reported to the user and the API.
    """

    name: str
    label: str
    handler: Callable[[ActionContext], Any]
    schema: type[Schema] | None = None
    available: Callable[[Any], bool] = lambda element: True
    permission: str = "modify"
    confirm: str | None = None
    #: Offered in place by the timeline's composer (a quick form under the record's history,
    #: e.g. "Send email", "Add activity"), besides the detail screen's action buttons.
    composer: bool = False


@dataclass(frozen=True)
class Transition:
    """One allowed move of a workflow: ``source`` → ``target``, made by the action ``action``.

    Without an action the move is a direct edit of the state field (form, API, import). A
    transition whose source and target are the same state declares an action that works in that
    state without leaving it (an active opportunity changing stage).
    """

    source: str
    target: str
    action: str | None = None


@dataclass(frozen=True)
class Workflow:
    """A session's state machine, as Tryton's ``_transitions``: the moves ``field`` may make and
    the action that makes each one. The core refuses every other change with a message naming
    the visible states, hides actions that have no transition from the current state and records
    each transition in the audit trail (:mod:`crm_core.services.workflow`).

    An action named by no transition is not governed: it is available in every state (subject to
    its own ``available``). ``initial`` is the state every new element must start in.
    """

    transitions: tuple[Transition, ...]
    field: str = "status"
    initial: str | None = None

    def __post_init__(self) -> None:
        seen = set()
        for t in self.transitions:
            if t in seen:
                raise ValueError(f"workflow of {self.field!r}: transition {t.source!r} → {t.target!r} declared twice")
            seen.add(t)

    @property
    def states(self) -> frozenset[str]:
        return frozenset(s for t in self.transitions for s in (t.source, t.target))

    def governs(self, action: str) -> bool:
        """Whether some transition is made by ``action`` (else the workflow leaves it alone)."""
        return any(t.action == action for t in self.transitions)

    def can_run(self, action: str, state: str) -> bool:
        """Whether ``action`` may run on an element in ``state``."""
        return not self.governs(action) or any(t.action == action and t.source == state for t in self.transitions)

    def allows(self, source: str, target: str, action: str | None = None) -> bool:
        return Transition(source, target, action) in self.transitions

    def targets(self, source: str, action: str | None = None) -> list[str]:
        """The states ``action`` (or a direct edit) may move an element in ``source`` to."""
        return [t.target for t in self.transitions if t.source == source and t.action == action]


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


@dataclass(frozen=True)
class DemoUser:
    """A demo user ``crm demo`` creates (password: the demo password), in one of the default
    groups (``Administrators``, ``Leaders``, ``Executives``)."""

    username: str
    full_name: str
    group: str
    language: str = "en"
    timezone: str = "Europe/Madrid"


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
class ReportingView:
    """A documented, read-only view for outside reporting tools (``crm reporting install``).

    ``query`` returns a SQLAlchemy ``select`` (columns labelled as the view's columns); it is
    compiled for the database at install time, so one declaration serves PostgreSQL and SQLite.
    ``description`` documents the view (``crm reporting list`` prints it; PostgreSQL keeps it as
    the view's comment). Names: lower-case letters, digits and ``_``, unique.
    """

    name: str
    query: Callable[[], Any]
    description: str = ""


@dataclass(frozen=True)
class Panel:
    """A panel on the home page; ``render(user)`` returns safe HTML."""

    name: str
    label: str
    render: Callable[[Any], str]
    order: int = 100


@dataclass(frozen=True)
class Kpi:
    """A key figure on the home dashboard (EXT-07), contributed by ``crm_kpis``.

    ``value`` is a number, shown as ``kind`` says: ``count``, ``amount`` (two decimals, the
    user's locale) or ``percent`` (0..100). ``goal`` adds a bar "n % of the goal". ``rows``
    (``(label, value)`` pairs) make the figure a chart *and its table* instead of a card (the
    table is the chart's accessible twin: the page draws the chart from it); ``chart`` is
    ``bar``, ``pie`` or ``funnel`` and ``rows_label`` heads the table's first column. ``link`` drills down to
    the records. ``scope`` groups the figures: ``mine`` (the user's own) or ``team``.
    """

    name: str
    label: Any
    value: Any
    kind: str = "count"
    goal: Any = None
    link: str | None = None
    rows: tuple[tuple[Any, Any], ...] = ()
    rows_label: Any = ""
    chart: str = "bar"
    scope: str = "mine"
    order: int = 100

    def __post_init__(self) -> None:
        if self.kind not in ("count", "amount", "percent"):
            raise ValueError(f"Kpi {self.name!r}: kind must be count, amount or percent, not {self.kind!r}")
        if self.chart not in ("bar", "pie", "funnel"):
            raise ValueError(f"Kpi {self.name!r}: chart must be bar, pie or funnel, not {self.chart!r}")
        if self.scope not in ("mine", "team"):
            raise ValueError(f"Kpi {self.name!r}: scope must be mine or team, not {self.scope!r}")


@dataclass(frozen=True)
class UserField:
    """A field a plugin adds to every user's profile: the users screen shows it, and My account
    too when ``self_service`` (e.g. a telephone extension). The plugin keeps the value in its own
    table: ``load(db, user)`` gives the text shown, ``save(db, user, text)`` stores what was typed
    inside the form's transaction and raises ``BusinessRuleError`` to refuse it (the form then
    shows the message under the field and nothing of the form is saved)."""

    name: str
    label: str
    load: Callable[[DbSession, User], str]
    save: Callable[[DbSession, User, str], None]
    max_length: int = 80
    self_service: bool = True
    description: str = ""


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


@dataclass(frozen=True)
class PeriodicJob:
    """Work the ``crm worker`` runs every ``every_seconds`` (reminders, escalations …)."""

    name: str
    every_seconds: int
    run: Callable[[], int]


@dataclass(frozen=True)
class PluginMeta:
    """What a plugin module declares about itself, as ``meta = PluginMeta(...)``."""

    requires: tuple[str, ...] = ()
    description: str = ""
    #: The plugin's own version, shown by ``crm plugins list`` instead of its distribution's.
    version: str = ""
    #: The hook contracts (``crm_core.hookspecs.HOOKS_VERSION``) the plugin was written for, as a
    #: version range (``">=2.1,<3"``): a core outside it refuses to start, naming the plugin.
    requires_contract: str = ""
    #: Marshmallow schema validating ``[settings.<plugin>]`` of customer.toml at start-up.
    settings_schema: type[Schema] | None = None
    #: The module specifying the events (and questions) this plugin fires, e.g.
    #: ``plugins.sales.hookspecs``: the core adds it to the plugin manager before registering any
    #: plugin, so business events are owned by their plugin, not by ``crm_core/hookspecs.py``.
    hookspecs: ModuleType | None = None
    #: Plugins whose ``crm_demo_data`` runs before this plugin's when they are enabled, without
    #: requiring them: e.g. activities links its demo activities to the records sales made.
    demo_after: tuple[str, ...] = ()


@lru_cache(maxsize=512)
def schema_fields(schema: type[Schema]) -> Mapping[str, Field]:
    """The fields of a declared schema by name, read-only and built once: a schema instance
    copies every field, which the screens would otherwise pay per column and per request. Load
    and dump with a fresh instance as usual."""
    return MappingProxyType(schema().fields)


def _get_attribute(self: Any, obj: Any, attr: str, default: Any) -> Any:
    """marshmallow's ``get_value`` without its per-field ``hasattr(obj, "__getitem__")`` probe
    for plain objects: on an element with custom fields the probe goes through ``__getattr__``
    and raises, once per field and row (most of an API list's CPU). Dotted paths and mappings
    take marshmallow's own way, so the values are the same."""
    if "." in attr or hasattr(type(obj), "__getitem__"):
        from marshmallow.utils import get_value

        return get_value(obj, attr, default)
    return getattr(obj, attr, default)


@lru_cache(maxsize=512)
def dumping_schema(schema: type[Schema]) -> type[Schema]:
    """``schema`` with a cheaper attribute access for dumping many elements (the API list): a
    subclass, built once per schema, that dumps exactly what ``schema`` dumps. A schema with its
    own ``get_attribute`` is returned as it is."""
    from marshmallow import Schema as Base

    if schema.get_attribute is not Base.get_attribute:
        return schema
    return type(schema.__name__, (schema,), {"get_attribute": _get_attribute, "__module__": schema.__module__})
