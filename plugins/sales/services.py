"""Business rules of sales and purchasing (SAL-02..SAL-10, PUR-01).

Every function runs in the caller's transaction (``with unit_of_work() as db:``): it checks
permissions and ownership through :mod:`crm_core.security.access`, refuses with
``BusinessRuleError``/``ValidationError`` *before* writing, and calls the event hooks after
flush, inside the same transaction, so an integration enqueues its message atomically and a
roll-back means the event never happened.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import (
    Access,
    BusinessRuleError,
    SessionDef,
    Texts,
    Transition,
    User,
    Workflow,
    check_element,
    crm_state,
    get_element,
    load_access,
    lookups,
    unusable_reference,
    utcnow,
    workflow,
)
from plugins.sales.models import (
    PROVISIONAL_DIGITS,
    PROVISIONAL_PREFIX,
    PROVISIONAL_SERIES,
    Account,
    Campaign,
    CodeCounter,
    Contact,
    Lead,
    Opportunity,
    OpportunityStageChange,
    code_taken,
)
from plugins.sales.names import session_names

DEFAULT_STAGES = ("prospecting", "proposal", "negotiation")
#: Visible names of the default stages; a customer names its own in ``[settings.sales.stage_names]``.
DEFAULT_STAGE_NAMES = {"prospecting": _l("Prospecting"), "proposal": _l("Proposal"), "negotiation": _l("Negotiation")}


def _hook() -> Any:
    return crm_state().pm.hook


def _db() -> DbSession:
    from crm_core.toolkit import session

    return session()


def stages() -> list[str]:
    """The customer's pipeline stages in order (``[settings.sales] stages``, SAL-10)."""
    return list(crm_state().setting("sales", "stages") or DEFAULT_STAGES)


def stage_choices() -> list[tuple[str, str]]:
    """``(stage, visible name)`` in pipeline order. Like ``[statuses.<session>]``, the customer's
    ``[settings.sales.stage_names]`` maps visible names to stages (``stage_labels``, stage → name per
    language, shown in the user's language, wins over it); a stage neither names shows
    its default name (translated) or, for a customer's own stage, the stage as configured."""
    named = {stage: name for name, stage in (crm_state().setting("sales", "stage_names") or {}).items()}
    named |= {stage: str(Texts(texts)) for stage, texts in (crm_state().setting("sales", "stage_labels") or {}).items()}
    return [(s, named.get(s) or str(DEFAULT_STAGE_NAMES.get(s, s))) for s in stages()]


def stage_label(stage: str) -> str:
    """The visible name of ``stage`` (a stage no longer configured shows as stored)."""
    return dict(stage_choices()).get(stage, stage)


def stage_workflow() -> Workflow | None:
    """The customer's stage transitions (``[settings.sales] stage_transitions``, SAL-10), or
    ``None`` when it declares none: then any stage goes to any other, as before."""
    configured = crm_state().setting("sales", "stage_transitions")
    if not configured:
        return None
    return Workflow(
        field="stage",
        transitions=tuple(Transition(source, target) for source, targets in configured.items() for target in targets),
    )


def stage_refusal(opportunity: Opportunity, stage: str) -> str | None:
    """Why ``opportunity`` may not move to ``stage`` under the customer's transitions, or ``None``."""
    stage_flow = stage_workflow()
    if stage_flow is None:
        return None
    what = str(sdef_for(opportunity.kind, "opportunities").singular)
    return workflow.move_refusal(stage_flow, what, opportunity.stage, stage, stage_label)


def sdef_for(kind: str, what: str) -> SessionDef:
    """The registered session serving ``what`` (leads, accounts …) of ``kind``."""
    return crm_state().registry.sdef(session_names(kind)[what])


def access_of(db: DbSession, user: User) -> Access:
    """Access of ``user`` for the demo data, which acts as each demo user outside any request."""
    return load_access(db, user, crm_state().row_filters)


def _created(db: DbSession, element: Any) -> None:
    """Insert a new element now (its id is needed next); the flush records its audit row."""
    db.add(element)
    db.flush()


def _modifiable(access: Access, element: Any) -> SessionDef:
    """The session of ``element``, which ``access`` must be allowed to modify."""
    sdef = crm_state().registry.session_of(element)
    check_element(sdef, access, element, "modify")
    return sdef


# --- lookups used by the schemas (field errors before anything is written) -------------------


# A missing, foreign or other-kind account or campaign gets the core's one answer, on the id
# field the ownership check reports on too: a code or id that exists in someone else's records
# must read exactly like one that does not exist.


def check_account_kind(account_id: int, kind: str) -> None:
    """An opportunity or contact belongs to an account of its own kind (SAL-04, PUR-01)."""
    if lookups.lookup("sales.account_kind", account_id, _account_kinds, "account_id", int) != kind:
        raise unusable_reference("account_id")


def _account_kinds(ids: set[Any]) -> dict[int, str]:
    return dict(_db().execute(select(Account.id, Account.kind).where(Account.id.in_(ids))).all())


def account_id_by_code(code: str, kind: str) -> int:
    def load(codes: set[Any]) -> dict[str, int]:
        query = select(Account.code, Account.id).where(Account.code.in_(codes), Account.kind == kind)
        return dict(_db().execute(query).all())

    account_id = lookups.lookup(f"sales.account_by_code.{kind}", code, load, "account_code")
    if account_id is None:
        raise unusable_reference("account_id")
    return account_id


def campaign_id_by_code(code: str) -> int:
    def load(codes: set[Any]) -> dict[str, int]:
        return dict(_db().execute(select(Campaign.code, Campaign.id).where(Campaign.code.in_(codes))).all())

    campaign_id = lookups.lookup("sales.campaign_by_code", code, load, "campaign_code")
    if campaign_id is None:
        raise unusable_reference("campaign_id")
    return campaign_id


def check_campaign(campaign_id: int) -> None:
    def load(ids: set[Any]) -> dict[int, bool]:
        return dict.fromkeys(_db().scalars(select(Campaign.id).where(Campaign.id.in_(ids))), True)

    if not lookups.lookup("sales.campaign", campaign_id, load, "campaign_id", int):
        raise unusable_reference("campaign_id")


def check_account_code(code: str, field: str = "code", account: Account | None = None) -> str:
    """The one rule for an account code a user gives (form, API create or PATCH, import, close
    won): not empty, not in the provisional "OP" range, not held by another account.

    ``account`` is the account being saved: keeping its own code passes (a provisional account's
    form keeps its "OP" code), so saving a record never clashes with itself.
    """
    code = (code or "").strip()
    if not code:
        raise ValidationError({field: [_("The definitive account code is required.")]})
    if account is not None and code == account.code:
        return code
    if code.upper().startswith(PROVISIONAL_PREFIX):
        raise ValidationError(
            {field: [_("Codes starting with %(p)s are reserved for provisional accounts.", p=PROVISIONAL_PREFIX)]}
        )
    if code_taken(_db(), Account, code, account.id if account is not None else None):
        raise ValidationError({field: [_("The code %(code)s is already used.", code=code)]})
    return code


# --- leads (SAL-02, SAL-03) ------------------------------------------------------------------


def next_provisional_code(db: DbSession) -> str:
    """The next free "OP" code, numbered by the ``sales_code_counter`` row.

    The ``UPDATE … RETURNING`` locks the counter row until the caller's transaction ends, so two
    concurrent qualifications never get the same number; a number whose code is already stored
    (data from before the counter, or an import) is skipped, and past 999999 the number grows
    wider, so no stored code can stop the series.
    """
    take = (
        update(CodeCounter)
        .where(CodeCounter.series == PROVISIONAL_SERIES)
        .values(value=CodeCounter.value + 1)
        .returning(CodeCounter.value)
    )
    while True:
        number = db.execute(take).scalar_one()
        code = f"{PROVISIONAL_PREFIX}{number:0{PROVISIONAL_DIGITS}d}"
        if not code_taken(db, Account, code):
            return code


def _provisional_account(db: DbSession, lead: Lead, user: User) -> Account:
    """Insert the provisional account of a qualified lead under the next provisional code."""
    account = Account(
        code=next_provisional_code(db),
        name=lead.company or lead.name,
        email=lead.email,
        phone=lead.phone,
        address=lead.address,
        city=lead.city,
        country=lead.country,
        status="potential",
        kind=lead.kind,
        owner_id=lead.owner_id,
        creator_id=user.id,
    )
    _created(db, account)
    return account


def qualify_lead(
    db: DbSession,
    access: Access,
    lead: Lead,
    *,
    create_opportunity: bool = False,
    opportunity_name: str = "",
    opportunity_amount: Decimal | None = None,
    create_contact: bool = False,
    contact: Mapping[str, Any] | None = None,
) -> Account:
    """Qualify an active lead: provisional account (OP code, potential), optional opportunity of
    the lead's kind and optional contact, then ``crm_lead_qualified`` (SAL-02)."""
    sdef = _modifiable(access, lead)
    workflow.check_action(sdef, lead, "qualify")
    contact = dict(contact or {})
    if create_contact and not (contact.get("last_name") or lead.contact_person or lead.name):
        raise BusinessRuleError(_("The contact needs a last name."), field="contact_last_name")
    kind = lead.kind
    needed = {"accounts": True, "opportunities": create_opportunity, "contacts": create_contact}
    for what in (name for name, wanted in needed.items() if wanted):
        access.require(sdef_for(kind, what), "modify")
    account = _provisional_account(db, lead, access.user)
    opportunity = None
    if create_opportunity:
        opportunity = Opportunity(
            name=opportunity_name or lead.name,
            account_id=account.id,
            lead_id=lead.id,
            amount=opportunity_amount,
            kind=kind,
            stage=stages()[0],
            owner_id=lead.owner_id,
            creator_id=access.user.id,
        )
        _created(db, opportunity)
        record_stage(db, opportunity, access.user, "", opportunity.stage)
    new_contact = None
    if create_contact:
        first, last = contact.get("first_name", ""), contact.get("last_name", "")
        if not last:
            first, _sep, last = (lead.contact_person or lead.name).rpartition(" ")
        new_contact = Contact(
            account_id=account.id,
            first_name=first,
            last_name=last,
            email=contact.get("email") or lead.email,
            phone=contact.get("phone") or lead.phone,
            position=contact.get("position", ""),
            kind=kind,
            owner_id=lead.owner_id,
            creator_id=access.user.id,
        )
        _created(db, new_contact)
    workflow.transition(db, sdef, lead, "qualified", access.user, action="qualify")
    lead.qualified_at = utcnow()
    db.flush()
    hook = _hook()
    hook.crm_lead_qualified(
        lead=lead, account=account, opportunity=opportunity, contact=new_contact, user=access.user, db=db
    )
    if new_contact is not None:
        hook.crm_contact_created(contact=new_contact, account=account, user=access.user, db=db)
    return account


def disqualify_lead(db: DbSession, access: Access, lead: Lead, reason: str) -> None:
    """Disqualify an active lead with a mandatory reason; the lead stays for queries (SAL-03)."""
    sdef = _modifiable(access, lead)
    workflow.check_action(sdef, lead, "disqualify")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    workflow.transition(db, sdef, lead, "disqualified", access.user, action="disqualify")
    lead.disqualify_reason = reason.strip()
    db.flush()


# --- opportunities (SAL-04..SAL-06, SAL-10) --------------------------------------------------


def record_stage(db: DbSession, opportunity: Opportunity, user: User, from_stage: str, to_stage: str) -> None:
    db.add(
        OpportunityStageChange(
            opportunity_id=opportunity.id, user_id=user.id, from_stage=from_stage, to_stage=to_stage
        )
    )


def start_pipeline(db: DbSession, opportunities: Sequence[Opportunity], user: User) -> None:
    """Record new opportunities' entry into the pipeline, on the first configured stage unless
    created on one (the schema gives new opportunities the first stage, so an import does not
    update every row it has just written); one ``INSERT`` for a whole import batch."""
    first = stages()[0]
    for opportunity in opportunities:
        if not opportunity.stage:  # assigning the same value would still make the row dirty: a
            opportunity.stage = first  # flush and an audit check of every row of an import batch
    entries = [
        {"opportunity_id": o.id, "user_id": user.id, "from_stage": "", "to_stage": o.stage} for o in opportunities
    ]
    if entries:
        db.execute(insert(OpportunityStageChange), entries)


def _closable(access: Access, opportunity: Opportunity, action: str) -> SessionDef:
    sdef = _modifiable(access, opportunity)
    workflow.check_action(sdef, opportunity, action)
    return sdef


def close_won(
    db: DbSession,
    access: Access,
    opportunity: Opportunity,
    reason: str,
    close_date: date | None = None,
    account_code: str = "",
) -> Account:
    """Close as won (SAL-05). A provisional account (it came from a lead) needs the definitive
    code and becomes active under it; everything is checked before anything changes."""
    sdef = _closable(access, opportunity, "close_won")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    account = opportunity.account
    if account.kind != opportunity.kind:
        raise BusinessRuleError(_("The opportunity and its account are of different kinds."))
    if account.status == "potential":
        code = check_account_code(account_code, field="account_code")
        account.code = code
        account.status = "active"
    workflow.transition(db, sdef, opportunity, "won", access.user, action="close_won")
    opportunity.close_reason = reason.strip()
    opportunity.close_date = close_date or date.today()
    db.flush()
    _hook().crm_opportunity_won(opportunity=opportunity, account=account, user=access.user, db=db)
    return account


def close_lost(
    db: DbSession, access: Access, opportunity: Opportunity, reason: str, close_date: date | None = None
) -> None:
    """Close as lost with a reason and date; it stays queryable (SAL-06)."""
    sdef = _closable(access, opportunity, "close_lost")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    workflow.transition(db, sdef, opportunity, "lost", access.user, action="close_lost")
    opportunity.close_reason = reason.strip()
    opportunity.close_date = close_date or date.today()
    db.flush()
    _hook().crm_opportunity_lost(opportunity=opportunity, user=access.user, db=db)


def change_stage(db: DbSession, access: Access, opportunity: Opportunity, stage: str) -> None:
    """Move an active opportunity to another configured stage the customer's transitions allow
    from its stage, and record the transition (SAL-10)."""
    sdef = _modifiable(access, opportunity)
    workflow.check_action(sdef, opportunity, "change_stage")
    allowed = stages()
    if stage not in allowed:
        raise ValidationError({"stage": [_("Unknown stage; stages: %(s)s.", s=", ".join(allowed))]})
    if stage == opportunity.stage:
        raise ValidationError({"stage": [_("The opportunity is already at this stage.")]})
    refusal = stage_refusal(opportunity, stage)
    if refusal is not None:
        raise BusinessRuleError(refusal, field="stage")
    record_stage(db, opportunity, access.user, opportunity.stage, stage)
    opportunity.stage = stage
    db.flush()


def stage_history(db: DbSession, opportunity: Opportunity) -> list[OpportunityStageChange]:
    return list(
        db.scalars(
            select(OpportunityStageChange)
            .where(OpportunityStageChange.opportunity_id == opportunity.id)
            .order_by(OpportunityStageChange.at, OpportunityStageChange.id)
        )
    )


# --- accounts and campaigns (SAL-07, SAL-09) -------------------------------------------------


def set_account_active(db: DbSession, access: Access, account: Account, active: bool) -> None:
    """Accounts are never deleted, only set inactive (and back) (SAL-07)."""
    sdef = _modifiable(access, account)
    action, target = ("reactivate", "active") if active else ("deactivate", "inactive")
    workflow.transition(db, sdef, account, target, access.user, action=action)
    db.flush()


def assign_to_campaign(db: DbSession, access: Access, campaign: Campaign, opportunity_ids: list[int]) -> int:
    """Put opportunities the user may modify into ``campaign``; returns how many (SAL-09)."""
    _modifiable(access, campaign)
    sdef = sdef_for("sale", "opportunities")
    opportunities = [get_element(db, sdef, access, oid, "modify") for oid in dict.fromkeys(opportunity_ids)]
    for opportunity in opportunities:
        opportunity.campaign_id = campaign.id
    db.flush()
    return len(opportunities)
