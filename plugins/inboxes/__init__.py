"""Inboxes (EXT-12): every user and every group has an inbox of requests about records.

Any session's record can be sent to a user's or a group's inbox with a requested action and a
note; a member takes a group's item (exactly one of two concurrent takers wins) and becomes the
record's owner. Generic: the plugin knows no business area and reaches elements only through the
registry and the toolkit. Registration only here; rules in ``services``, reads in ``queries``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Action, Module, Panel, PluginMeta, SessionDef, User, hookimpl
from plugins.inboxes import actions, api, demo, hookspecs, panels, views
from plugins.inboxes.sessions import GROUP_INBOX, MODULE, MY_INBOX
from plugins.inboxes.settings import InboxesSettings

meta = PluginMeta(
    description="Inboxes of action requests for users and groups",
    requires_contract=">=2.1,<3",
    hookspecs=hookspecs,
    settings_schema=InboxesSettings,
)


@hookimpl
def crm_register_modules() -> list[Module]:
    return [MODULE]


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    return [MY_INBOX, GROUP_INBOX]


@hookimpl
def crm_register_blueprints(app: Flask) -> list[Blueprint]:
    return [views.bp, api.bp]


@hookimpl
def crm_element_actions(sdef: SessionDef) -> list[Action]:
    return actions.inbox_actions(sdef)


@hookimpl
def crm_home_panels(user: User) -> list[Panel]:
    return panels.home_panels()


@hookimpl
def crm_inbox_send_many(db: DbSession, session_name: str, element_type: str, items: list[tuple[int, int]],
                        group_id: int | None, user_id: int | None, requested_action: str, action_text: str,
                        note: str, source: str) -> int:
    from plugins.inboxes import bulk

    return bulk.send_many(db, session_name, element_type, items, group_id, user_id, requested_action,
                          action_text, note, source)


@hookimpl
def crm_inbox_close_many(db: DbSession, session_name: str, element_type: str, element_ids: list[int], source: str,
                         closed_by_id: int | None, note: str) -> int:
    from plugins.inboxes import bulk

    return bulk.close_many(db, session_name, element_type, element_ids, source, closed_by_id, note)


@hookimpl
def crm_demo_data(db: DbSession, users: dict[str, User]) -> None:
    demo.load(db, users)


@hookimpl
def crm_personal_data_find(plan: Any, db: Any) -> Any:
    from plugins.inboxes import privacy

    return privacy.find(plan, db)


@hookimpl
def crm_personal_data_erase(plan: Any, db: Any) -> None:
    from plugins.inboxes import privacy

    privacy.erase(plan, db)
