"""The contract between the core and plugins (hook specifications, project name ``crm``).

Only generic hooks live here. A business event (``crm_opportunity_won`` …) is specified by the
plugin that fires it, in its own ``hookspecs`` module declared as ``PluginMeta(hookspecs=...)``
(see ``plugins/sales/hookspecs.py``); the core adds those specs before registering any plugin.

Contract version: see ``HOOKS_VERSION``; any change to a specification is noted in CHANGELOG.
A plugin states the contracts it was written for (``PluginMeta.requires_contract``), checked
at start-up.

Conventions:

* A hookimpl may accept fewer arguments than the spec names, so specs grow by adding
  arguments without breaking plugins.
* *Registration* hooks are called once at start-up and return frozen declarations.
* *Event* hooks are called **inside** the unit of work that caused the event, after flush and
  before commit, with the database session as ``db``. Element events reach only the
  implementations whose scope covers the session (``crm_core.events.handles``) and receive
  the resolved ``access``. An implementation writes only through
  ``db`` (typically an outbox row): if the transaction rolls back, the event never happened.
  Never call an external system from an event hook; enqueue with ``crm_core.outbox.enqueue``.
* *Question* hooks marked ``firstresult`` stop at the first non-``None`` answer; two business
  plugins answering the same one is a start-up error (a customer override may wrap them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from datetime import datetime

    import click
    from flask import Blueprint, Flask
    from sqlalchemy.orm import Session as DbSession

    from crm_core.declarations import (
        Action,
        DemoUser,
        Kpi,
        Module,
        Panel,
        PeriodicJob,
        SessionDef,
        Tab,
        TimelineEntry,
        UserField,
    )
    from crm_core.models.auth import User
    from crm_core.privacy.plan import ErasurePlan, PersonalData
    from crm_core.security.access import Access

HOOKS_VERSION = "2.1"

hookspec = pluggy.HookspecMarker("crm")


# --- registration ---------------------------------------------------------------------------


@hookspec
def crm_register_modules() -> list[Module]:
    """Return the menu modules this plugin contributes (e.g. Sales). Names must be unique."""


@hookspec
def crm_register_sessions() -> list[SessionDef]:
    """Return the sessions (screen areas) this plugin contributes. Names must be unique.

    The core serves grid, detail, listing, import, export and REST endpoints for each session
    with a model, and a menu entry for every session.
    """


@hookspec
def crm_register_blueprints(app: Flask) -> list[Blueprint]:
    """Return Flask blueprints for the plugin's own pages (calendar, funnel, webhooks …)."""


@hookspec
def crm_register_cli(cli: click.Group) -> None:
    """Add commands to the ``crm`` command group (called once when the CLI is built)."""


@hookspec
def crm_register_translations() -> list[str]:
    """Return directories holding gettext catalogs (``<dir>/<lang>/LC_MESSAGES/messages.mo``)."""


@hookspec
def crm_register_outbox_handlers() -> dict[str, Any]:
    """Return ``{topic: deliver(payload: dict, idempotency_key: str) -> None}``.

    The outbox worker calls ``deliver`` for each pending message of ``topic``; raising marks the
    attempt failed and schedules a retry. Topics must be unique across plugins.
    """


@hookspec
def crm_reporting_views() -> list[Any]:
    """Return ``ReportingView``s (toolkit) that ``crm reporting install`` creates for outside
    reporting tools: views in the ``reporting`` schema on PostgreSQL (``reporting_<name>`` on
    SQLite), readable by a login role that can read nothing else. Names unique across plugins."""


@hookspec
def crm_register_periodic_jobs() -> list[PeriodicJob]:
    """Return jobs the ``crm worker`` runs periodically (reminders, escalations …)."""


@hookspec
def crm_element_actions(sdef: SessionDef) -> list[Action]:
    """Return extra actions for ``session``'s detail screen and API, beyond its own."""


@hookspec
def crm_detail_tabs(sdef: SessionDef) -> list[Tab]:
    """Return side tabs for the detail screen of ``session``'s elements (activities, notes …)."""


@hookspec
def crm_timeline_entries(
    sdef: SessionDef, element: Any, access: Access, db: DbSession, before: datetime | None, limit: int
) -> list[TimelineEntry]:
    """Return what this plugin knows about ``element`` for its timeline on the detail screen:
    at most ``limit`` :class:`~crm_core.declarations.TimelineEntry` dated at or before
    ``before`` (any date when ``None``), newest first — the core merges every plugin's answer
    with the record's own changes and notes and pages through them with ``before``.

    Called per page, in a request, after the core checked that ``access`` may view ``element``.
    Show only what ``access`` may see: read your records through ``scoped`` (an activity of
    someone else's the reader may not see is left out) and give a related record's name and
    link only when the reader may open it. Texts as people read them: labels and names, never
    codes, states or user ids. Query in a bounded number of statements (one or two per page,
    not per entry): a record may have thousands of entries.
    """


@hookspec
def crm_home_panels(user: User) -> list[Panel]:
    """Return panels for ``user``'s home page (agenda, shortcuts …)."""


@hookspec
def crm_kpis(user: User) -> list[Kpi]:
    """Return key figures for ``user``'s home dashboard (EXT-07): pipeline value, forecast, won
    against a goal, activities due … as :class:`~crm_core.declarations.Kpi`. Called per page, in
    a request; compute them through the access layer (``current_access()``, ``scoped``) so a
    user only ever sees figures of records they may see, and return ``team`` figures only to
    users who may see the team's records. Figures, not HTML: the core draws cards, charts and
    their tables."""


@hookspec
def crm_page_scripts() -> list[str]:
    """Return URLs of scripts (a plugin blueprint's static files, by the toolkit's ``static_url``,
    which gives content-hashed, long-cached names) every page of a
    signed-in user loads after the core's own, e.g. a screen pop listening for calls. Called per
    page, in a request; files only (the CSP allows no inline script)."""


@hookspec
def crm_user_fields() -> list[UserField]:
    """Return fields this plugin adds to the user profile (users screen; My account when
    ``self_service``); names unique across plugins. Called each time a user form is built."""


@hookspec
def crm_row_filters(sdef: SessionDef, user: User) -> list[Any]:
    """Return extra SQL conditions restricting which rows of ``session`` ``user`` may see.

    They are ANDed into the one ownership filter, so they apply on every path: screens, search,
    listings, exports, API, calendar and imports.
    """


@hookspec
def crm_demo_users() -> list[DemoUser]:
    """Return the demo users ``crm demo`` creates before any demo data (a sales plugin its team,
    a client folder its own people). The first declaration of a username wins (pluggy's order);
    an unknown group is an error naming the plugin."""


@hookspec
def crm_demo_data(db: DbSession, users: dict[str, User]) -> None:
    """Create realistic demo records for this plugin (``crm demo``). ``users`` by username."""


# --- events (inside the unit of work) -------------------------------------------------------


@hookspec
def crm_element_created(sdef: SessionDef, element: Any, access: Access, user: User, db: DbSession) -> None:
    """An element was created alone: a screen, the API, or an import redoing a chunk row by row.

    Called once per element, inside the creating transaction, after its audit row; changes to
    ``element`` are flushed. ``access`` is the acting user's resolved ``Access`` (check with it,
    never reload permissions). Scope the implementation with ``crm_core.events.handles``.
    Elements written in a batch (imports, ``create_many``) fire ``crm_elements_created``
    instead, and fire this hook only for plugins that do not implement the batch one.
    """


@hookspec
def crm_elements_created(sdef: SessionDef, elements: list[Any], access: Access, user: User, db: DbSession) -> None:
    """A batch of elements was created (an import chunk, ``create_many``): called once per batch.

    ``elements`` are loaded in one query, in row order, after their audit rows; changes to them
    are flushed. Implement it to handle imports at a cost that does not grow with the rows
    (look up what the batch needs in one query). A plugin implementing it is not called
    per element for that batch (``crm_element_created`` then fires only for single creates).
    Scoped like the other element events.
    """


@hookspec
def crm_element_changed(
    sdef: SessionDef, element: Any, changes: dict[str, list[Any]], access: Access, user: User, db: DbSession
) -> None:
    """An element was updated; ``changes`` is ``{field: [old, new]}``; ``access`` as for creation."""


@hookspec
def crm_element_deleted(sdef: SessionDef, element: Any, access: Access, user: User, db: DbSession) -> None:
    """An element is being deleted (still loaded, not yet gone); ``access`` as for creation."""


# --- questions ------------------------------------------------------------------------------


@hookspec(firstresult=True)
def crm_find_by_phone(number: str, user: User, db: DbSession) -> Any:
    """Return the element (client, contact …) whose phone matches ``number``, or None.

    Only elements ``user`` may see count (the ownership filter applies).
    """


# --- privacy erase (CORE-21) ----------------------------------------------------------------


@hookspec
def crm_personal_data_find(plan: ErasurePlan, db: DbSession) -> PersonalData | None:
    """Return what this plugin holds about the client being erased, or None: the preview.

    ``plan.client`` is the client's record (a session with the role ``"account"``, ``plan.sdef``);
    ``plan.elements`` the ``(element type, id)`` of every record found so far and ``plan.values``
    the personal values they hold. The core asks every plugin again while the answers grow, so
    find what hangs off any record of the plan (the calls of a contact, the tasks of a case) or
    names a value of it (a caller's number). Answer a ``PersonalData`` (``crm_core.toolkit.privacy``)
    counting your records, naming them (their notes and audit trail are the core's) and their
    personal values and erased fields. Read only; called inside the erasure's transaction too.
    """


@hookspec
def crm_personal_data_erase(plan: ErasurePlan, db: DbSession) -> None:
    """Erase or anonymise what this plugin reported in ``plan`` (``plan.of(name)``), through ``db``.

    Called once, inside the erasure's one transaction, after the last ``crm_personal_data_find``
    round: blank or replace with ``privacy.ERASED`` the personal fields, redact free text
    (``plan.redact``), delete what has no other meaning; keep the non-personal facts (amounts,
    dates, states, links). Write through the ORM: the audit trail records the change, and the
    core redacts old values of the reported ``fields`` afterwards. Raising rolls everything back.
    """
