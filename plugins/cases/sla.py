"""SLA rules of a client (CAS-02): the business calendar, and per case type (optionally product,
symptom and priority) a response time, a resolution time and an escalation ladder.

Read from ``[settings.cases]`` (validated at start-up by ``schemas.CasesSettings``)::

    [settings.cases.calendar]
    time_zone = "Europe/Madrid"
    working_days = [1, 2, 3, 4, 5]          # ISO weekdays, 1 = Monday
    working_hours = ["09:00", "18:00"]
    holidays = "ES"                         # a country of the ``holidays`` package
    holidays_subdivision = "MD"             # optional
    extra_holidays = ["2026-12-24"]         # the client's own closed days

    [[settings.cases.sla]]
    type = "billing"                        # product, symptom, priority: optional, more specific
    response = "8h"                         # d = business days, h = business hours, m = minutes
    resolution = "21d"
    ladder = [{ after = "7d", group = "Coordination" }, { after = "14d", user = "manager" }]

Clocks start when the case is created (``created_at``). ``due_at`` (the resolution deadline) and
``respond_by`` are set when a working case is created and recomputed when its type, product,
symptom or priority changes; resolved, closed and cancelled cases keep theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm.attributes import set_committed_value

from crm_core.toolkit import crm_state
from plugins.cases.business_time import BusinessCalendar, parse_dates, parse_duration
from plugins.cases.models import WORKING_STATES, Case

#: The fields a rule may narrow on, from least to most specific; a case takes the matching rule
#: that names the most of them.
MATCH_FIELDS = ("product", "symptom", "priority")


@dataclass(frozen=True)
class Step:
    """One rung of a ladder: after ``minutes`` of business time, hand the case to a group
    (by name) or a user (by username), and notify them."""

    number: int
    minutes: int
    group: str = ""
    user: str = ""


@dataclass(frozen=True)
class Rule:
    type: str
    product: str
    symptom: str
    priority: str
    response: int | None
    resolution: int | None
    ladder: tuple[Step, ...]

    @property
    def key(self) -> str:
        """A stable name of the rule (recorded on each escalation row)."""
        return "/".join((self.type, self.product, self.symptom, self.priority))

    def matches(self, case: Any) -> bool:
        return self.type == case.type and all(
            not getattr(self, name) or getattr(self, name) == (getattr(case, name) or "") for name in MATCH_FIELDS
        )

    @property
    def specificity(self) -> int:
        return sum(1 for name in MATCH_FIELDS if getattr(self, name))


@dataclass(frozen=True)
class Policy:
    calendar: BusinessCalendar
    rules: tuple[Rule, ...]

    def rule_for(self, case: Any) -> Rule | None:
        found = [rule for rule in self.rules if rule.matches(case)]
        return max(found, key=lambda r: r.specificity) if found else None


def _clock(text: str) -> time:
    return time.fromisoformat(str(text))


def build_calendar(config: dict[str, Any] | None) -> BusinessCalendar:
    config = config or {}
    hours = config.get("working_hours") or ["09:00", "18:00"]
    return BusinessCalendar(
        time_zone=config.get("time_zone", "UTC"),
        weekdays=frozenset(config.get("working_days") or (1, 2, 3, 4, 5)),
        start=_clock(hours[0]),
        end=_clock(hours[1]),
        country=config.get("holidays", ""),
        subdivision=config.get("holidays_subdivision", ""),
        extra_holidays=parse_dates(config.get("extra_holidays") or ()),
    )


def build_policy(settings: dict[str, Any] | None) -> Policy:
    """The policy of ``[settings.cases]`` (already validated: errors here are programming ones)."""
    settings = settings or {}
    calendar = build_calendar(settings.get("calendar"))
    day = calendar.day_minutes
    rules = []
    for entry in settings.get("sla") or ():
        ladder = tuple(
            Step(number=i, minutes=parse_duration(s["after"], day), group=s.get("group", ""), user=s.get("user", ""))
            for i, s in enumerate(entry.get("ladder") or (), start=1)
        )
        rules.append(Rule(
            type=entry["type"],
            product=entry.get("product", ""),
            symptom=entry.get("symptom", ""),
            priority=entry.get("priority", ""),
            response=parse_duration(entry["response"], day) if entry.get("response") else None,
            resolution=parse_duration(entry["resolution"], day) if entry.get("resolution") else None,
            ladder=ladder,
        ))
    return Policy(calendar, tuple(rules))


def current_policy() -> Policy:
    """The running client's policy (cheap to build: holidays are loaded per year on first use)."""
    return build_policy(crm_state().settings.get("cases", {}))


def deadlines(policy: Policy, case: Case, start: datetime) -> tuple[datetime | None, datetime | None]:
    """``(respond_by, due_at)`` of ``case`` whose clock started at ``start``."""
    rule = policy.rule_for(case)
    if rule is None:
        return None, None
    respond = policy.calendar.add(start, rule.response) if rule.response else None
    due = policy.calendar.add(start, rule.resolution) if rule.resolution else None
    return respond, due


def apply(case: Case, policy: Policy | None = None) -> None:
    """Set a working case's ``respond_by`` and ``due_at`` from its rule (none: left as typed)."""
    if case.status not in WORKING_STATES:
        return
    policy = policy or current_policy()
    if policy.rule_for(case) is None:
        return
    respond, due = deadlines(policy, case, case.created_at)
    case.respond_by, case.due_at = respond, due


def apply_created(db: DbSession, cases: Sequence[Case]) -> None:
    """New cases (screen, API, an import chunk): deadlines written with one ``executemany``, as
    part of the creation (no version bump, no second history row)."""
    policy = current_policy()
    if not policy.rules:
        return
    rows = []
    for case in cases:
        if case.status in WORKING_STATES and policy.rule_for(case) is not None:
            respond, due = deadlines(policy, case, case.created_at)
            rows.append({"case_id": case.id, "respond": respond, "due": due})
            set_committed_value(case, "respond_by", respond)
            set_committed_value(case, "due_at", due)
    if rows:
        stmt = update(Case).where(Case.id == bindparam("case_id")).values(
            respond_by=bindparam("respond"), due_at=bindparam("due"))
        db.connection().execute(stmt, rows)
