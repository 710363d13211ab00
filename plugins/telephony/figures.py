"""Channel figures of the telephone channel (EXT-24, seed 002): calls received per hour, day,
week or month, mean talk time and missed rate, per agent and per group.

Read through the calls session's ownership filter (``scoped``): an agent sees the figures of
their own calls, a leader or administrator everyone's. The period's inbound calls are read once
(three columns) and counted in Python, in the viewer's time zone — the same on SQLite and
PostgreSQL, and plain to check.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, SessionDef, User, crm_state, scoped
from plugins.telephony.models import Call

BUCKETS = {"hour": _l("Hour"), "day": _l("Day"), "week": _l("Week"), "month": _l("Month")}


@dataclass
class Figures:
    """One row of figures: a period, an agent or a group."""

    label: str
    calls: int = 0
    answered: int = 0
    talk_seconds: int = 0

    @property
    def missed(self) -> int:
        return self.calls - self.answered

    @property
    def missed_rate(self) -> float:
        return round(100 * self.missed / self.calls, 1) if self.calls else 0.0

    @property
    def mean_talk(self) -> int:
        return round(self.talk_seconds / self.answered) if self.answered else 0

    def add(self, result: str, talk: int) -> None:
        self.calls += 1
        if result == "answered":
            self.answered += 1
            self.talk_seconds += talk

    def row(self) -> list[Any]:
        return [self.label, self.calls, self.answered, self.missed, self.missed_rate, self.mean_talk]


def header() -> list[str]:
    from flask_babel import gettext as _

    return [_("Period, agent or group"), _("Calls"), _("Answered"), _("Missed"), _("Missed %"), _("Mean talk (s)")]


def bucket_label(moment: datetime, bucket: str, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    if bucket == "hour":
        return local.strftime("%Y-%m-%d %H:00")
    if bucket == "week":
        year, week, _day = local.isocalendar()
        return f"{year}-W{week:02d}"
    if bucket == "month":
        return local.strftime("%Y-%m")
    return local.strftime("%Y-%m-%d")


@dataclass
class Report:
    periods: list[Figures]
    agents: list[Figures]
    groups: list[Figures]
    total: Figures


def compute(db: DbSession, access: Access, sdef: SessionDef, start: date, end: date, bucket: str) -> Report:
    """Inbound calls started from ``start`` to ``end`` (inclusive days, viewer's time zone)."""
    zone = ZoneInfo(access.user.timezone or "UTC")
    since = datetime.combine(start, time.min, zone)
    until = datetime.combine(end + timedelta(days=1), time.min, zone)
    stmt = scoped(sdef, access, all_records=True, stmt=select(Call.started_at, Call.result, Call.talk_seconds,
                                                              Call.owner_id))
    stmt = stmt.where(Call.direction == "inbound", Call.started_at >= since, Call.started_at < until)
    periods: dict[str, Figures] = {}
    by_agent: dict[int, Figures] = defaultdict(lambda: Figures(""))
    total = Figures(str(_l("Total")))
    for started, result, talk, owner_id in db.execute(stmt.order_by(Call.started_at)):
        label = bucket_label(started, bucket, zone)
        periods.setdefault(label, Figures(label)).add(result, talk)
        by_agent[owner_id].add(result, talk)
        total.add(result, talk)
    users = {u.id: u for u in db.scalars(select(User).where(User.id.in_(list(by_agent))))} if by_agent else {}
    groups: dict[str, Figures] = {}
    for owner_id, figures in by_agent.items():
        user = users.get(owner_id)
        figures.label = user.display_name() if user is not None else f"#{owner_id}"
        group = user.group.name if user is not None and user.group is not None else "—"
        merged = groups.setdefault(group, Figures(group))
        merged.calls += figures.calls
        merged.answered += figures.answered
        merged.talk_seconds += figures.talk_seconds
    return Report(
        periods=list(periods.values()),
        agents=sorted(by_agent.values(), key=lambda f: f.label),
        groups=sorted(groups.values(), key=lambda f: f.label),
        total=total,
    )


def calls_sdef() -> SessionDef:
    return crm_state().registry.sdef("calls")
