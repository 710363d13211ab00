"""Session names per kind: the sales names, and the purchasing names for the buyer's side (PUR-01)."""

from __future__ import annotations

from plugins.sales.kinds import KINDS

_NAMES = {
    "sale": {
        "module": "sales",
        "leads": "leads",
        "opportunities": "opportunities",
        "accounts": "accounts",
        "contacts": "contacts",
    },
    "purchase": {
        "module": "purchasing",
        "leads": "potential_suppliers",
        "opportunities": "purchase_opportunities",
        "accounts": "suppliers",
        "contacts": "supplier_contacts",
    },
}


def session_names(kind: str) -> dict[str, str]:
    """``{"leads": ..., "opportunities": ..., "accounts": ..., "contacts": ..., "module": ...}``."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
    return _NAMES[kind]
