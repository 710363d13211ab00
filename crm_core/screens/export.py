"""Export of the grid's current selection as CSV or XLSX (CORE-08 toolbar, CORE-10, NF-03).

Same query arguments as the grid, same ``queries.build`` and ownership filter; cells that a
spreadsheet would run as formulas are neutralised by :mod:`crm_core.reports.formats`.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from crm_core.db import session as db_session
from crm_core.errors import BusinessRuleError
from crm_core.reports.request_args import grid_query, report_columns, sdef_for
from crm_core.screens.blueprint import bp
from crm_core.screens.listing import file_response
from crm_core.services.queries import build


@bp.get("/<session_name>/export")
def export(session_name: str) -> Any:
    """The grid's current selection (``q``, ``status``, ``all``, ``sort``) as CSV or XLSX."""
    sdef, access = sdef_for(session_name, "view")
    fmt = request.args.get("format", "csv")
    context: dict[str, Any] = {"sdef": sdef, "columns": report_columns(sdef)}
    if fmt not in ("csv", "xlsx"):
        return render_template("screens/listing_message.html", message=_("Unknown export format."), **context), 400
    try:
        stmt = build(sdef, access, grid_query(sdef, access))
        first = db_session().scalars(stmt.limit(1)).first()
    except BusinessRuleError as exc:
        return render_template("screens/listing_message.html", message=str(exc), **context), 400
    if first is None:
        return render_template("screens/listing_message.html", message=_("No data to export."), **context)
    return file_response(sdef, stmt, fmt, context["columns"])
