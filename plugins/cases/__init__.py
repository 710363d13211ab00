"""Cases: post-sale cases of customers with a declared life cycle (CAS-01, CAS-02, ACT-06).

Registration only; the rules live in ``services``, the declarations in ``sessions``, the tab
and panels in ``tabs`` and ``panels``. Tasks on cases are the activities plugin's own tab, which
it adds to every session: cases need nothing from it.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Blueprint, Flask
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import (
    Access,
    Module,
    Panel,
    PeriodicJob,
    PluginMeta,
    SessionDef,
    Tab,
    User,
    crm_state,
    handles,
    hookimpl,
)
from plugins.cases import (
    core_api,
    core_views,
    demo,
    escalation,
    hookspecs,
    panels,
    services,
    sla,
    sla_tab,
    tabs,
    triage_views,
    views,
)
from plugins.cases.models import Case
from plugins.cases.schemas import CasesSettings
from plugins.cases.sessions import CASES, MODULE, REPORTS

meta = PluginMeta(
    requires=("sales",),
    requires_contract=">=2.1,<3",
    description="Post-sale cases with a life cycle: gathering, open, resolved, closed",
    settings_schema=CasesSettings,
    hookspecs=hookspecs,
)


@hookimpl
def crm_register_modules() -> list[Module]:
    return [MODULE]


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    return [CASES, REPORTS]


@hookimpl
def crm_register_blueprints(app: Flask) -> list[Blueprint]:
    return [views.bp, triage_views.bp, core_views.bp, core_api.bp]


@hookimpl
def crm_register_cli(cli: click.Group) -> None:
    from plugins.cases.cli import cases

    cli.add_command(cases)


@hookimpl
def crm_detail_tabs(sdef: SessionDef) -> list[Tab]:
    return (
        tabs.detail_tabs(sdef)
        + triage_views.detail_tabs(sdef)
        + sla_tab.detail_tabs(sdef)
        + core_views.detail_tabs(sdef)
    )


@hookimpl
def crm_home_panels(user: User) -> list[Panel]:
    return panels.home_panels(user)


@hookimpl(tryfirst=True)
@handles(models=(Case,))
def crm_element_created(element: Any, access: Access, db: DbSession) -> None:
    """A new case (screen, API) gets its number before other listeners see it."""
    crm_elements_created([element], access, db)


@hookimpl(tryfirst=True)
@handles(models=(Case,))
def crm_elements_created(elements: list[Any], access: Access, db: DbSession) -> None:
    """An import batch: links checked and numbers given with one statement each."""
    services.check_links(db, elements)
    services.number_cases(db, elements)
    sla.apply_created(db, elements)


@hookimpl
@handles(models=(Case,))
def crm_element_changed(element: Any, changes: dict[str, list[Any]], access: Access, db: DbSession) -> None:
    """Moving a case to another account, contact or opportunity obeys the creation rule."""
    if changes.keys() & {"account_id", "contact_id", "opportunity_id"}:
        services.check_links(db, [element])
    if changes.keys() & {"type", "product", "symptom", "priority"}:
        sla.apply(element)


@hookimpl
def crm_register_periodic_jobs() -> list[PeriodicJob]:
    """SLA escalation (CAS-02) under ``crm worker``, every ``escalate_every_seconds`` (300)."""
    every = crm_state().setting("cases", "escalate_every_seconds", 300)
    return [PeriodicJob("cases.escalation", every, escalation.run)]


@hookimpl
def crm_demo_data(db: DbSession, users: dict[str, User]) -> None:
    demo.load(db, users)


@hookimpl
def crm_client_360_sections(account: Any, access: Access, db: DbSession) -> list[Any]:
    """The client's cases on its 360 view (CAS-04); cases requires sales, which owns the view."""
    from plugins.cases.client360 import sections

    return sections(account, access, db)


@hookimpl
def crm_personal_data_find(plan: Any, db: Any) -> Any:
    from plugins.cases import privacy

    return privacy.find(plan, db)


@hookimpl
def crm_personal_data_erase(plan: Any, db: Any) -> None:
    from plugins.cases import privacy

    privacy.erase(plan, db)
