"""Sales: leads, qualification, opportunities, accounts, contacts, campaigns, funnel (SAL-01..11).

Registration only; the rules live in ``services``, the declarations in ``sessions``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

from crm_core.toolkit import Module, PluginMeta, SessionDef, Tab, User, hookimpl
from plugins.sales import models, schemas

meta = PluginMeta(
    description="Leads, opportunities, accounts, contacts, campaigns",
    settings_schema=schemas.SalesSettings,
    requires_contract=">=2.0,<3",
)


@hookimpl
def crm_register_modules() -> list[Module]:
    from plugins.sales.sessions import build_module

    return [build_module("sale")]


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    from plugins.sales.sessions import build_sessions, sales_only_sessions

    return build_sessions("sale") + sales_only_sessions()


@hookimpl
def crm_find_by_phone(number: str, user: User, db: Any) -> Any:
    from plugins.sales.phone import find_by_phone

    return find_by_phone(db, number, user)


@hookimpl
def crm_register_blueprints(app: Flask) -> list[Blueprint]:
    from plugins.sales.views import bp

    return [bp]


@hookimpl
def crm_detail_tabs(session: SessionDef) -> list[Tab]:
    from plugins.sales.tabs import tabs_for

    return tabs_for(session)


@hookimpl
def crm_element_created(session: SessionDef, element: Any, user: User, db: Any) -> None:
    """Generic creation (screens, API, import) of a contact tells integrations (SAL-08) and a
    new opportunity enters the pipeline at the first stage (SAL-10), on both kinds."""
    from plugins.sales import services

    if isinstance(element, models.Contact):
        services.check_account_visible(db, user, element)
        from crm_core.toolkit import crm_state

        crm_state().pm.hook.crm_contact_created(contact=element, account=element.account, user=user, db=db)
    elif isinstance(element, models.Opportunity):
        services.check_account_visible(db, user, element)
        services.start_pipeline(db, element, user)
        db.flush()


@hookimpl
def crm_element_changed(session: SessionDef, element: Any, changes: dict[str, Any], user: User, db: Any) -> None:
    """Moving a contact or opportunity to another account needs that account to be visible."""
    from plugins.sales import services

    if isinstance(element, models.Contact | models.Opportunity) and "account_id" in changes:
        services.check_account_visible(db, user, element)


@hookimpl
def crm_demo_data(db: Any, users: dict[str, User]) -> None:
    from plugins.sales import demo

    demo.load(db, users)
