"""What listings and exports read from a request: the session, the grid selection, columns.

The export uses exactly the grid's query arguments (``q``, ``status``, ``all``, ``sort``), so
"export" gives the rows the user is looking at, through the same ownership filter.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _

from crm_core.db import read_session
from crm_core.declarations import SessionDef, schema_fields
from crm_core.errors import NotFound
from crm_core.extensions import crm_state
from crm_core.request_input import int_arg
from crm_core.security import current_access
from crm_core.security.access import Access
from crm_core.security.field_access import restricted
from crm_core.services.groupings import members_filter
from crm_core.services.queries import ListQuery, is_column


def sdef_for(name: str, action: str = "view") -> tuple[SessionDef, Access]:
    """The grid session ``name`` as the user may see it (field-level access) and their access,
    after the permission check."""
    sdef = crm_state().registry.sessions.get(name)
    if sdef is None or not sdef.has_grid:
        raise NotFound(_("No such screen."))
    access = current_access()
    access.require(sdef, action)
    return restricted(sdef, access), access


def field_labels(sdef: SessionDef) -> dict[str, str]:
    """Schema field name → visible label, for every field stored in a model column."""
    assert sdef.schema is not None
    out: dict[str, str] = {}
    for name, f in schema_fields(sdef.schema).items():
        if is_column(sdef, name) and f.metadata.get("exportable", True):
            out[name] = str(f.metadata.get("label", name.replace("_", " ").capitalize()))
    return out


def report_columns(sdef: SessionDef) -> list[tuple[str, str]]:
    """``(field, label)`` of the columns a listing or export shows: the grid's columns."""
    labels = field_labels(sdef)
    names = [c for c in sdef.columns if c in labels] or list(labels)
    return [(n, labels[n]) for n in names]


def grid_query(sdef: SessionDef, access: Access, args: Any = None, **extra: Any) -> ListQuery:
    """The grid's selection from query arguments (no paging: reports take every row); a
    ``grouping`` the user may not see raises ``BusinessRuleError`` (*Unknown grouping*)."""
    args = request.args if args is None else args
    grouping = int_arg("grouping", 0, source=args, low=0)
    members = None
    if grouping:
        members = members_filter(read_session(), sdef, access, grouping)
    return ListQuery(
        all_records=args.get("all") == "1",
        status=tuple(s for s in args.getlist("status") if s),
        only=tuple(s for s in args.getlist("only") if s),
        text=args.get("q", "").strip(),
        sort=args.get("sort", ""),
        members=members,
        **extra,
    )
