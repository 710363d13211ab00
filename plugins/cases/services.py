"""Business rules of cases (CAS-01, CAS-02): numbers, links to the account, vocabularies and
the life cycle's actions.

Every function runs in the caller's transaction (``with unit_of_work() as db:``) and writes
nothing before its checks pass; state changes go through the declared workflow
(``workflow.transition``), so the core refuses illegal moves and the audit trail records each
one under its action. Later parts of the cases work (SLA escalation, email-to-case, inboxes)
call these functions instead of writing cases themselves. A case that stops being worked on
(resolved, closed, cancelled) closes its open escalation items in the same transaction
(``escalation.close_items``): no dead item stays in an inbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm.attributes import set_committed_value

from crm_core.toolkit import BusinessRuleError, SessionDef, User, crm_state, utcnow, workflow
from plugins.cases import escalation
from plugins.cases.models import NUMBER_DIGITS, NUMBER_PREFIX, Case, CaseCounter
from plugins.sales.models import Contact, Opportunity

SESSION = "cases"
#: The default case types; a customer lists its own in ``[settings.cases] types``.
DEFAULT_TYPES = {"billing": _l("Billing"), "sales": _l("Sales"), "defect": _l("Defect"), "complaint": _l("Complaint")}
ORIGIN_LABELS = {
    "phone": _l("Phone"),
    "email": _l("Email"),
    "web": _l("Web"),
    "internal": _l("Internal"),
    "external": _l("External"),
}
PRIORITY_LABELS = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High"), "urgent": _l("Urgent")}
CHANNEL_LABELS = {
    "phone": _l("Phone"),
    "email": _l("Email"),
    "in_person": _l("In person"),
    "portal": _l("Customer portal"),
}


SLA_LABELS = {"due": _l("On time"), "breached": _l("Breached")}


def sla_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in SLA_LABELS.items()]


def cases_sdef() -> SessionDef:
    return crm_state().registry.sdef(SESSION)


# --- vocabularies ----------------------------------------------------------------------------


def type_choices() -> list[tuple[str, str]]:
    """``(type, visible name)`` of the customer's case types (``[settings.cases] types``, a
    table of code = name), else the default ones, translated."""
    configured = crm_state().setting("cases", "types")
    if configured:
        return [(code, str(name)) for code, name in configured.items()]
    return [(code, str(name)) for code, name in DEFAULT_TYPES.items()]


def product_choices() -> list[tuple[str, str]]:
    """The customer's product vocabulary (``[settings.cases] products``); none configured: the
    product is free text."""
    return [(code, str(name)) for code, name in (crm_state().setting("cases", "products") or {}).items()]


def origin_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in ORIGIN_LABELS.items()]


def priority_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in PRIORITY_LABELS.items()]


def channel_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in CHANNEL_LABELS.items()]


# --- numbers ---------------------------------------------------------------------------------


def _take_numbers(db: DbSession, year: int, count: int) -> int:
    """Reserve ``count`` numbers of ``year``; returns the last one. One upsert whose row lock
    lasts until the caller's transaction ends: concurrent creations queue on it (the first case
    of a year creates the row, and a concurrent first case waits for it, then counts on)."""
    dialect = db.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        raise RuntimeError(f"case numbers are counted on PostgreSQL or SQLite (the supported back ends), not {dialect}")
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(CaseCounter).values(year=year, value=count)
    stmt = stmt.on_conflict_do_update(
        index_elements=[CaseCounter.year], set_={"value": CaseCounter.value + count}
    ).returning(CaseCounter.value)
    return db.execute(stmt).scalar_one()


def format_number(year: int, number: int) -> str:
    return f"{NUMBER_PREFIX}-{year}-{number:0{NUMBER_DIGITS}d}"


def number_cases(db: DbSession, cases: Sequence[Case]) -> None:
    """Give new cases their readable numbers, in order, from the year's counter row.

    Runs when the rows exist (the created events of screens, API and imports; the demo), with
    one counter statement and one update for a whole import batch. The number is part of the
    creation, so it is written without a version bump or a second audit row.
    """
    new = [case for case in cases if not case.number]
    if not new:
        return
    year = utcnow().year
    last = _take_numbers(db, year, len(new))
    numbers = [format_number(year, n) for n in range(last - len(new) + 1, last + 1)]
    stmt = update(Case).where(Case.id == bindparam("case_id")).values(number=bindparam("case_number"))
    db.connection().execute(stmt, [{"case_id": c.id, "case_number": n} for c, n in zip(new, numbers, strict=True)])
    for case, number in zip(new, numbers, strict=True):
        set_committed_value(case, "number", number)


# --- links to the account --------------------------------------------------------------------


def check_links(db: DbSession, cases: Sequence[Case]) -> None:
    """A case's contact and opportunity belong to the case's account (CAS-01).

    The core has already refused references the user may not see (one answer for missing and
    foreign ids), so this only compares accounts: one query per linked table for a whole batch;
    raising rolls the write back.
    """
    contacts = _accounts_of(db, Contact, {c.contact_id for c in cases})
    opportunities = _accounts_of(db, Opportunity, {c.opportunity_id for c in cases})
    for case in cases:
        if case.contact_id is not None and contacts.get(case.contact_id) != case.account_id:
            raise BusinessRuleError(_("This contact belongs to another account."), field="contact_id")
        if case.opportunity_id is not None and opportunities.get(case.opportunity_id) != case.account_id:
            raise BusinessRuleError(_("This opportunity belongs to another account."), field="opportunity_id")


def _accounts_of(db: DbSession, model: Any, ids: set[int | None]) -> dict[int, int]:
    """``{id: account id}`` of the given contacts or opportunities (one query)."""
    wanted = ids - {None}
    if not wanted:
        return {}
    return dict(db.execute(select(model.id, model.account_id).where(model.id.in_(wanted))).all())


# --- life cycle (CAS-02) ---------------------------------------------------------------------


def start(db: DbSession, sdef: SessionDef, case: Case, user: User) -> None:
    """Information gathered: the case is open for work. A case to triage (mailed in by an
    unknown sender) needs its account first."""
    workflow.check_action(sdef, case, "open")
    if case.account_id is None:
        raise BusinessRuleError(_("Set the case's account before opening it."), field="account_id")
    workflow.transition(db, sdef, case, "open", user, action="open")


def resolve(db: DbSession, sdef: SessionDef, case: Case, user: User, resolution: str) -> None:
    """The problem is solved; the case waits for the customer's agreement to close."""
    workflow.check_action(sdef, case, "resolve")
    text = (resolution or "").strip()
    if not text:
        raise BusinessRuleError(_("Say how the case was resolved."), field="resolution")
    workflow.transition(db, sdef, case, "resolved", user, action="resolve")
    case.resolution = text
    case.resolved_at = utcnow()
    escalation.close_items(db, [case.id], user.id, _("Case resolved"))


def close(
    db: DbSession, sdef: SessionDef, case: Case, user: User, agreed_by: str, agreed_via: str,
    agreed_at: datetime | None = None,
) -> None:
    """Close a resolved case with the customer's agreement recorded: who agreed, how and when
    (now unless given; never in the future)."""
    workflow.check_action(sdef, case, "close")
    who = (agreed_by or "").strip()
    if not who:
        raise BusinessRuleError(_("Say who agreed to close the case."), field="agreed_by")
    if agreed_via not in CHANNEL_LABELS:
        raise BusinessRuleError(_("Say how the customer agreed."), field="agreed_via")
    now = utcnow()
    when = agreed_at or now
    if when > now:
        raise BusinessRuleError(_("The agreement cannot be in the future."), field="agreed_at")
    if case.resolved_at is not None and when < case.resolved_at:
        raise BusinessRuleError(_("The agreement cannot be before the case was resolved."), field="agreed_at")
    workflow.transition(db, sdef, case, "closed", user, action="close")
    case.agreed_by, case.agreed_via, case.agreed_at, case.closed_at = who, agreed_via, when, now
    escalation.close_items(db, [case.id], user.id, _("Case closed"))


def reopen(db: DbSession, sdef: SessionDef, case: Case, user: User) -> None:
    """The customer does not agree with the resolution: back to work."""
    workflow.transition(db, sdef, case, "open", user, action="reopen")
    case.resolved_at = None


def cancel(db: DbSession, sdef: SessionDef, case: Case, user: User, reason: str) -> None:
    """Cancel a case that is still being worked on, with a reason (a duplicate, a mistake …)."""
    workflow.check_action(sdef, case, "cancel")
    text = (reason or "").strip()
    if not text:
        raise BusinessRuleError(_("A reason is required."), field="reason")
    workflow.transition(db, sdef, case, "cancelled", user, action="cancel")
    case.cancel_reason = text
    escalation.close_items(db, [case.id], user.id, _("Case cancelled"))
