"""The toolkit: the one public surface of the core for plugins and customer overrides.

Plugins (``plugins/*``, partner packages) and client ``overrides.py`` files import from
``crm_core`` only through this package (their tests also use the test kit, ``crm_core.testing``).
Everything else in ``crm_core`` may change between any two releases; the names listed in
``__all__`` here (and in the ``audit``, ``groupings``, ``lookups``, ``privacy`` and ``workflow`` namespaces) are the
contract. The build enforces it: an import-linter contract (``.importlinter``) for ``plugins``
and ``tests/core/test_toolkit.py`` for client folders and outside packages such as
``examples/loyalty``.

Version: the toolkit is versioned with the hook contract, ``VERSION`` =
``crm_core.hookspecs.HOOKS_VERSION`` ("2.1"); a plugin states the range it was written for in
``PluginMeta.requires_contract``.

Deprecation policy (docs/plugin-guide.md): a name lives one minor version with a
``DeprecationWarning`` before it goes — deprecated in 2.x, removed in 2.(x+1) — and both steps
are listed in CHANGELOG. Adding a name is a minor change; renaming one is a deprecation plus an
addition. Each name is documented in the "Toolkit" section of the plugin guide (a test checks).
"""

from __future__ import annotations

from crm_core.api.plugin_api import api_blueprint
from crm_core.api.resources import json_body as api_body
from crm_core.bootstrap import ensure_group
from crm_core.branding import client_name
from crm_core.charts import BarChart, ChartSeries, bar_chart
from crm_core.custom_fields.texts import Texts
from crm_core.db import Base, session, unit_of_work
from crm_core.declarations import (
    Action,
    ActionContext,
    Board,
    DemoUser,
    Kpi,
    Module,
    NamedFilter,
    Panel,
    PeriodicJob,
    PluginMeta,
    ReportingView,
    Section,
    SessionDef,
    Status,
    Tab,
    TimelineEntry,
    TimelineLine,
    TimelineLink,
    Transition,
    UserField,
    Workflow,
)
from crm_core.errors import BusinessRuleError, NotFound, PermissionDenied
from crm_core.events import handles
from crm_core.extensions import crm_state
from crm_core.hookspecs import HOOKS_VERSION as VERSION
from crm_core.hookspecs import hookspec
from crm_core.importing.engine import run_import
from crm_core.importing.lines import ImportSpec
from crm_core.indexes import list_indexes
from crm_core.migrate_ops import (
    add_custom_column,
    create_import_key_indexes,
    create_search_index,
    create_trigram_indexes,
    drop_import_key_indexes,
    drop_search_index,
    drop_trigram_indexes,
)
from crm_core.models.auth import Group, User
from crm_core.models.custom import CustomFields
from crm_core.models.element import Element
from crm_core.models.notes import Grouping
from crm_core.models.types import UTCDateTime, utcnow
from crm_core.navigation import element_path, sdef_of
from crm_core.outbox import enqueue, enqueued
from crm_core.outbox import history as outbox_history
from crm_core.outbox import status_label as outbox_status_label
from crm_core.phones import e164, phone_region
from crm_core.plugins import hookimpl
from crm_core.reports.formats import printable, table_response
from crm_core.request_input import int_arg, parse_int
from crm_core.security import csrf, current_access
from crm_core.security.access import (
    Access,
    check_element,
    get_element,
    group_can,
    load_access,
    may_modify,
    scoped,
    session_label,
    visible_ids,
)
from crm_core.services.bulk_elements import insert_elements
from crm_core.services.display import shown, user_names, value_names
from crm_core.services.elements import add_element, change_owner, edited_element, unusable_reference
from crm_core.services.elements import create as create_element
from crm_core.services.elements import update as update_element
from crm_core.services.notes import add_note
from crm_core.services.notifications import notify
from crm_core.services.queries import like_text
from crm_core.static_files import static_url
from crm_core.toolkit import audit, groupings, logins, lookups, privacy, workflow
from crm_core.validation_messages import flat as flat_errors
from crm_core.validation_messages import translated as translated_errors

csrf_exempt = csrf.exempt

__all__ = [
    "VERSION",
    # declarations (what registration hooks return)
    "Action",
    "ActionContext",
    "Board",
    "Module",
    "Panel",
    "Kpi",
    "element_path",
    "sdef_of",
    "DemoUser",
    "NamedFilter",
    "PeriodicJob",
    "PluginMeta",
    "ReportingView",
    "Section",
    "SessionDef",
    "Status",
    "Tab",
    "TimelineEntry",
    "TimelineLine",
    "TimelineLink",
    "Transition",
    "UserField",
    "Workflow",
    # hooks and the running app
    "hookimpl",
    "hookspec",
    "handles",
    "crm_state",
    # database and model base classes
    "Base",
    "session",
    "unit_of_work",
    "CustomFields",
    "Element",
    "add_custom_column",
    "User",
    "Group",
    "Grouping",
    "ensure_group",
    "UTCDateTime",
    "utcnow",
    # access and permissions
    "Access",
    "current_access",
    "load_access",
    "scoped",
    "get_element",
    "check_element",
    "group_can",
    "visible_ids",
    "may_modify",
    # services
    "change_owner",
    "add_element",
    "create_element",
    "update_element",
    "add_note",
    "notify",
    "insert_elements",
    "client_name",
    "edited_element",
    "unusable_reference",
    "like_text",
    "translated_errors",
    "flat_errors",
    "audit",
    "groupings",
    "logins",
    "lookups",
    "privacy",
    "workflow",
    # outbox
    "enqueue",
    "enqueued",
    "outbox_history",
    "outbox_status_label",
    "Texts",
    # errors
    "BusinessRuleError",
    "NotFound",
    "PermissionDenied",
    # indexes and migration operations
    "list_indexes",
    "create_search_index",
    "drop_search_index",
    "create_trigram_indexes",
    "drop_trigram_indexes",
    "create_import_key_indexes",
    "drop_import_key_indexes",
    # REST endpoints of plugins
    "api_blueprint",
    "api_body",
    # request input, display, formats and i18n
    "int_arg",
    "parse_int",
    "shown",
    "user_names",
    "value_names",
    "printable",
    "table_response",
    "BarChart",
    "ChartSeries",
    "bar_chart",
    "session_label",
    "csrf_exempt",
    "static_url",
    # imports
    "ImportSpec",
    "run_import",
    # phone numbers
    "e164",
    "phone_region",
]
