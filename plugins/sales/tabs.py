"""Detail tabs of the sales sessions: an account's contacts and opportunities, a campaign's
opportunities and clients (SAL-09), an opportunity's stage history (SAL-10).

Related rows are listed through the one ownership filter of their own session, so a tab never
shows what the user could not open from its grid.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import render_template
from flask_babel import format_date, format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm_core.toolkit import SessionDef, Tab, current_access, scoped, session, shown, value_names
from plugins.sales import services
from plugins.sales.models import Account, Campaign, Contact, Opportunity

LIMIT = 200


def _related(sdef: SessionDef, condition: Any, columns: tuple[str, ...]) -> str:
    stmt = scoped(sdef, current_access(), all_records=True).where(condition).order_by(sdef.model.id.desc())
    items = list(session().scalars(stmt.limit(LIMIT)))
    fields = sdef.schema().fields
    names = value_names(sdef, items, columns)
    return render_template(
        "sales/related.html",
        sdef=sdef,
        labels=[fields[c].metadata.get("label", c) for c in columns],
        rows=[(item.id, [_formatted(shown(sdef, item, c, names)) for c in columns]) for item in items],
    )


def _formatted(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_decimal(value)
    if hasattr(value, "isoformat"):
        return format_date(value)
    return str(value)


def _account_contacts(kind: str) -> Any:
    def render(_sdef: SessionDef, account: Account) -> str:
        sdef = services.sdef_for(kind, "contacts")
        return _related(sdef, Contact.account_id == account.id, ("first_name", "last_name", "position", "email"))

    return render


def _account_opportunities(kind: str) -> Any:
    def render(_sdef: SessionDef, account: Account) -> str:
        sdef = services.sdef_for(kind, "opportunities")
        return _related(sdef, Opportunity.account_id == account.id, ("name", "stage", "amount", "status"))

    return render


def _campaign_opportunities(_sdef: SessionDef, campaign: Campaign) -> str:
    sdef = services.sdef_for("sale", "opportunities")
    return _related(sdef, Opportunity.campaign_id == campaign.id, ("name", "stage", "amount", "status"))


def _campaign_clients(_sdef: SessionDef, campaign: Campaign) -> str:
    sdef = services.sdef_for("sale", "accounts")
    in_campaign = select(Opportunity.account_id).where(Opportunity.campaign_id == campaign.id)
    return _related(sdef, Account.id.in_(in_campaign), ("code", "name", "city", "status"))


def _stage_history(_sdef: SessionDef, opportunity: Opportunity) -> str:
    changes = services.stage_history(session(), opportunity)
    return render_template("sales/stages.html", changes=changes, stage_label=services.stage_label)


def _client360(_sdef: SessionDef, account: Account) -> str:
    """The client 360 view (CAS-04); the detail screen has checked the viewer may see ``account``."""
    from plugins.sales import client360

    return render_template("sales/client360.html", sections=client360.view(account, current_access(), session()))


def tabs_for(sdef: SessionDef) -> list[Tab]:
    """The tabs this plugin adds to ``sdef``'s detail screen (both kinds)."""
    kind = sdef.where.get("kind")
    if sdef.model is Account and kind:
        tabs = [
            Tab("contacts", _l("Contacts"), _account_contacts(kind), order=20),
            Tab("opportunities", _l("Opportunities"), _account_opportunities(kind), order=30),
        ]
        if kind == "sale":
            tabs.append(Tab("client360", _l("Client 360"), _client360, order=5))
        return tabs
    if sdef.model is Campaign:
        return [
            Tab("campaign_opportunities", _l("Opportunities"), _campaign_opportunities, order=20),
            Tab("campaign_clients", _l("Clients"), _campaign_clients, order=30),
        ]
    if sdef.model is Opportunity:
        return [Tab("stages", _l("Stage history"), _stage_history, order=20)]
    return []
