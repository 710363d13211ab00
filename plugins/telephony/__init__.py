"""Telephony: call records, the PBX link (Asterisk AMI, signed webhooks), extensions, missed
calls (TEL-01, EXT-11). Registration only; the rules live in ``services``, the PBX protocols in
``ami`` and ``webhooks``. Plugins reach it through hooks: callers are found with
``crm_find_by_phone``, calls are announced with ``crm_calls_recorded``.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Blueprint, Flask

from crm_core.toolkit import Access, Module, Panel, PluginMeta, SessionDef, User, UserField, handles, hookimpl
from plugins.telephony import hookspecs, models
from plugins.telephony.settings import TelephonySettings

meta = PluginMeta(
    hookspecs=hookspecs,
    description="Call records, PBX link (Asterisk AMI, signed webhooks), extensions, missed calls",
    settings_schema=TelephonySettings,
    requires_contract=">=2.1,<3",
)


@hookimpl
def crm_register_modules() -> list[Module]:
    from plugins.telephony.sessions import MODULE

    return [MODULE]


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    from plugins.telephony.sessions import CALLS, FIGURES

    return [CALLS, FIGURES]


@hookimpl
def crm_register_blueprints(app: Flask) -> list[Blueprint]:
    from plugins.telephony.views import bp

    return [bp]


@hookimpl
def crm_register_cli(cli: click.Group) -> None:
    from plugins.telephony.cli import telephony

    cli.add_command(telephony)


@hookimpl
def crm_register_outbox_handlers() -> dict[str, Any]:
    from plugins.telephony.click_to_call import TOPIC, deliver_originate

    return {TOPIC: deliver_originate}


@hookimpl
def crm_page_scripts() -> list[str]:
    """The screen pop and click-to-call, for users with an extension (nobody else can receive a
    pop or originate; without the script a phone link still dials on the device)."""
    from plugins.telephony.panels import page_scripts

    return page_scripts()


@hookimpl
def crm_user_fields() -> list[UserField]:
    from plugins.telephony.panels import extension_field

    return [extension_field()]


@hookimpl
def crm_demo_data(db: Any, users: dict[str, User]) -> None:
    from plugins.telephony import demo

    demo.load(db, users)


@hookimpl
def crm_home_panels(user: User) -> list[Panel]:
    from plugins.telephony.panels import home_panels

    return home_panels(user)


@hookimpl
@handles(models=(models.Call,))
def crm_element_created(element: Any, access: Access, db: Any) -> None:
    from plugins.telephony.services import calls_created

    calls_created(db, access.user, [element])


@hookimpl
@handles(models=(models.Call,))
def crm_elements_created(elements: list[Any], access: Access, db: Any) -> None:
    """A CDR import chunk: linked, announced and checked against the link's gaps at once."""
    from plugins.telephony.services import calls_created

    calls_created(db, access.user, elements)


@hookimpl(optionalhook=True)  # sales owns the 360 view; telephony runs without it
def crm_client_360_sections(related: dict[str, list[int]], access: Access, db: Any) -> list[Any]:
    from plugins.telephony.client360 import sections

    return sections(related, access, db)


@hookimpl
def crm_personal_data_find(plan: Any, db: Any) -> Any:
    from plugins.telephony import privacy

    return privacy.find(plan, db)


@hookimpl
def crm_personal_data_erase(plan: Any, db: Any) -> None:
    from plugins.telephony import privacy

    privacy.erase(plan, db)
