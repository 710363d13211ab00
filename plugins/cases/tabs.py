"""The "Cases" tab on customers, their contacts and opportunities (CAS-01: cases per client).

The tab lists, through the cases session's one ownership filter, only the cases the viewer may
open from the cases grid, and offers a new case prefilled with the record (and its account).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import render_template, url_for
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from crm_core.toolkit import SessionDef, Tab, current_access, scoped, session, shown, value_names
from plugins.cases import services
from plugins.cases.models import Case
from plugins.sales.models import Account, Contact, Opportunity

LIMIT = 200
COLUMNS = ("number", "subject", "type", "priority", "due_at", "status")
#: Which case column points at a record of each sales model.
LINK_FIELDS = {Account: "account_id", Contact: "contact_id", Opportunity: "opportunity_id"}


def cells(sdef: SessionDef, cases: list[Case], columns: tuple[str, ...] = COLUMNS) -> list[tuple[Case, list[str]]]:
    """Each case with its columns as people read them (names, localised times)."""
    names = value_names(sdef, cases, columns)
    return [(case, [_formatted(shown(sdef, case, c, names)) for c in columns]) for case in cases]


def _formatted(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "short")
    return str(value)


def labels(sdef: SessionDef, columns: tuple[str, ...] = COLUMNS) -> list[str]:
    fields = sdef.schema().fields
    return [str(fields[c].metadata.get("label", c)) for c in columns]


def new_case_url(element: Any) -> str:
    """The new-case form prefilled with ``element`` and its account."""
    field = LINK_FIELDS[type(element)]
    values = {field: element.id}
    if field != "account_id":
        values["account_id"] = element.account_id
    return url_for("screens.new", session_name=services.SESSION) + "?" + urlencode(values)


def render_tab(_sdef: SessionDef, element: Any) -> str:
    access = current_access()
    sdef = services.cases_sdef()
    if not access.can(sdef, "view"):
        return render_template("cases/tab.html", allowed=False)
    condition = getattr(Case, LINK_FIELDS[type(element)]) == element.id
    stmt = scoped(sdef, access, all_records=True).where(condition).order_by(Case.id.desc())
    cases = list(session().scalars(stmt.limit(LIMIT)))
    return render_template(
        "cases/tab.html",
        allowed=True,
        sdef=sdef,
        labels=labels(sdef),
        rows=cells(sdef, cases),
        new_url=new_case_url(element) if access.can(sdef, "modify") else None,
    )


def detail_tabs(sdef: SessionDef) -> list[Tab]:
    """The Cases tab on the customer side (``kind = "sale"``): suppliers have no cases."""
    if sdef.model in LINK_FIELDS and sdef.where.get("kind") == "sale":
        return [Tab("cases", _l("Cases"), render_tab, order=40)]
    return []
