"""Demo Corp's hook adjustments, registered after every plugin: a home panel and a row filter.

A wrapper adjusts what the plugins answer instead of copying their code: here the home page
gets the client's sales-target reminder as its first panel.
"""

from __future__ import annotations

from typing import Any

from markupsafe import escape

from crm_core.toolkit import Panel, PluginMeta, hookimpl

meta = PluginMeta(description="Demo Corp's home panel, lead filter and billing adapter", requires_contract=">=2.1,<3")


def _targets(user: Any) -> str:
    name = escape(getattr(user, "full_name", "") or getattr(user, "username", ""))
    return f'<p class="mb-0" id="demo-targets">{name}: Demo Corp\'s quarterly target is 40 new accounts.</p>'


@hookimpl(wrapper=True)
def crm_home_panels(user: Any):  # type: ignore[no-untyped-def]
    panels = yield
    return [[Panel("demo_targets", "Demo Corp targets", _targets, order=0)], *panels]


@hookimpl
def crm_row_filters(sdef: Any, user: Any) -> list[Any]:
    """Demo Corp keeps leads bought from competitor lists for its leaders: executives do not
    see them on any path (grid, search, listings, exports, API, imports, calendar)."""
    from sqlalchemy import or_

    if sdef.name != "leads" or user.is_admin or (user.group and user.group.sees_all):
        return []
    source = sdef.model.source
    return [or_(source.is_(None), source != "competitor-list")]


#: The adapter's own labels per language (the portal passes the customer's language).
BILLING_LABELS = {"en": ("Contracts", "Total contracted", "Last contract"),
                  "es": ("Contratos", "Total contratado", "Último contrato")}


@hookimpl(optionalhook=True)
def crm_portal_billing(account_id: int, language: str, db: Any) -> list[tuple[str, str]] | None:
    """Demo Corp's billing adapter for the customer portal: Demo Corp bills what it won, so its
    "billing system" is the won opportunities of the account — contracts, total and the last
    one. A client with a real billing system asks it here (with a short timeout)."""
    from flask_babel import format_date, format_decimal
    from sqlalchemy import func, select

    from crm_core.toolkit import crm_state

    sdef = next((s for s in crm_state().registry.grid_sessions()
                 if "opportunity" in s.roles and s.where.get("kind") == "sale"), None)
    if sdef is None:
        return None
    model = sdef.model
    won = select(func.count(), func.sum(model.amount), func.max(model.close_date), func.min(model.currency)).where(
        model.account_id == account_id, model.status == "won", model.kind == "sale")
    count, total, last, currency = db.execute(won).one()
    if not count:
        return None
    labels = BILLING_LABELS.get(language[:2], BILLING_LABELS["en"])
    return [
        (labels[0], str(count)),
        (labels[1], f"{format_decimal(total or 0, format='#,##0.00')} {currency or ''}".strip()),
        (labels[2], format_date(last) if last else "—"),
    ]
