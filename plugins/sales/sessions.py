"""Session declarations, built per point of view: ``build_sessions(SALE)`` for sales, and the
same function with another plugin's :class:`~plugins.sales.kinds.Viewpoint` (purchasing's) —
one set of declarations, not a copy (PUR-01).

Action handlers are thin: they turn the validated action input into a call of
:mod:`plugins.sales.services`, which holds the rules.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from crm_core.toolkit import Action, ActionContext, Board, Module, SessionDef, Status, Transition, Workflow
from plugins.sales import kinds, models, quick, schemas, services
from plugins.sales.kinds import Viewpoint
from plugins.sales.models import Account, Campaign, Contact, Lead, Opportunity

LEAD_STATUSES = (
    Status("active", _l("Active")),
    Status("qualified", _l("Qualified"), open=False, tone="won"),
    Status("disqualified", _l("Disqualified"), open=False, tone="lost"),
)
ACCOUNT_STATUSES = (
    Status("potential", _l("Potential")),
    Status("active", _l("Active"), tone="won"),
    Status("inactive", _l("Inactive"), open=False),
)
OPPORTUNITY_STATUSES = (
    Status("active", _l("Active")),
    Status("won", _l("Won"), open=False, tone="won"),
    Status("lost", _l("Lost"), open=False, tone="lost"),
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

SALE = Viewpoint(
    kind="sale",
    module="sales",
    module_label=_l("Sales"),
    module_order=10,
    names={"leads": "leads", "opportunities": "opportunities", "accounts": "accounts", "contacts": "contacts"},
    labels={
        "leads": (_l("Leads"), _l("Lead")),
        "opportunities": (_l("Opportunities"), _l("Opportunity")),
        "accounts": (_l("Customers"), _l("Customer")),
        "contacts": (_l("Contacts"), _l("Contact")),
    },
)
kinds.register(SALE)


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


def build_module(seen: Viewpoint) -> Module:
    kinds.register(seen)
    return Module(seen.module, seen.module_label, order=seen.module_order)


def build_sessions(seen: Viewpoint) -> list[SessionDef]:
    """Leads, opportunities, accounts and contacts seen from ``seen`` (sales' own, or another
    plugin's kind over the same tables, e.g. purchasing's)."""
    kinds.register(seen)
    kind, names, labels = seen.kind, seen.names, seen.labels
    module, where = seen.module, {"kind": kind}
    leads = SessionDef(
        name=names["leads"],
        roles=("lead",),
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
        roles=("opportunity",),
        module=module,
        label=labels["opportunities"][0],
        singular=labels["opportunities"][1],
        model=Opportunity,
        schema=schemas.opportunity_schema(kind),
        columns=("name", "account_id", "amount", "currency", "stage", "expected_close", "status", "owner_id"),
        search=models.OPPORTUNITY_SEARCH,
        statuses=OPPORTUNITY_STATUSES,
        where=where,
        deletable=False,
        importable=True,
        import_keys=("external_ref",),
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
        board=Board(field="stage", amount="amount", probability="probability", action="change_stage"),
    )
    accounts = SessionDef(
        name=names["accounts"],
        roles=("account",),
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
        quick_create=quick.quick_account,  # "+ New customer “…”" in account pickers
    )
    contacts = SessionDef(
        name=names["contacts"],
        roles=("contact",),
        module=module,
        label=labels["contacts"][0],
        singular=labels["contacts"][1],
        model=Contact,
        schema=schemas.contact_schema(kind),
        columns=("first_name", "last_name", "account_id", "position", "email", "phone", "owner_id"),
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
    """Campaigns (SAL-09), the funnel page (SAL-11) and the goals page (EXT-07): on the sales side only."""
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
    goals = SessionDef(name="goals", module="sales", label=_l("Goals"), endpoint="sales.goals", order=65)
    return [campaigns, funnel, goals]
