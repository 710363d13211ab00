"""Session declarations, built per kind: ``build_sessions("sale")`` for sales and
``build_sessions("purchase")`` for purchasing — one set of declarations, not a copy (PUR-01).

Action handlers are thin: they turn the validated action input into a call of
:mod:`plugins.sales.services`, which holds the rules.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from crm_core.toolkit import Action, ActionContext, Module, SessionDef, Status, Transition, Workflow
from plugins.sales import models, schemas, services
from plugins.sales.models import Account, Campaign, Contact, Lead, Opportunity
from plugins.sales.names import session_names

LEAD_STATUSES = (
    Status("active", _l("Active")),
    Status("qualified", _l("Qualified"), open=False),
    Status("disqualified", _l("Disqualified"), open=False),
)
ACCOUNT_STATUSES = (
    Status("potential", _l("Potential")),
    Status("active", _l("Active")),
    Status("inactive", _l("Inactive"), open=False),
)
OPPORTUNITY_STATUSES = (
    Status("active", _l("Active")),
    Status("won", _l("Won"), open=False),
    Status("lost", _l("Lost"), open=False),
)
CAMPAIGN_STATUSES = (
    Status("planned", _l("Planned")),
    Status("active", _l("Active")),
    Status("finished", _l("Finished"), open=False),
)

#: A lead is qualified or disqualified once, from active (SAL-02, SAL-03).
LEAD_WORKFLOW = Workflow(
    initial="active",
    transitions=(
        Transition("active", "qualified", action="qualify"),
        Transition("active", "disqualified", action="disqualify"),
    ),
)
#: An active opportunity changes stage (the stages' own transitions are the customer's, see
#: ``services.stage_workflow``) until it is closed as won or lost (SAL-05, SAL-06, SAL-10).
OPPORTUNITY_WORKFLOW = Workflow(
    initial="active",
    transitions=(
        Transition("active", "active", action="change_stage"),
        Transition("active", "won", action="close_won"),
        Transition("active", "lost", action="close_lost"),
    ),
)
#: Accounts are set inactive and back, never deleted (SAL-07). A provisional (potential) account
#: becomes active when its first opportunity is closed as won (``services.close_won``).
ACCOUNT_WORKFLOW = Workflow(
    transitions=(
        Transition("active", "inactive", action="deactivate"),
        Transition("inactive", "active", action="reactivate"),
    ),
)

LABELS = {
    "sale": {
        "module": (_l("Sales"), 10),
        "leads": (_l("Leads"), _l("Lead")),
        "opportunities": (_l("Opportunities"), _l("Opportunity")),
        "accounts": (_l("Customers"), _l("Customer")),
        "contacts": (_l("Contacts"), _l("Contact")),
    },
    "purchase": {
        "module": (_l("Purchasing"), 20),
        "leads": (_l("Potential suppliers"), _l("Potential supplier")),
        "opportunities": (_l("Purchase opportunities"), _l("Purchase opportunity")),
        "accounts": (_l("Suppliers"), _l("Supplier")),
        "contacts": (_l("Supplier contacts"), _l("Supplier contact")),
    },
}


def _qualify(ctx: ActionContext) -> Any:
    data = ctx.data
    return services.qualify_lead(
        ctx.db,
        ctx.access,
        ctx.element,
        create_opportunity=data["create_opportunity"],
        opportunity_name=data.get("opportunity_name", ""),
        opportunity_amount=data.get("opportunity_amount"),
        create_contact=data["create_contact"],
        contact={k.removeprefix("contact_"): v for k, v in data.items() if k.startswith("contact_")},
    )


def _disqualify(ctx: ActionContext) -> None:
    services.disqualify_lead(ctx.db, ctx.access, ctx.element, ctx.data["reason"])


def _close_won(ctx: ActionContext) -> Any:
    return services.close_won(
        ctx.db,
        ctx.access,
        ctx.element,
        ctx.data["reason"],
        ctx.data.get("close_date"),
        ctx.data.get("account_code", ""),
    )


def _close_lost(ctx: ActionContext) -> None:
    services.close_lost(
        ctx.db, ctx.access, ctx.element, ctx.data["reason"], ctx.data.get("close_date")
    )


def _change_stage(ctx: ActionContext) -> None:
    services.change_stage(ctx.db, ctx.access, ctx.element, ctx.data["stage"])


def _deactivate(ctx: ActionContext) -> None:
    services.set_account_active(ctx.db, ctx.access, ctx.element, active=False)


def _reactivate(ctx: ActionContext) -> None:
    services.set_account_active(ctx.db, ctx.access, ctx.element, active=True)


def _assign(ctx: ActionContext) -> int:
    return services.assign_to_campaign(
        ctx.db, ctx.access, ctx.element, [ctx.data["opportunity_id"]]
    )


def build_module(kind: str) -> Module:
    label, order = LABELS[kind]["module"]
    return Module(session_names(kind)["module"], label, order=order)


def build_sessions(kind: str) -> list[SessionDef]:
    """Leads, opportunities, accounts and contacts of ``kind`` (sale or purchase)."""
    names, labels = session_names(kind), LABELS[kind]
    module, where = names["module"], {"kind": kind}
    leads = SessionDef(
        name=names["leads"],
        module=module,
        label=labels["leads"][0],
        singular=labels["leads"][1],
        model=Lead,
        schema=schemas.lead_schema(kind),
        columns=("name", "company", "city", "email", "phone", "status"),
        search=models.LEAD_SEARCH,
        statuses=LEAD_STATUSES,
        where=where,
        importable=True,
        import_keys=("email",),
        order=10,
        actions=(
            Action("qualify", _l("Qualify"), _qualify, schema=schemas.QualifySchema),
            Action("disqualify", _l("Disqualify"), _disqualify, schema=schemas.DisqualifySchema),
        ),
        workflow=LEAD_WORKFLOW,
    )
    opportunities = SessionDef(
        name=names["opportunities"],
        module=module,
        label=labels["opportunities"][0],
        singular=labels["opportunities"][1],
        model=Opportunity,
        schema=schemas.opportunity_schema(kind),
        columns=("name", "amount", "currency", "stage", "expected_close", "status"),
        search=models.OPPORTUNITY_SEARCH,
        statuses=OPPORTUNITY_STATUSES,
        where=where,
        deletable=False,
        importable=True,
        lookups={
            "account_id": names["accounts"],
            "lead_id": names["leads"],
            **({"campaign_id": "campaigns"} if kind == "sale" else {}),
        },
        order=20,
        actions=(
            Action("close_won", _l("Close as won"), _close_won, schema=schemas.CloseWonSchema),
            Action("close_lost", _l("Close as lost"), _close_lost, schema=schemas.CloseLostSchema),
            Action("change_stage", _l("Change stage"), _change_stage, schema=schemas.ChangeStageSchema),
        ),
        workflow=OPPORTUNITY_WORKFLOW,
    )
    accounts = SessionDef(
        name=names["accounts"],
        module=module,
        label=labels["accounts"][0],
        singular=labels["accounts"][1],
        model=Account,
        schema=schemas.account_schema(kind),
        columns=("code", "name", "city", "phone", "status"),
        search=models.ACCOUNT_SEARCH,
        statuses=ACCOUNT_STATUSES,
        where=where,
        deletable=False,
        importable=True,
        import_keys=("code",),
        default_sort="name",
        order=30,
        actions=(
            Action("deactivate", _l("Set inactive"), _deactivate, confirm=_l("Set this account inactive?")),
            Action("reactivate", _l("Set active again"), _reactivate),
        ),
        workflow=ACCOUNT_WORKFLOW,
    )
    contacts = SessionDef(
        name=names["contacts"],
        module=module,
        label=labels["contacts"][0],
        singular=labels["contacts"][1],
        model=Contact,
        schema=schemas.contact_schema(kind),
        columns=("first_name", "last_name", "position", "email", "phone"),
        search=models.CONTACT_SEARCH,
        where=where,
        importable=True,
        import_keys=("email",),
        lookups={"account_id": names["accounts"]},
        default_sort="last_name",
        order=40,
    )
    return [leads, opportunities, accounts, contacts]


def sales_only_sessions() -> list[SessionDef]:
    """Campaigns (SAL-09) and the funnel page (SAL-11): marketing, on the sales side only."""
    campaigns = SessionDef(
        name="campaigns",
        module="sales",
        label=_l("Campaigns"),
        singular=_l("Campaign"),
        model=Campaign,
        schema=schemas.CampaignSchema,
        columns=("code", "name", "start", "end", "status", "budget"),
        search=models.CAMPAIGN_SEARCH,
        statuses=CAMPAIGN_STATUSES,
        default_sort="-start",
        order=50,
        actions=(
            Action(
                "assign_opportunities",
                _l("Assign opportunities"),
                _assign,
                schema=schemas.AssignOpportunitySchema,
                available=lambda c: c.status != "finished",
            ),
        ),
    )
    funnel = SessionDef(name="funnel", module="sales", label=_l("Funnel"), endpoint="sales.funnel", order=60)
    return [campaigns, funnel]
