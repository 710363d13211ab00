"""Listings (CORE-10): the criteria builder and the report in four formats (routes only).

Reports read through ``queries.build`` (ownership, status, text, criteria, sort) and need the
``view`` permission. "No data" is a message on the page, never an empty file.
"""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request, stream_with_context
from flask_babel import format_currency
from flask_babel import gettext as _
from sqlalchemy import Select

from crm_core.branding import brand_name
from crm_core.db import read_session, stream_scalars
from crm_core.declarations import SessionDef
from crm_core.errors import BusinessRuleError
from crm_core.reports.criteria import parse_criteria
from crm_core.reports.formats import (
    call_href,
    csv_stream,
    display_value,
    is_phone_field,
    pdf_bytes,
    people_rows,
    rows_of,
    xlsx_bytes,
)
from crm_core.reports.money import totals_by_currency
from crm_core.reports.pdf import is_number
from crm_core.reports.request_args import field_labels, grid_query, report_columns, sdef_for
from crm_core.request_input import int_arg
from crm_core.screens.blueprint import bp
from crm_core.services.groupings import visible_grouping
from crm_core.services.queries import OPERATORS, build

FORMATS = ("html", "pdf", "csv", "xlsx")
#: Rows shown on screen or printed to PDF; CSV and XLSX have no limit.
HTML_MAX = 2_000
PDF_MAX = 5_000
YIELD_PER = 1_000
BLANK_ROWS = 2
#: Grid parameters a listing opened from the grid keeps (hidden in its form).
CARRIED = ("q", "only", "sort", "grouping")


@bp.get("/<session_name>/listing")
def listing(session_name: str) -> Any:
    """The criteria builder; with ``run=1`` the report in the chosen format."""
    sdef, access = sdef_for(session_name, "view")
    labels = field_labels(sdef)
    args = request.args
    rows = _builder_rows(args)
    context: dict[str, Any] = {
        "sdef": sdef,
        "labels": labels,
        "operators": OPERATORS,
        "rows": rows + [("", "=", "", "")] * BLANK_ROWS,
        "match": "any" if args.get("match") == "any" else "all",
        "fmt": args.get("format", "html") if args.get("format") in FORMATS else "html",
        "selected_status": args.getlist("status"),
        "all_records": args.get("all") == "1",
        "can_all": access.sees_all,
        "columns": report_columns(sdef),
        # the grid's own filters the listing was opened with, kept as they are (issue 18 item 7)
        "carried": [(k, v) for k in CARRIED for v in args.getlist(k) if v.strip()],
    }
    grouping = int_arg("grouping", 0, low=0)
    if grouping:  # named above the criteria and in the PDF's criteria line
        try:
            context["grouping"] = visible_grouping(read_session(), sdef, access, grouping).name
        except BusinessRuleError as exc:
            return render_template("screens/listing.html", error=str(exc), **context), 400
    if not args.get("run"):
        return render_template("screens/listing.html", **context)
    try:
        criteria = parse_criteria(sdef, labels, rows)
        context["criteria"] = criteria
        stmt = build(sdef, access, grid_query(sdef, access, criteria=criteria, match=context["match"]))
        first = read_session().scalars(stmt.limit(1)).first()
    except BusinessRuleError as exc:
        return render_template("screens/listing.html", error=str(exc), **context), 400
    if first is None:
        return render_template("screens/listing.html", no_data=True, **context)
    return _report(sdef, stmt, context)


def _builder_rows(args: Any) -> list[tuple[str, str, str, str]]:
    """The criteria rows as typed (field, operator, value, second value), blanks dropped."""
    fields, ops, values, values_to = (args.getlist(k) for k in ("f", "op", "v", "v2"))
    size = len(fields)
    ops, values, values_to = ops + ["="] * size, values + [""] * size, values_to + [""] * size
    return [(name, ops[i], values[i], values_to[i]) for i, name in enumerate(fields) if name]


def _report(sdef: SessionDef, stmt: Select, context: dict[str, Any]) -> Any:
    fmt = context["fmt"]
    columns = context["columns"]
    names = [n for n, _label in columns]
    if fmt in ("csv", "xlsx"):
        return file_response(sdef, stmt, fmt, columns)
    limit = PDF_MAX if fmt == "pdf" else HTML_MAX
    items = list(read_session().scalars(stmt.limit(limit + 1)))
    truncated = len(items) > limit
    items = items[:limit]
    note = _("Only the first %(n)s rows are shown; choose CSV or XLSX for all.", n=limit) if truncated else ""
    if fmt == "pdf":
        body = pdf_bytes(str(sdef.label), [label for _n, label in columns], people_rows(sdef, items, names), note,
                         criteria=describe(context), brand=brand_name(), shown=display_value)
        return _download(body, "application/pdf", sdef.name, "pdf")
    table = list(people_rows(sdef, items, names))
    phones = frozenset(n for n in names if is_phone_field(sdef, n))
    totals = [(currency, [format_currency(by_column[i], currency) if i in by_column else "" for i in range(len(names))])
              for currency, by_column in totals_by_currency(table)]
    return render_template("screens/listing.html", table=table, note=note, display_value=display_value,
                           phone_columns=phones, call_href=call_href, is_number=is_number, totals=totals, **context)


def describe(context: dict[str, Any]) -> str:
    """The criteria a report ran with, as people read them ("Amount > 1,000 and City contains
    Madrid"); "" when there are none."""
    labels = context["labels"]
    words = {"=": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥", "contains": _("contains"),
             "startswith": _("starts with")}
    parts = []
    for c in context.get("criteria") or ():
        label = labels.get(c.field, c.field)
        if c.op == "empty":
            parts.append(_("%(f)s is empty", f=label))
        elif c.op == "between":
            parts.append(_("%(f)s between %(a)s and %(b)s", f=label, a=display_value(c.value[0]),
                           b=display_value(c.value[1])))
        else:
            parts.append(f"{label} {words.get(c.op, c.op)} {display_value(c.value)}")
    joiner = _("or") if context["match"] == "any" else _("and")
    text = f" {joiner} ".join(parts)
    if context.get("grouping"):
        members = _("Members of %(name)s", name=context["grouping"])
        text = f"{members}; {text}" if text else members
    return text


def file_response(sdef: SessionDef, stmt: Select, fmt: str, columns: list[tuple[str, str]]) -> Response:
    """Every row of ``stmt`` as a CSV stream or an XLSX download, read ``YIELD_PER`` at a time.

    The CSV body is sent after this view returns and the request's session is closed, so it
    reads through :func:`~crm_core.db.stream_scalars` (a session of its own, closed with the
    stream); ``stmt`` already carries the user's ownership filter.
    """
    names = [n for n, _label in columns]
    header = [label for _n, label in columns]
    if fmt == "xlsx":
        elements = read_session().scalars(stmt.execution_options(yield_per=YIELD_PER))
        body = xlsx_bytes(str(sdef.label), header, rows_of(sdef, elements, names))
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return _download(body, mime, sdef.name, "xlsx")
    stream = stream_with_context(csv_stream(header, rows_of(sdef, stream_scalars(stmt, YIELD_PER, read=True), names)))
    response = Response(stream, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{sdef.name}.csv"'
    return response


def _download(body: bytes, mime: str, name: str, ext: str) -> Response:
    response = Response(body, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{ext}"'
    return response
