"""Case reports (issue 14, CAS-01, CAS-02): cases by status, type, priority, group and age; SLA
breaches per type; mean and percentile resolution time per type and per group.

Every report reads the cases through the session's one ownership filter (``scoped``): an
executive's figures count only the cases they may view, a leader's or administrator's everyone's.
A report is a chart declaration (``crm_core.toolkit.BarChart``): the page draws it with the core's
chart macro and shows the same figures as a table, which also downloads as CSV, XLSX or PDF
(``table_response``, the listing formats).

Period: cases *created* from ``start`` to ``end`` (inclusive days, UTC), either end optional.
Ages and SLA states are read against ``now``. Resolution time is the calendar time from creation
to resolution of the cases resolved (or since closed), in hours.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, BarChart, ChartSeries, Group, bar_chart, crm_state, scoped, utcnow
from plugins.cases import services
from plugins.cases.models import WORKING_STATES, Case

#: The reports' session (menu entry and permission), declared in ``sessions``.
SESSION = "case_reports"
#: Age buckets of the cases still worked on: (upper bound in days or None, label).
AGE_BUCKETS: tuple[tuple[int | None, Any], ...] = (
    (1, _l("Less than a day")),
    (3, _l("1 to 3 days")),
    (7, _l("3 to 7 days")),
    (30, _l("7 to 30 days")),
    (None, _l("More than 30 days")),
)
#: Rows read per round trip when resolution times are gathered (memory stays bounded).
BATCH = 10_000


@dataclass(frozen=True)
class Period:
    start: date | None = None
    end: date | None = None

    def conditions(self) -> list[Any]:
        conds = []
        if self.start is not None:
            conds.append(Case.created_at >= datetime.combine(self.start, time.min, tzinfo=UTC))
        if self.end is not None and self.end < date.max:
            conds.append(Case.created_at < datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC))
        return conds


def _base(access: Access, period: Period, *columns: Any) -> Select:
    stmt = scoped(services.cases_sdef(), access, all_records=True, stmt=select(*columns).select_from(Case))
    return stmt.where(*period.conditions())


def _status_labels() -> dict[str, str]:
    """Each state's name as the grid shows it: the client's ``[statuses.cases]`` name if any."""
    from plugins.cases.sessions import STATUSES

    sdef = services.cases_sdef()
    return {s.code: str(crm_state().registry.status_label(sdef, s.code)) for s in STATUSES}


def _counts(db: DbSession, access: Access, period: Period, column: Any) -> list[tuple[Any, int]]:
    stmt = _base(access, period, column, func.count()).group_by(column)
    return [(key, n) for key, n in db.execute(stmt)]


def _count_chart(key: str, title: Any, category: Any, rows: list[tuple[str, int]]) -> BarChart:
    return bar_chart(key, title, category, [ChartSeries("cases", _l("Cases"))], [(label, (n,)) for label, n in rows])


def by_status(db: DbSession, access: Access, period: Period, now: datetime) -> BarChart:
    labels = _status_labels()
    found = dict(_counts(db, access, period, Case.status))
    rows = [(labels[code], found.pop(code, 0)) for code in labels] + sorted(found.items())
    return _count_chart("status", _l("Cases by status"), _l("Status"), rows)


def by_type(db: DbSession, access: Access, period: Period, now: datetime) -> BarChart:
    labels = dict(services.type_choices())
    found = sorted(_counts(db, access, period, Case.type), key=lambda kv: (-kv[1], str(kv[0])))
    return _count_chart("type", _l("Cases by type"), _l("Type"), [(labels.get(k, k), n) for k, n in found])


def by_priority(db: DbSession, access: Access, period: Period, now: datetime) -> BarChart:
    labels = {code: str(label) for code, label in services.PRIORITY_LABELS.items()}
    found = dict(_counts(db, access, period, Case.priority))
    rows = [(labels[code], found.pop(code, 0)) for code in labels] + sorted(found.items())
    return _count_chart("priority", _l("Cases by priority"), _l("Priority"), rows)


def _group_names(db: DbSession, ids: set[Any]) -> dict[Any, str]:
    names: dict[Any, str] = {None: _("No group")}
    wanted = {i for i in ids if i is not None}
    if wanted:
        names.update(dict(db.execute(select(Group.id, Group.name).where(Group.id.in_(wanted))).all()))
    return names


def by_group(db: DbSession, access: Access, period: Period, now: datetime) -> BarChart:
    found = _counts(db, access, period, Case.group_id)
    names = _group_names(db, {k for k, _n in found})
    rows = sorted(((names.get(k, f"#{k}"), n) for k, n in found), key=lambda kv: (-kv[1], kv[0]))
    return _count_chart("group", _l("Cases by group"), _l("Group"), rows)


def by_age(db: DbSession, access: Access, period: Period, now: datetime) -> BarChart:
    """Cases still worked on (gathering information or open) by the time since they were opened."""
    whens = [(Case.created_at > now - timedelta(days=days), n) for n, (days, _label) in enumerate(AGE_BUCKETS)
             if days is not None]
    bucket = case(*whens, else_=len(AGE_BUCKETS) - 1)
    stmt = _base(access, period, bucket, func.count()).where(Case.status.in_(WORKING_STATES)).group_by(bucket)
    found = dict(db.execute(stmt).all())
    rows = [(str(label), found.get(n, 0)) for n, (_days, label) in enumerate(AGE_BUCKETS)]
    return _count_chart("age", _l("Open cases by age"), _l("Age"), rows)


def sla_breaches(db: DbSession, access: Access, period: Period, now: datetime) -> BarChart:
    """Per type, among the cases with a due time: still worked on past it, resolved after it."""
    working = Case.status.in_(WORKING_STATES)
    open_late = and_(working, Case.due_at < now)
    resolved_late = and_(Case.resolved_at.is_not(None), Case.resolved_at > Case.due_at)

    def total(cond: Any) -> Any:
        return func.sum(case((cond, 1), else_=0))

    stmt = (_base(access, period, Case.type, func.count(), total(open_late), total(resolved_late))
            .where(Case.due_at.is_not(None)).group_by(Case.type))
    labels = dict(services.type_choices())
    rows = []
    for code, with_sla, late_open, late_resolved in sorted(db.execute(stmt).all(), key=lambda r: str(r[0])):
        breached = int(late_open or 0) + int(late_resolved or 0)
        rows.append((labels.get(code, code),
                     (int(late_open or 0), int(late_resolved or 0), with_sla, round(100 * breached / with_sla, 1))))
    series = [
        ChartSeries("open_late", _l("Open past due"), color="#dc3545"),
        ChartSeries("resolved_late", _l("Resolved late"), color="#fd7e14"),
        ChartSeries("with_sla", _l("Cases with a due time"), drawn=False),
        ChartSeries("breach_rate", _l("Breached %"), drawn=False),
    ]
    return bar_chart("sla", _l("SLA breaches by type"), _l("Type"), series, rows)


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile of sorted ``values`` (nearest rank, as PostgreSQL's
    ``percentile_disc``)."""
    if not values:
        return 0.0
    return values[max(0, math.ceil(share * len(values)) - 1)]


def _resolution(db: DbSession, access: Access, period: Period, column: Any, key: str, title: Any,
                category: Any, labels: Callable[[set[Any]], dict[Any, str]]) -> BarChart:
    stmt = (_base(access, period, column, Case.created_at, Case.resolved_at)
            .where(Case.resolved_at.is_not(None)).execution_options(yield_per=BATCH))
    hours: dict[Any, list[float]] = defaultdict(list)
    for group, created, resolved in db.execute(stmt):
        hours[group].append(max((resolved - created).total_seconds(), 0) / 3600)
    names = labels(set(hours))
    rows = []
    for group, values in hours.items():
        values.sort()
        figures = (round(statistics.fmean(values), 1), round(percentile(values, 0.5), 1),
                   round(percentile(values, 0.9), 1), len(values))
        rows.append((names.get(group, str(group)), figures))
    series = [
        ChartSeries("mean_hours", _l("Mean (hours)")),
        ChartSeries("median_hours", _l("Median (hours)"), color="#198754"),
        ChartSeries("p90_hours", _l("90th percentile (hours)"), color="#fd7e14"),
        ChartSeries("resolved", _l("Resolved cases"), drawn=False),
    ]
    return bar_chart(key, title, category, series, sorted(rows, key=lambda r: r[0]))


def resolution_by_type(db: DbSession, access: Access, period: Period, now: datetime) -> BarChart:
    known = dict(services.type_choices())
    return _resolution(db, access, period, Case.type, "resolution_type", _l("Resolution time by type"), _l("Type"),
                       lambda codes: {c: known.get(c, c) for c in codes})


def resolution_by_group(db: DbSession, access: Access, period: Period, now: datetime) -> BarChart:
    return _resolution(db, access, period, Case.group_id, "resolution_group", _l("Resolution time by group"),
                       _l("Group"), lambda ids: _group_names(db, ids))


#: The reports in menu order: key → (tab label, builder).
REPORTS: dict[str, tuple[Any, Callable[[DbSession, Access, Period, datetime], BarChart]]] = {
    "status": (_l("Status"), by_status),
    "type": (_l("Type"), by_type),
    "priority": (_l("Priority"), by_priority),
    "group": (_l("Group"), by_group),
    "age": (_l("Age"), by_age),
    "sla": (_l("SLA breaches"), sla_breaches),
    "resolution_type": (_l("Resolution by type"), resolution_by_type),
    "resolution_group": (_l("Resolution by group"), resolution_by_group),
}


def compute(db: DbSession, access: Access, key: str, period: Period | None = None,
            now: datetime | None = None) -> BarChart:
    """The report ``key`` over the cases ``access`` may view; needs the reports' and the cases'
    view permissions."""
    access.require(SESSION, "view")
    builder = REPORTS[key][1]
    return builder(db, access, period or Period(), now or utcnow())

