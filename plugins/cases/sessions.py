"""The cases module and session: one declaration gives the grid, detail, listing, import,
export and REST API (CAS-01); the life cycle is a declared workflow (CAS-02).

Action handlers are thin: they pass the validated input to :mod:`plugins.cases.services`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import object_session

from crm_core.toolkit import Action, ActionContext, Module, NamedFilter, SessionDef, Status, Transition, Workflow
from plugins.cases import panels, services, triage
from plugins.cases.models import SEARCH, Case
from plugins.cases.schemas import CancelSchema, CaseSchema, CloseSchema, ReplySchema, ResolveSchema

MODULE = Module("cases", _l("Cases"), order=25)

STATUSES = (
    Status("gathering", _l("Gathering information")),
    Status("open", _l("Open")),
    Status("resolved", _l("Resolved"), open=False, tone="won"),
    Status("closed", _l("Closed"), open=False),
    Status("cancelled", _l("Cancelled"), open=False),
)

#: Seed 002: gathering information → open → resolved → closed with the customer's agreement;
#: a resolved case the customer does not accept is reopened; a case still being worked on can
#: be cancelled with a reason. Only these actions move the status (it is read-only on forms).
WORKFLOW = Workflow(
    initial="gathering",
    transitions=(
        Transition("gathering", "open", action="open"),
        Transition("open", "resolved", action="resolve"),
        Transition("resolved", "closed", action="close"),
        Transition("resolved", "open", action="reopen"),
        Transition("gathering", "cancelled", action="cancel"),
        Transition("open", "cancelled", action="cancel"),
    ),
)


def _open(ctx: ActionContext) -> None:
    services.start(ctx.db, ctx.sdef, ctx.element, ctx.user)


def _resolve(ctx: ActionContext) -> None:
    services.resolve(ctx.db, ctx.sdef, ctx.element, ctx.user, ctx.data["resolution"])


def _close(ctx: ActionContext) -> None:
    data = ctx.data
    services.close(
        ctx.db, ctx.sdef, ctx.element, ctx.user, data["agreed_by"], data["agreed_via"], data.get("agreed_at")
    )


def _reopen(ctx: ActionContext) -> None:
    services.reopen(ctx.db, ctx.sdef, ctx.element, ctx.user)


def _cancel(ctx: ActionContext) -> None:
    services.cancel(ctx.db, ctx.sdef, ctx.element, ctx.user, ctx.data["reason"])


def _reply(ctx: ActionContext) -> str:
    from flask_babel import gettext as _

    from plugins.cases import mailout

    sent = mailout.reply(ctx.db, ctx.sdef, ctx.access, ctx.element, ctx.data["body"])
    return _("Reply queued: %(subject)s", subject=sent.subject)


def _has_mail(case: Case) -> bool:
    """"Reply by e-mail" is offered on cases that received one (one indexed query)."""
    from plugins.cases import mailout

    db = object_session(case)
    return db is not None and mailout.can_reply(db, case)


CASES = SessionDef(
    name=services.SESSION,
    roles=("case",),
    module=MODULE.name,
    label=_l("Cases"),
    singular=_l("Case"),
    model=Case,
    schema=CaseSchema,
    columns=("number", "subject", "account_id", "type", "priority", "due_at", "sla_state", "status", "assignee_id"),
    search=SEARCH,
    statuses=STATUSES,
    deletable=False,
    importable=True,
    order=10,
    actions=(
        Action("open", _l("Open case"), _open, available=triage.open_available),
        Action("resolve", _l("Resolve"), _resolve, schema=ResolveSchema),
        Action("close", _l("Close with the customer's agreement"), _close, schema=CloseSchema),
        Action("reopen", _l("Reopen"), _reopen, confirm=_l("Reopen this case?")),
        Action("cancel", _l("Cancel case"), _cancel, schema=CancelSchema),
        # Email-to-case: answers the customer's last e-mail through the outbox (mailout.py).
        Action("reply_email", _l("Reply by e-mail"), _reply, schema=ReplySchema, available=_has_mail),
    ),
    workflow=WORKFLOW,
    # CAS-02: working cases past their due time, the home panel's one definition.
    named_filters=(NamedFilter("overdue", _l("Overdue"), panels.overdue_condition),),
)

#: Case reports (issue 14): counts, SLA breaches and resolution times, each a chart and a table
#: in the listing formats; the figures count only the cases the user may view.
REPORTS = SessionDef(
    name="case_reports",
    module=MODULE.name,
    label=_l("Case reports"),
    endpoint="cases.reports",
    order=30,
)
