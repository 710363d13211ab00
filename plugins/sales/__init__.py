"""Sales: leads, qualification, opportunities, accounts, contacts, campaigns, funnel (SAL-01..11).

Registration only; the rules live in ``services``, the declarations in ``sessions``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

from crm_core.toolkit import (
    Access,
    DemoUser,
    Kpi,
    Module,
    PluginMeta,
    SessionDef,
    Tab,
    User,
    current_access,
    handles,
    hookimpl,
)
from crm_core.toolkit import session as db_session
from plugins.sales import hookspecs, kpis, models, schemas

meta = PluginMeta(
    hookspecs=hookspecs,
    description="Leads, opportunities, accounts, contacts, campaigns",
    settings_schema=schemas.SalesSettings,
    requires_contract=">=2.1,<3",
)


@hookimpl
def crm_register_modules() -> list[Module]:
    from plugins.sales.sessions import SALE, build_module

    return [build_module(SALE)]


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    from plugins.sales.sessions import SALE, build_sessions, sales_only_sessions

    return build_sessions(SALE) + sales_only_sessions()


@hookimpl
def crm_find_by_phone(number: str, user: User, db: Any) -> Any:
    from plugins.sales.phone import find_by_phone

    return find_by_phone(db, number, user)


@hookimpl
def crm_register_blueprints(app: Flask) -> list[Blueprint]:
    from plugins.sales.client360_api import bp as client360_api
    from plugins.sales.views import bp

    return [bp, client360_api]


@hookimpl
def crm_detail_tabs(sdef: SessionDef) -> list[Tab]:
    from plugins.sales.tabs import tabs_for

    return tabs_for(sdef)


@hookimpl
@handles(models=(models.Contact, models.Opportunity))
def crm_element_created(element: Any, access: Access, db: Any) -> None:
    """Generic creation (screens, API) of a contact or an opportunity: see ``events.created``."""
    from plugins.sales import events

    events.created(db, access, [element])


@hookimpl
@handles(models=(models.Contact, models.Opportunity))
def crm_elements_created(elements: list[Any], access: Access, db: Any) -> None:
    """An import batch of contacts or opportunities, at the cost of one element; a campaign
    load's opportunities then go to their owners by the client's rule (``assignment``)."""
    from plugins.sales import assignment, events

    events.created(db, access, elements)
    assignment.assign(db, [e for e in elements if isinstance(e, models.Opportunity)])


@hookimpl
@handles(models=(models.Contact, models.Opportunity))
def crm_element_changed(element: Any, changes: dict[str, Any], access: Access, db: Any) -> None:
    from plugins.sales import events

    events.changed(db, access, element, changes)


@hookimpl
def crm_kpis(user: User) -> list[Kpi]:
    """The home dashboard's sales figures (EXT-07), through the viewer's access."""
    return kpis.kpis(db_session(), current_access(), user)


@hookimpl
def crm_demo_users() -> list[DemoUser]:
    from plugins.sales import demo

    return list(demo.TEAM)


@hookimpl
def crm_demo_data(db: Any, users: dict[str, User]) -> None:
    from plugins.sales import demo

    demo.load(db, users)


@hookimpl
def crm_personal_data_find(plan: Any, db: Any) -> Any:
    from plugins.sales import privacy

    return privacy.find(plan, db)


@hookimpl
def crm_personal_data_erase(plan: Any, db: Any) -> None:
    from plugins.sales import privacy

    privacy.erase(plan, db)
