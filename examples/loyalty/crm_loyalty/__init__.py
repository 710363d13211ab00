"""Loyalty points on accounts: an example partner plugin, packaged on its own.

Winning an opportunity credits its account with points (one per 10 of the amount); the
"Loyalty points" session lists the entries and lets an executive add a manual adjustment. The
grid, detail screen, import, export and REST API come from the one declaration below. Only thin
hook implementations live here; rules are in :mod:`crm_loyalty.services`.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from crm_core.toolkit import Module, PluginMeta, SessionDef, hookimpl
from crm_loyalty import services
from crm_loyalty.models import SEARCH, PointsEntry
from crm_loyalty.schemas import PointsEntrySchema

meta = PluginMeta(
    requires=("sales",), requires_contract=">=2.1,<3", description="Loyalty points on accounts", version="1.0.0"
)


@hookimpl
def crm_register_modules() -> list[Module]:
    return [Module("loyalty", _l("Loyalty"), order=60)]


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    return [
        SessionDef(
            name="loyalty_points",
            module="loyalty",
            label=_l("Loyalty points"),
            singular=_l("Points entry"),
            model=PointsEntry,
            schema=PointsEntrySchema,
            columns=("account_id", "points", "reason"),
            search=SEARCH,
            lookups={"account_id": "accounts", "opportunity_id": "opportunities"},
            deletable=False,
        )
    ]


@hookimpl
def crm_opportunity_won(opportunity: Any, account: Any, db: Any) -> None:
    services.award_won_opportunity(db, opportunity, account)


@hookimpl
def crm_demo_data(db: Any, users: dict[str, Any]) -> None:
    services.give_welcome_bonuses(db)


@hookimpl
def crm_personal_data_find(plan: Any, db: Any) -> Any:
    from crm_loyalty import privacy

    return privacy.find(plan, db)


@hookimpl
def crm_personal_data_erase(plan: Any, db: Any) -> None:
    from crm_loyalty import privacy

    privacy.erase(plan, db)
