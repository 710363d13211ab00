"""Demo articles (``crm demo``): a few published answers in Spanish and English, and
two drafts (ana's and bob's).

Idempotent: each article has a fixed uid, so running the demo again adds nothing.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import User, audit
from plugins.knowledge.models import Article

DEMO_NAMESPACE = uuid.UUID("0b9f6a3e-2d7c-4f8e-9a51-6c3d2e1f0a47")
#: (owner, language, product, tags, published, public, title, body)
ARTICLES = (
    ("leader", "es", "Fibra 300", "conexión, router", True, True, "No hay conexión a internet tras instalar el router",
     "## Síntoma\n\nEl cliente no navega después de instalar el **router**.\n\n"
     "## Pasos\n\n1. Comprobar que la luz *PON* está fija.\n2. Reiniciar el router 30 segundos.\n"
     "3. Si la luz parpadea en rojo, abrir un caso de avería.\n"),
    ("leader", "es", "Facturación", "factura, domiciliación", True, True,
     "Cambiar la domiciliación bancaria de las facturas",
     "Las facturas se cobran por **domiciliación**. Para cambiar la cuenta:\n\n"
     "- Pedir el nuevo IBAN y el titular.\n- Registrar el cambio antes del día 20 del mes.\n\n"
     "Más información en [la web](https://example.com/facturas).\n"),
    ("leader", "en", "Fibre 300", "connection, router", True, True,
     "No internet connection after installing the router",
     "## Symptom\n\nThe customer cannot browse after installing the **router**.\n\n"
     "## Steps\n\n1. Check that the *PON* light is steady.\n2. Restart the router for 30 seconds.\n"
     "3. If the light blinks red, open a defect case.\n"),
    ("leader", "en", "Billing", "invoice, direct debit", True, False, "Changing the direct debit account of invoices",
     "Invoices are paid by **direct debit**. To change the account:\n\n"
     "- Ask for the new IBAN and its holder.\n- Record the change before the 20th of the month.\n"),
    ("ana", "en", "Mobile", "roaming", False, False, "Roaming charges in the EU (draft)",
     "Draft: calls and data in the EU cost the same as at home, within the fair-use limit.\n"),
    ("bob", "es", "Móvil", "portabilidad", False, False, "Portabilidad de un número (borrador)",
     "Borrador: la portabilidad tarda **un día laborable** desde la firma.\n"),
)


def load(db: DbSession, users: dict[str, User]) -> int:
    """Add the demo articles that are missing; returns how many were added."""
    added = 0
    for number, (owner, language, product, tags, published, public, title, body) in enumerate(ARTICLES):
        user = users.get(owner)
        uid = str(uuid.uuid5(DEMO_NAMESPACE, str(number)))
        if user is None or db.scalar(select(Article.id).where(Article.uid == uid)) is not None:
            continue
        with audit.audit_context(user=user, action="demo"):
            db.add(Article(uid=uid, title=title, body=body, product=product, tags=tags, language=language,
                           published=published, public=public, owner_id=user.id, creator_id=user.id))
            db.flush()
        added += 1
    return added
