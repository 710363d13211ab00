"""A grid's state as URL parameters (issue 17 item 4): which declared columns in which order
(``cols``), the filters (``q``, ``status``, ``only``, ``all``), the sort and the page size.

One reader serves the grid itself, a saved view being saved or applied, and the detail's
previous/next links (which read the grid's state from their ``back`` parameter): whatever no
longer exists or the user may not use is dropped with a notice, never a server error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from crm_core.db import session as db_session
from crm_core.declarations import SessionDef
from crm_core.errors import BusinessRuleError
from crm_core.models.notes import Grouping
from crm_core.request_input import MAX_PAGE, forbidden_character, int_arg
from crm_core.security.access import Access
from crm_core.services.groupings import member_ids, visible_grouping
from crm_core.services.queries import ListQuery, sortable, status_filter

PER_PAGE_CHOICES = (10, 25, 50, 100)
DEFAULT_PER_PAGE = 25
#: The grid parameters that choose rows (exports and listings take the same rows).
SELECTION = ("q", "status", "only", "all", "sort", "grouping")
#: A ``back`` longer than this is not a grid address a person copied; it is ignored.
BACK_MAX = 2000


@dataclass
class GridState:
    """What the grid shows, as its URL says it; ``notices`` are the parts left out."""

    columns: list[str]
    cols: list[str]  # empty when the declared columns are shown, in their declared order
    q: str = ""
    status: list[str] = field(default_factory=list)
    only: list[str] = field(default_factory=list)
    all: str | None = None
    sort: str | None = None
    per_page: int = DEFAULT_PER_PAGE
    notices: list[str] = field(default_factory=list)
    #: the grouping whose members the grid shows (``grouping=<id>``), and its name
    grouping: int | None = None
    grouping_name: str = ""

    def args(self) -> dict[str, Any]:
        """The URL parameters that give this state back (``url_for`` drops the empty ones)."""
        return {
            "cols": self.cols, "q": self.q or None, "status": self.status, "only": self.only,
            "all": self.all, "sort": self.sort, "per_page": self.per_page, "grouping": self.grouping,
        }

    def selection(self) -> dict[str, Any]:
        """The parameters that choose the rows (no columns, no paging): what the grid's export
        and listing links carry, so they take the rows the grid shows."""
        return {k: v for k, v in self.args().items() if k in SELECTION and v not in (None, [], "")}

    def stored(self) -> dict[str, Any]:
        """What a saved view keeps (JSON)."""
        return {k: v for k, v in self.args().items() if v not in (None, [], "")}


def chosen_columns(sdef: SessionDef, wanted: list[str]) -> tuple[list[str], list[str]]:
    """The declared columns among ``wanted``, in the order asked, and the names left out (a
    column the customer removed, or one that never existed)."""
    declared = list(sdef.columns) or ["id"]
    cols: list[str] = []
    for name in wanted:
        if name in declared and name not in cols:
            cols.append(name)
    return cols, [n for n in dict.fromkeys(wanted) if n not in declared]


def ordered_choice(sdef: SessionDef, shown: list[str]) -> list[str]:
    """Every declared column for the column chooser: the shown ones first, in their order."""
    declared = list(sdef.columns) or ["id"]
    return [*shown, *[c for c in declared if c not in shown]]


def read_state(sdef: SessionDef, access: Access, args: MultiDict[str, str]) -> tuple[ListQuery, GridState]:
    """The list query and the state for ``args`` (a request's, a saved view's or a ``back``
    address's); unknown columns, statuses, filters and sorts are left out with a notice."""
    notices: list[str] = []
    per_page = int_arg("per_page", DEFAULT_PER_PAGE, source=args)
    if per_page not in PER_PAGE_CHOICES:
        per_page = DEFAULT_PER_PAGE
    cols, dropped = chosen_columns(sdef, args.getlist("cols"))
    for name in dropped:
        notices.append(_("The column “%(c)s” is not available and was left out.", c=name))
    declared = list(sdef.columns) or ["id"]
    columns = cols or declared
    if cols == declared:
        cols = []
    sort = args.get("sort", "")
    if sort and sort.lstrip("-") in declared and sort.lstrip("-") not in columns:
        sort = ""  # the sorted column was just hidden: the grid falls back to its default order
    elif sort and (sort.lstrip("-") not in columns or sort.lstrip("-") not in sortable(sdef)):
        notices.append(_("The grid cannot be sorted by “%(f)s”.", f=sort.lstrip("-")))
        sort = ""
    codes, unknown = status_filter(sdef, args.getlist("status"))
    for name in unknown:
        notices.append(_("Unknown status “%(s)s” ignored.", s=name))
    only = [name for name in args.getlist("only") if sdef.named_filter(name)]
    for name in dict.fromkeys(args.getlist("only")):
        if name not in only:
            notices.append(_("Unknown filter “%(f)s” ignored.", f=name))
    if args.get("all") == "1" and not access.sees_all:
        notices.append(_("Only administrators and leaders may show all records."))
    grouping = _grouping(sdef, access, args.get("grouping", ""), notices)
    query = ListQuery(
        all_records=access.sees_all and args.get("all") == "1",
        status=codes,
        only=tuple(only),
        text=args.get("q", "").strip()[:200],
        sort=sort,
        page=int_arg("page", 1, source=args, low=1, high=MAX_PAGE) or 1,
        per_page=per_page,
        members=member_ids(sdef, access, grouping) if grouping is not None else None,
    )
    state = GridState(
        columns=columns, cols=cols, q=query.text,
        status=[s for s in args.getlist("status") if s not in unknown],
        only=only, all="1" if query.all_records else None, sort=sort or None, per_page=per_page,
        notices=notices, grouping=grouping.id if grouping else None, grouping_name=grouping.name if grouping else "",
    )
    return query, state


def _grouping(sdef: SessionDef, access: Access, raw: str, notices: list[str]) -> Grouping | None:
    """``grouping=<id>`` → that grouping of this session if the user may see it; any other
    value is left out with a notice (the grid then shows every record again)."""
    if not raw.strip():
        return None
    number = int(raw) if raw.strip().isdigit() else 0
    try:  # visible_grouping refuses ids no grouping can have (0, past 32 bits) as unknown
        grouping = visible_grouping(db_session(), sdef, access, number)
    except BusinessRuleError:
        grouping = None
    if grouping is None:
        notices.append(_("Unknown grouping “%(g)s”: every record is shown.", g=raw.strip()[:20]))
    return grouping


#: Stands for a parameter's value in an address built once for many values: letters, which an
#: address carries as they are.
VALUE_MARK = "crmvaluemark"
#: Values written into such an address as they are (an address would carry them unchanged).
_AS_IS = re.compile(r"-?[A-Za-z0-9_]+\Z")


def addresses_by(build: Callable[[str], str], key: str, values: Iterable[str]) -> dict[str, str]:
    """``{value: build(value)}`` from one ``build`` with a mark for the value of ``key``: the
    grid's sort headers and pager are one address with one parameter changed, and a ``url_for``
    per header was a tenth of a grid page's Python (issue 13 target 6). A value that an address
    would encode, or an address where the mark is not exactly once ``key``'s, is built as is."""
    marked = build(VALUE_MARK)
    spots = [m.start() for m in re.finditer(f"[?&]{re.escape(key)}={VALUE_MARK}(?=&|$)", marked)]
    found = {}
    for value in values:
        if len(spots) == 1 and _AS_IS.match(value):
            at = spots[0] + len(key) + 2
            found[value] = marked[:at] + value + marked[at + len(VALUE_MARK):]
        else:
            found[value] = build(value)
    return found


def grid_path(sdef: SessionDef) -> str:
    return url_for("screens.grid", session_name=sdef.name)


def grid_address(sdef: SessionDef) -> str:
    """This request's grid address (path and query), what a record link carries as ``back``."""
    query = request.query_string.decode("latin-1")
    return f"{grid_path(sdef)}?{query}" if query else grid_path(sdef)


def back_args(sdef: SessionDef, back: str | None) -> MultiDict[str, str] | None:
    """The grid parameters of ``back`` when it is this session's grid on this site (a path,
    no scheme or host, no character the core refuses), else ``None`` — so a link can never
    send the user elsewhere."""
    if not back or len(back) > BACK_MAX or "\\" in back or back.startswith("//"):
        return None
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or parts.fragment or parts.path != grid_path(sdef):
        return None
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if any(forbidden_character(k) or forbidden_character(v) for k, v in pairs):
        return None
    return MultiDict(pairs)
