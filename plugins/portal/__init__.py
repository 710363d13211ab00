"""Customer self-service portal and web-to-lead forms (EXT-13, EXT-08).

Registration only. The portal (``/portal``) is a realm of its own for the contacts of
customer accounts — not CRM users — with its own cookie (:mod:`realm`), accounts
(:mod:`accounts`) and pages (:mod:`views_auth`, :mod:`views_self`); what a customer does with
cases is in :mod:`requests`. Web forms are a session (:mod:`sessions`) served publicly at
``/forms/<slug>`` (:mod:`views_forms`, rules in :mod:`webforms`). Other plugins are reached
through their sessions' roles and through hooks: the portal asks ``crm_portal_articles`` /
``crm_portal_article`` (answered by knowledge) and ``crm_portal_billing`` (a client adapter).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Action, Module, PluginMeta, SessionDef, Tab, handles, hookimpl
from plugins.portal import follow, hookspecs, staff, views, views_forms
from plugins.portal.sessions import MODULE, WEBFORMS
from plugins.portal.settings import PortalSettings

meta = PluginMeta(
    requires=("sales", "cases", "messaging"),
    requires_contract=">=2.1,<3",
    description="Customer self-service portal and web-to-lead forms",
    settings_schema=PortalSettings,
    hookspecs=hookspecs,
)


@hookimpl
def crm_register_modules() -> list[Module]:
    return [MODULE]


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    return [WEBFORMS]


@hookimpl
def crm_register_blueprints(app: Flask) -> list[Blueprint]:
    return [views.bp, views_forms.bp]


@hookimpl
def crm_element_actions(sdef: SessionDef) -> list[Action]:
    return staff.element_actions(sdef)


@hookimpl
def crm_detail_tabs(sdef: SessionDef) -> list[Tab]:
    return staff.detail_tabs(sdef)


@hookimpl
def crm_demo_data(db: DbSession, users: dict[str, Any]) -> None:
    from plugins.portal import demo

    demo.load(db, users)


#: The session whose records portal logins belong to (sales' contacts; cases are never deleted).
CONTACTS = "contacts"


@hookimpl
@handles(sessions=(CONTACTS,))
def crm_element_changed(element: Any, changes: dict[str, list[Any]], db: DbSession) -> None:
    follow.contact_changed(db, element, changes)


@hookimpl
@handles(sessions=(CONTACTS,))
def crm_element_deleted(element: Any, db: DbSession) -> None:
    follow.contact_deleted(db, element)
