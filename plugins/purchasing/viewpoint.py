"""Purchasing's point of view on sales' tables (PUR-01): its module, session names and labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from plugins.sales.kinds import Viewpoint

PURCHASE = Viewpoint(
    kind="purchase",
    module="purchasing",
    module_label=_l("Purchasing"),
    module_order=20,
    names={
        "leads": "potential_suppliers",
        "opportunities": "purchase_opportunities",
        "accounts": "suppliers",
        "contacts": "supplier_contacts",
    },
    labels={
        "leads": (_l("Potential suppliers"), _l("Potential supplier")),
        "opportunities": (_l("Purchase opportunities"), _l("Purchase opportunity")),
        "accounts": (_l("Suppliers"), _l("Supplier")),
        "contacts": (_l("Supplier contacts"), _l("Supplier contact")),
    },
)
