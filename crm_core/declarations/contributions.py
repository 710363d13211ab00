"""What plugins contribute besides sessions: demo users, reporting views, home panels and
key figures, user fields, periodic jobs and the plugin's own metadata."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from marshmallow import Schema
    from sqlalchemy.orm import Session as DbSession

    from crm_core.models.auth import User


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
