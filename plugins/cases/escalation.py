"""Escalation of working cases along their SLA ladders (CAS-02), a periodic job of ``crm worker``.

Set-based, so a million open cases cost a handful of statements per batch, never a query per
case, and a step writes narrow rows only, never the wide case row (docs/cases.md, "where the
time goes"). For each step (highest first, so a case overdue for several steps jumps to the last
one) the business-time cutoff is computed once (``BusinessCalendar.subtract``: a case created at
or before it has been open the step's business time), then batches of due cases, walked in
creation order off ``ix_cases_case_escalation_due`` with a keyset (no batch rereads the rows of
the previous one), are

1. selected with their escalation state and locked (``FOR NO KEY UPDATE SKIP LOCKED`` on
   PostgreSQL: a second worker takes other rows instead of waiting for these; the lock writes
   no index),
2. moved with one ``INSERT INTO cases_escalation_state … ON CONFLICT (case_id) DO UPDATE …
   WHERE step < :step RETURNING`` (the guard makes a rerun or a concurrent worker skip cases
   already moved),
3. recorded in ``cases_escalation`` (unique (case, step): recorded once), audited on each case's
   history under the action ``escalate``, handed to the step's inbox with the inboxes plugin's
   bulk send (``crm_inbox_send_many``: one statement per batch) when inboxes is enabled — the
   previous step's items of the moved cases marked done first (``crm_inbox_close_many``, one
   statement per batch: no dead item stays in the inbox the case left) — and, when messaging
   is enabled, notified with one e-mail per batch to the new assignee or the group's members
   (outbox, same transaction, idempotency key per batch).

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
from sqlalchemy import and_, literal, not_, or_, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import BusinessRuleError, Group, User, audit, crm_state, enqueue, unit_of_work, utcnow
from plugins.cases.models import Case, CaseEscalation, CaseEscalationState, working
from plugins.cases.sla import MATCH_FIELDS, Policy, Rule, Step, current_policy
from plugins.cases.triage import awaiting_triage

log = logging.getLogger(__name__)

ACTION = "escalate"
EMAIL_TOPIC = "messaging.email"
DEFAULT_BATCH = 5000
#: The request an escalated case carries in the inbox it lands in (the inboxes' vocabulary).
INBOX_REQUEST = "resolve"
#: The tag of the inbox items escalation sends, so that it closes its own items only.
INBOX_SOURCE = "cases.escalation"

Target = tuple[int | None, int | None]


def run(now: datetime | None = None, batch: int | None = None, policy: Policy | None = None) -> int:
    """Take every due ladder step; returns the number of cases escalated. Needs an app context."""
    now = now or utcnow()
    policy = policy or current_policy()
    batch = batch or crm_state().setting("cases", "escalation_batch", DEFAULT_BATCH)
    with unit_of_work() as db:  # every named group and user first: a typo escalates nothing
        targets = {(rule.key, step.number): _target(db, step) for rule in policy.rules for step in rule.ladder}
    names = {targets[(rule.key, step.number)]: step.group or step.user for rule in policy.rules for step in rule.ladder}
    total = 0
    for rule in policy.rules:
        for step in reversed(rule.ladder):
            cutoff = policy.calendar.subtract(now, step.minutes)
            where = _due(policy, rule, step, cutoff)
            target = targets[(rule.key, step.number)]
            after: tuple[datetime, int] | None = None
            while True:
                with unit_of_work() as db:
                    moved, after = escalate_batch(db, rule, step, target, where, now, batch, after, names)
                total += moved
                if after is None:
                    break
    return total


def _condition(rule: Rule) -> Any:
    parts = [Case.type == rule.type]
    parts += [getattr(Case, name) == getattr(rule, name) for name in MATCH_FIELDS if getattr(rule, name)]
    return and_(*parts)


def _due(policy: Policy, rule: Rule, step: Step, cutoff: datetime) -> Any:
    """Working cases of ``rule`` (not of a more specific rule) created by ``cutoff``, but not a
    case still waiting for its triage script's outcome (it escalates on the first run after the
    script is complete; its SLA breach shows meanwhile); the step already taken is checked
    against the escalation state in :func:`escalate_batch`."""
    narrower = [
        _condition(other) for other in policy.rules
        if other is not rule and other.type == rule.type and other.specificity > rule.specificity
    ]
    waiting = awaiting_triage()  # a defect whose triage has no outcome yet is not escalated (EXT-14)
    return and_(
        _condition(rule),
        *(not_(c) for c in narrower),
        working(Case.status),  # the literals inline: the partial index matches
        Case.created_at <= cutoff,
        *([not_(waiting)] if waiting is not None else []),
    )


def _target(db: DbSession, step: Step) -> Target:
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


def escalate_batch(db: DbSession, rule: Rule, step: Step, target: Target, where: Any, now: datetime, batch: int,
                   after: tuple[datetime, int] | None = None, names: dict[Target, str] | None = None,
                   ) -> tuple[int, tuple[datetime, int] | None]:
    """Escalate at most ``batch`` due cases to ``step`` (``target``: group id, user id) in the
    caller's transaction, among those after ``after`` (created_at, id) in creation order.
    Returns how many moved and where the next batch starts (None: no more due cases)."""
    group_id, user_id = target
    state = CaseEscalationState
    pick = (
        select(Case.id, Case.number, Case.owner_id, Case.created_at, state.step, state.group_id, state.user_id)
        .outerjoin(state, state.case_id == Case.id)
        .where(where, or_(state.step.is_(None), state.step < step.number))
        .order_by(Case.created_at, Case.id)
        .limit(batch)
    )
    if after is not None:
        pick = pick.where(tuple_(Case.created_at, Case.id) > tuple_(*after))
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        # Locks the case rows only (not the outer-joined state) and writes no index.
        pick = pick.with_for_update(of=Case, skip_locked=True, key_share=True)
    picked = db.execute(pick).all()
    if not picked:
        return 0, None
    following = (picked[-1].created_at, picked[-1].id) if len(picked) == batch else None
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    ids = [row.id for row in picked]
    upsert = insert(state).from_select(
        ["case_id", "step", "group_id", "user_id", "escalated_at"],
        select(Case.id, literal(step.number), literal(group_id, state.group_id.type),
               literal(user_id, state.user_id.type), literal(now, state.escalated_at.type)).where(Case.id.in_(ids)),
    )
    upsert = upsert.on_conflict_do_update(
        index_elements=["case_id"],
        set_={"step": upsert.excluded.step, "group_id": upsert.excluded.group_id,
              "user_id": upsert.excluded.user_id, "escalated_at": upsert.excluded.escalated_at},
        where=state.step < upsert.excluded.step,
    ).returning(state.case_id)
    moved = set(db.scalars(upsert))
    if not moved:
        return 0, following
    rows = [row for row in picked if row.id in moved]
    history = insert(CaseEscalation).from_select(
        ["case_id", "step", "rule", "group_id", "user_id", "escalated_at"],
        select(state.case_id, state.step, literal(rule.key), state.group_id, state.user_id, state.escalated_at)
        .where(state.case_id.in_(list(moved))),
    )  # one statement from the rows just moved, not one per case
    db.execute(history.on_conflict_do_nothing(index_elements=["case_id", "step"]))
    names = names or {}
    new_name = names.get(target, step.group or step.user)
    alike: dict[tuple[int, str | None], list[int]] = {}  # cases that moved from the same place
    for row in rows:
        came_from = names.get((row.group_id, row.user_id)) if row.step else None
        alike.setdefault((row.step or 0, came_from), []).append(row.id)
    with audit.audit_context(action=ACTION):
        for (old_step, old_name), ids in alike.items():
            audit.record_same_update(db, Case.__element_type__, ids, {
                "escalation_step": [old_step, step.number], "escalated_to": [old_name, new_name]})
    plugins = crm_state().plugins
    if "inboxes" in plugins:
        # Before the send: the items to close are those of the steps the cases leave.
        close_items(db, [row.id for row in rows if row.step], None,
                    _("Escalated to step %(step)s", step=step.number))
        crm_state().pm.hook.crm_inbox_send_many(
            db=db, session_name="cases", element_type=Case.__element_type__,
            items=[(row.id, row.owner_id) for row in rows], group_id=group_id, user_id=user_id,
            requested_action=INBOX_REQUEST, action_text=_step_text(step), note="", source=INBOX_SOURCE,
        )
    if "messaging" in plugins:
        _notify(db, rule, step, group_id, user_id, [row.number for row in rows], rows[0].id)
    return len(rows), following


def close_items(db: DbSession, case_ids: list[int], closed_by_id: int | None, note: str) -> int:
    """Mark done the open escalation items of ``case_ids`` (whichever inbox holds them), one
    statement in the caller's transaction, through the inboxes' ``crm_inbox_close_many``: when
    the cases move to the next step (``closed_by_id`` None: the job) and when one is resolved,
    closed or cancelled (the user who did it). Items users sent about the cases stay. Without
    the inboxes plugin, or without cases, nothing to do."""
    if not case_ids or "inboxes" not in crm_state().plugins:
        return 0
    return crm_state().pm.hook.crm_inbox_close_many(
        db=db, session_name="cases", element_type=Case.__element_type__, element_ids=case_ids,
        source=INBOX_SOURCE, closed_by_id=closed_by_id, note=note,
    )


def _step_text(step: Step) -> str:
    """The inbox item's line, in the site's language (a job has no user)."""
    return _("SLA escalation, step %(step)s", step=step.number)


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
