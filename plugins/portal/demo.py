"""Demo web forms (``crm demo``): a contact form of the leader's and a campaign form of bob's,
so the *Web forms* screen shows forms and the permission rules have records of two owners.

Idempotent: each form has a fixed slug, so running the demo again adds nothing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import User, audit
from plugins.portal.models import WebForm

#: (owner, slug, name, fields, thank-you text)
FORMS = (
    ("leader", "contact", "Contact us", "name, email, phone, city", "Thank you: we will call you within a day."),
    ("bob", "fibre-offer", "Fibre offer 2027", "name, email, phone", "Thank you: your offer is on its way."),
)


def load(db: DbSession, users: dict[str, User]) -> int:
    """Add the demo forms that are missing; returns how many were added."""
    added = 0
    for owner, slug, name, field_list, thank_you in FORMS:
        user = users.get(owner)
        if user is None or db.scalar(select(WebForm.id).where(WebForm.slug == slug)) is not None:
            continue
        with audit.audit_context(user=user, action="demo"):
            db.add(WebForm(name=name, slug=slug, field_list=field_list, thank_you=thank_you,
                           owner_id=user.id, creator_id=user.id))
            db.flush()
        added += 1
    return added
