"""Purchasing: the sales sessions from the buyer's side, kind = purchase (PUR-01).

The same tables, schemas, rules and declarations as sales, built with ``kind="purchase"``:
potential suppliers, purchase opportunities, suppliers and their contacts. Sales' own hooks
(tabs, contact events, pipeline start) serve these sessions too, since they key on the models.
"""

from __future__ import annotations

from typing import Any

from crm_core.toolkit import Module, PluginMeta, SessionDef, User, hookimpl
from plugins.purchasing.viewpoint import PURCHASE
from plugins.sales.sessions import build_module, build_sessions

meta = PluginMeta(
    requires=("sales",),
    description="Potential suppliers, purchase opportunities, suppliers",
    requires_contract=">=2.1,<3",
)


@hookimpl
def crm_register_modules() -> list[Module]:
    return [build_module(PURCHASE)]


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    return build_sessions(PURCHASE)


@hookimpl
def crm_demo_data(db: Any, users: dict[str, User]) -> None:
    from plugins.purchasing import demo

    demo.load(db, users)
