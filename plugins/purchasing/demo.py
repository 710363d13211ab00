"""Demo data for purchasing (``crm demo``): potential suppliers, one qualified into a supplier
with a purchase opportunity, through sales' services (PUR-01). Repeatable."""

from __future__ import annotations

from typing import Any

from crm_core.toolkit import User
from plugins.sales.demo import add_leads

LEADS = (
    # name, company, contact person, email, city, country, source, owner, kind, outcome
    ("Papelera del Norte", "Papelera del Norte S.A.", "Iñaki Etxeberria", "inaki@papeleranorte.example", "Bilbao",
     "ES", "catálogo", "leader", "purchase", "qualify"),
    ("Acme Packaging", "Acme Packaging Ltd", "Sarah Jones", "sarah@acmepack.example", "Manchester", "GB",
     "trade fair", "bob", "purchase", "active"),
)


def load(db: Any, users: dict[str, User]) -> None:
    if users:
        add_leads(db, users, LEADS)
