"""The cases blueprint: the case reports page (issue 14). The case screens themselves are the
core's generic ones; the blueprint also makes the plugin's templates (tab, panels) reachable, as
Flask finds templates through blueprints."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from crm_core.toolkit import current_access, session, table_response
from plugins.cases import reports, services

bp = Blueprint("cases", __name__, url_prefix="/cases", template_folder="templates")
FORMATS = ("csv", "xlsx", "pdf")


def _date_arg(name: str, errors: list[str]) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        found = date.fromisoformat(raw)
    except ValueError:
        errors.append(_("“%(v)s” is not a date (YYYY-MM-DD).", v=raw))
        return None
    if not 1900 <= found.year <= 2999:
        errors.append(_("Choose dates between 1900 and 2999."))
        return None
    return found


@bp.get("/reports", endpoint="reports")
@login_required
def reports_page() -> Any:
    """One case report (``?report=status|type|…``) for a period of creation: its chart and its
    table, the table also as CSV, XLSX or PDF (``?format=``)."""
    access = current_access()
    access.require(reports.SESSION, "view")
    access.require(services.cases_sdef(), "view")
    key = request.args.get("report", "status")
    if key not in reports.REPORTS:
        abort(404)
    fmt = request.args.get("format", "")
    if fmt and fmt not in FORMATS:
        abort(404)
    errors: list[str] = []
    start, end = _date_arg("from", errors), _date_arg("to", errors)
    if start and end and end < start:
        errors.append(_("The end of the period cannot be before its start."))
    chart = None if errors else reports.compute(session(), access, key, reports.Period(start, end))
    if fmt and chart is not None:
        if not any(any(figures) for _label, figures in chart.rows):
            errors.append(_("No data."))
        else:
            return table_response(fmt, f"cases-{key}", str(chart.title), chart.header(), chart.table())
    args = {k: v for k, v in (("from", request.args.get("from", "")), ("to", request.args.get("to", ""))) if v}
    return render_template(
        "cases/reports.html", chart=chart, key=key, reports=reports.REPORTS, errors=errors, args=args,
        formats=FORMATS, start=args.get("from", ""), end=args.get("to", ""),
    ), (400 if errors and chart is None else 200)
