"""Home panels (CAS-01, CAS-02): "My open cases" and "Overdue cases", each with its count and
links, read through the cases session's one ownership filter.

* My open cases: the cases still being worked on (gathering information or open) assigned to
  the user, or owned by the user and assigned to nobody.
* Overdue cases: cases still being worked on whose due time has passed, among every case the
  user may see (a leader sees the team's).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from crm_core.toolkit import Access, Panel, current_access, scoped, session, utcnow
from plugins.cases import services
from plugins.cases.models import WORKING_STATES, Case, working
from plugins.cases.tabs import cells, labels

#: Rows shown per panel; the count says how many there are in all, up to COUNT_CAP ("more than
#: 1,000"): a leader's panel over a million cases stops counting there (an index range that ends).
SHOWN = 10
COUNT_CAP = 1_000
COLUMNS = ("number", "subject", "priority", "due_at", "status")


def my_open_condition(access: Access) -> Any:
    me = access.user.id
    mine = or_(Case.assignee_id == me, and_(Case.assignee_id.is_(None), Case.owner_id == me))
    return and_(working(Case.status), mine)


def overdue_condition() -> Any:
    return and_(working(Case.status), Case.due_at.is_not(None), Case.due_at < utcnow())


def _panel(condition: Any, order: Any, empty: str) -> str:
    access = current_access()
    sdef = services.cases_sdef()
    db = session()
    capped = scoped(sdef, access, all_records=True, stmt=select(Case.id)).where(condition).limit(COUNT_CAP + 1)
    total = db.scalar(select(func.count()).select_from(capped.subquery())) or 0
    stmt = scoped(sdef, access, all_records=True).where(condition).order_by(*order).limit(SHOWN)
    cases = list(db.scalars(stmt))
    grid = url_for("screens.grid", session_name=sdef.name) + "?" + urlencode(
        [("status", s) for s in WORKING_STATES] + ([("all", "1")] if access.sees_all else [])
    )
    return render_template(
        "cases/panel.html",
        sdef=sdef,
        total=total,
        cap=COUNT_CAP,
        labels=labels(sdef, COLUMNS),
        rows=cells(sdef, cases, COLUMNS),
        empty=empty,
        grid_url=grid,
    )


def render_my_open(_user: Any) -> str:
    access = current_access()
    order = (Case.due_at.asc().nulls_last(), Case.id)  # no due time last, off the working index
    return _panel(my_open_condition(access), order, _("No open cases."))


def render_overdue(_user: Any) -> str:
    return _panel(overdue_condition(), (Case.due_at, Case.id), _("No overdue cases."))


def home_panels(_user: Any) -> list[Panel]:
    if not current_access().can(services.SESSION, "view"):
        return []
    return [
        Panel("cases-mine", _l("My open cases"), render_my_open, order=20),
        Panel("cases-overdue", _l("Overdue cases"), render_overdue, order=21),
    ]
