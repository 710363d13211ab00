"""Banco BP's reporting views for outside tools (seed 000: "the database will receive queries
from external sources"), created by ``crm reporting install --role bp_reporting`` — read-only,
the declared columns only (no notes, no e-mail, no phone: personal contact data stays in the
CRM). Documented in docs/customer-overrides.md."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from crm_core.toolkit import ReportingView, User, crm_state


def _model(session_name: str) -> Any:
    return crm_state().registry.sdef(session_name).model


def clients() -> Any:
    account = _model("accounts")
    owner = aliased(User)
    return (select(account.id.label("client_id"), account.code.label("core_code"), account.name.label("name"),
                   account.city.label("city"), account.status.label("status"), owner.username.label("executive"),
                   account.created_at.label("created_at"))
            .join(owner, owner.id == account.owner_id).where(account.kind == "sale"))


def opportunities() -> Any:
    opp, campaign, account = _model("opportunities"), _model("campaigns"), _model("accounts")
    owner = aliased(User)
    return (select(opp.id.label("opportunity_id"), account.code.label("core_code"), campaign.code.label("campaign"),
                   opp.name.label("name"), opp.stage.label("stage"), opp.status.label("status"),
                   opp.amount.label("amount"), opp.currency.label("currency"), owner.username.label("executive"),
                   opp.created_at.label("created_at"), opp.close_date.label("close_date"))
            .join(account, account.id == opp.account_id).join(owner, owner.id == opp.owner_id)
            .outerjoin(campaign, campaign.id == opp.campaign_id).where(opp.kind == "sale"))


def cases() -> Any:
    case, account = _model("cases"), _model("accounts")
    owner = aliased(User)
    return (select(case.id.label("case_id"), case.number.label("number"), account.code.label("core_code"),
                   case.type.label("type"), case.priority.label("priority"), case.status.label("status"),
                   case.escalation_step.label("escalation_step"), owner.username.label("executive"),
                   case.created_at.label("created_at"), case.due_at.label("due_at"), case.closed_at.label("closed_at"))
            .outerjoin(account, account.id == case.account_id).join(owner, owner.id == case.owner_id))


VIEWS = [
    ReportingView("bp_clients", clients, "Banco BP clients: Core code, name, city, status, executive, created."),
    ReportingView("bp_opportunities", opportunities,
                  "Banco BP opportunities: client's Core code, campaign, stage, status, amount, executive, dates."),
    ReportingView("bp_cases", cases,
                  "Banco BP post-sale cases: number, client's Core code, type, priority, status, escalation, dates."),
]
