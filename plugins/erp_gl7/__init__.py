"""GL7 ERP link through the outbox (ERP-01).

Qualifying a lead creates a potential entity in GL7, winning an opportunity promotes it to a
customer, creating a contact creates it in GL7. Nothing waits on GL7: the hooks enqueue, the
``crm worker`` delivers with retries and idempotency keys. The GL7 code and the delivery
status are shown on the account (and contact) detail screen.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from crm_core.toolkit import PluginMeta, SessionDef, Tab, hookimpl
from plugins.erp_gl7.client import Gl7Settings
from plugins.erp_gl7.models import Gl7Link  # noqa: F401 - the table must be known to migrations

meta = PluginMeta(
    requires=("sales",),
    description="GL7 ERP: potential entities, customers, contacts",
    settings_schema=Gl7Settings,
    requires_contract=">=2.1,<3",
)
bp = Blueprint("erp_gl7", __name__, template_folder="templates")
LINKED_ROLES = ("account", "contact")


def _linked_type(sdef: SessionDef) -> str | None:
    """"account"/"contact" when the session declares that role (sales' customers and contacts,
    purchasing's suppliers …): recognised by declared role, never by name or table."""
    return next((role for role in LINKED_ROLES if role in sdef.roles), None)


@hookimpl
def crm_register_blueprints(app: Flask) -> list[Blueprint]:
    return [bp]


@hookimpl
def crm_register_outbox_handlers() -> dict[str, Any]:
    from plugins.erp_gl7.services import HANDLERS

    return dict(HANDLERS)


@hookimpl
def crm_lead_qualified(lead: Any, account: Any, db: Any) -> None:
    from plugins.erp_gl7 import services

    services.lead_qualified(db, lead, account)


@hookimpl
def crm_opportunity_won(opportunity: Any, account: Any, db: Any) -> None:
    from plugins.erp_gl7 import services

    services.opportunity_won(db, opportunity, account)


@hookimpl
def crm_contact_created(contact: Any, account: Any, db: Any) -> None:
    from plugins.erp_gl7 import services

    services.contact_created(db, contact, account)


@hookimpl
def crm_detail_tabs(sdef: SessionDef) -> list[Tab]:
    if _linked_type(sdef) is None:
        return []
    from plugins.erp_gl7.views import render_tab

    return [Tab("erp_gl7", _l("GL7 ERP"), render_tab, order=80)]


@hookimpl
def crm_personal_data_find(plan: Any, db: Any) -> Any:
    from plugins.erp_gl7 import privacy

    return privacy.find(plan, db)


@hookimpl
def crm_personal_data_erase(plan: Any, db: Any) -> None:
    from plugins.erp_gl7 import privacy

    privacy.erase(plan, db)
