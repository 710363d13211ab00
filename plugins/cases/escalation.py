"""Escalation of working cases along their SLA ladders (CAS-02), a periodic job of ``crm worker``.

Set-based, so a million open cases cost a handful of statements per ladder step, never a query
per case: for each step (highest first, so a case overdue for several steps jumps to the last
one) the business-time cutoff is computed once (``BusinessCalendar.subtract``: a case created at
or before it has been open the step's business time), then batches of due cases are

1. selected and locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL: a second worker takes other
   rows instead of waiting for these),
2. moved with one ``UPDATE … WHERE escalation_step < step RETURNING`` (the guard makes a rerun or
   a concurrent worker skip cases already moved),
3. recorded in ``cases_escalation`` (unique (case, step): recorded once), audited on each case's
   history under the action ``escalate``, and, when the messaging plugin is enabled, notified
   with one e-mail per batch to the new assignee or the group's members (outbox, same
   transaction, idempotency key per batch).

Each batch is one transaction: a crash mid-run leaves committed batches done and the rest for
the next run, which continues where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, not_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import BusinessRuleError, Group, User, audit, crm_state, enqueue, unit_of_work, utcnow
from plugins.cases.models import WORKING_STATES, Case, CaseEscalation
from plugins.cases.sla import MATCH_FIELDS, Policy, Rule, Step, current_policy

log = logging.getLogger(__name__)

ACTION = "escalate"
EMAIL_TOPIC = "messaging.email"
DEFAULT_BATCH = 5000


def run(now: datetime | None = None, batch: int | None = None, policy: Policy | None = None) -> int:
    """Take every due ladder step; returns the number of cases escalated. Needs an app context."""
    now = now or utcnow()
    policy = policy or current_policy()
    batch = batch or crm_state().setting("cases", "escalation_batch", DEFAULT_BATCH)
    with unit_of_work() as db:  # every named group and user first: a typo escalates nothing
        targets = {(rule.key, step.number): _target(db, step) for rule in policy.rules for step in rule.ladder}
    total = 0
    for rule in policy.rules:
        for step in reversed(rule.ladder):
            cutoff = policy.calendar.subtract(now, step.minutes)
            where = _due(policy, rule, step, cutoff)
            target = targets[(rule.key, step.number)]
            while True:
                with unit_of_work() as db:
                    moved = escalate_batch(db, rule, step, target, where, now, batch)
                total += moved
                if moved == 0:
                    break
    return total


def _condition(rule: Rule) -> Any:
    parts = [Case.type == rule.type]
    parts += [getattr(Case, name) == getattr(rule, name) for name in MATCH_FIELDS if getattr(rule, name)]
    return and_(*parts)


def _due(policy: Policy, rule: Rule, step: Step, cutoff: datetime) -> Any:
    """Working cases of ``rule`` (not of a more specific rule) below ``step``, created by ``cutoff``."""
    narrower = [
        _condition(other) for other in policy.rules
        if other is not rule and other.type == rule.type and other.specificity > rule.specificity
    ]
    return and_(
        _condition(rule),
        *(not_(c) for c in narrower),
        Case.status.in_(WORKING_STATES),
        Case.escalation_step < step.number,
        Case.created_at <= cutoff,
    )


def _target(db: DbSession, step: Step) -> tuple[int | None, int | None]:
    """``(group id, user id)`` the step names; a name that does not exist stops the job loudly."""
    if step.group:
        group_id = db.scalar(select(Group.id).where(Group.name == step.group))
        if group_id is None:
            raise BusinessRuleError(_("[settings.cases] sla ladder: there is no group “%(group)s”.", group=step.group))
        return group_id, None
    user_id = db.scalar(select(User.id).where(User.username == step.user, User.active))
    if user_id is None:
        raise BusinessRuleError(_("[settings.cases] sla ladder: there is no active user “%(user)s”.", user=step.user))
    return None, user_id


def escalate_batch(db: DbSession, rule: Rule, step: Step, target: tuple[int | None, int | None], where: Any,
                   now: datetime, batch: int) -> int:
    """Escalate at most ``batch`` due cases to ``step`` (``target``: group id, user id) in the
    caller's transaction."""
    group_id, user_id = target
    pick = select(Case.id, Case.group_id, Case.assignee_id, Case.escalation_step).where(where)
    # No ORDER BY: the batch comes straight off ix_cases_case_escalation (type, step, created_at);
    # ordering by id would make PostgreSQL walk the primary key past every other case.
    pick = pick.limit(batch)
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    before = {row.id: row for row in db.execute(pick)}
    if not before:
        return 0
    values: dict[str, Any] = {"escalation_step": step.number, "updated_at": now, "version": Case.version + 1}
    if group_id is not None:
        values.update(group_id=group_id, assignee_id=None)
    else:
        values["assignee_id"] = user_id
    moved = db.execute(
        update(Case)
        .where(Case.id.in_(list(before)), Case.escalation_step < step.number)
        .values(**values)
        .returning(Case.id, Case.number)
        .execution_options(synchronize_session=False)
    ).all()
    if not moved:
        return 0
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.execute(
        insert(CaseEscalation).on_conflict_do_nothing(index_elements=["case_id", "step"]),
        [{"case_id": cid, "step": step.number, "rule": rule.key, "group_id": group_id, "user_id": user_id,
          "escalated_at": now} for cid, _number in moved],
    )
    changes = {}
    for cid, _number in moved:
        old = before[cid]
        fields: dict[str, list[Any]] = {"escalation_step": [old.escalation_step, step.number]}
        if group_id is not None:
            fields["group_id"] = [old.group_id, group_id]
            if old.assignee_id is not None:
                fields["assignee_id"] = [old.assignee_id, None]
        elif old.assignee_id != user_id:
            fields["assignee_id"] = [old.assignee_id, user_id]
        changes[cid] = fields
    with audit.audit_context(action=ACTION):
        audit.record_updates(db, Case.__element_type__, changes)
    if "messaging" in crm_state().plugins:
        _notify(db, rule, step, group_id, user_id, [number for _cid, number in moved], moved[0][0])
    return len(moved)


def _notify(db: DbSession, rule: Rule, step: Step, group_id: int | None, user_id: int | None,
            numbers: Sequence[str], first_id: int) -> None:
    """One e-mail per recipient and batch through the outbox (messaging delivers it)."""
    who = select(User).where(User.active, User.email != "")
    who = who.where(User.group_id == group_id) if group_id is not None else who.where(User.id == user_id)
    listed = ", ".join(n or "" for n in numbers[:50]) + (" …" if len(numbers) > 50 else "")
    for person in db.scalars(who):
        language = person.language if person.language in ("en", "es") else "en"
        with force_locale(language):
            subject = _("%(count)s case(s) escalated to you (step %(step)s)", count=len(numbers), step=step.number)
            body = _("Hello %(name)s,\n\nThese cases passed step %(step)s of their SLA and are now yours: %(cases)s\n",
                     name=person.full_name or person.username, step=step.number, cases=listed)
        key = f"cases.escalation:{step.number}:{rule.key}:{first_id}:{len(numbers)}:{person.id}"
        enqueue(db, EMAIL_TOPIC, {"to": person.email, "subject": subject, "body": body, "language": language}, key)
