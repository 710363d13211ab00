"""A client with personal data in every bundled plugin and the core, for the privacy tests
(CORE-21), written through the same services and ORM paths as the screens, imports and workers
— so the audit trail, the outbox and the search indexes hold the values as they would."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from crm_core.db import unit_of_work
from crm_core.models.auth import Group, Permission
from crm_core.models.imports import ImportJob, ImportLine
from crm_core.outbox import enqueue
from crm_core.services import elements
from crm_core.services.audit import audit_context
from crm_core.services.notes import add_note

PLUGINS = ["sales", "activities", "messaging", "erp_gl7", "cases", "telephony", "knowledge", "inboxes", "loyalty"]

NAME = "Zuzanna Qwertyńska"
EMAIL = "zuzanna.q@privacy-test.example"
PHONE = "+34 911 778 812"
TAX_ID = "X9988776Q"
ADDRESS = "Calle Xylófono 77"
CONTACT_FIRST, CONTACT_LAST = "Ofelia", "Brzęczyszczykiewicz"
CONTACT_EMAIL = "ofelia.b@privacy-test.example"
CONTACT_PHONE = "+34 622 334 455"
RECORDING = "https://recordings.example/ofelia-7781.mp3"
AGREED_BY = "Wenceslao Ñúñez-Pryvat"

#: Every value the scan looks for, with the forms the system derives (E.164) and the parts of
#: names that free text uses ("Call Ofelia").
VALUES = (
    NAME, "Qwertyńska", EMAIL, PHONE, "+34911778812", "911 778 812", TAX_ID, ADDRESS, "Xylófono",
    CONTACT_FIRST, CONTACT_LAST, CONTACT_EMAIL, CONTACT_PHONE, "+34622334455", "622 334 455",
    RECORDING, AGREED_BY,
)
#: Someone else's data, which must stay.
OTHER_NAME, OTHER_EMAIL = "Otro Cliente Intacto SL", "otro@intacto.example"


def grant_privacy(db: Session, group_name: str = "Leaders", modify: bool = True) -> None:
    with unit_of_work():
        group = db.scalar(select(Group).where(Group.name == group_name))
        db.add(Permission(group_id=group.id, session_name="privacy", can_view=True, can_modify=modify))


def make_client(db: Session, registry: Any, access_for: Any, users: dict[str, Any]) -> dict[str, Any]:
    """The client ``ana`` works with, filled in every plugin; returns its records by name."""
    access = access_for("ana")

    def create(session_name: str, **data: Any) -> Any:
        with unit_of_work():
            return elements.create(db, registry.sdef(session_name), access, data)

    other = create("accounts", code="OTH001", name=OTHER_NAME, email=OTHER_EMAIL)
    lead = create("leads", name=NAME, company="Qwertyńska Consulting", email=EMAIL, phone=PHONE, address=ADDRESS)
    account = create("accounts", code="PRV001", name=NAME, tax_id=TAX_ID, email=EMAIL, phone=PHONE,
                     address=ADDRESS, city="Sevilla")
    with unit_of_work():  # edited later: the audit trail holds old values
        elements.update(db, registry.sdef("accounts"), access, account, {"address": ADDRESS + ", 2º"})
    contact = create("contacts", account_id=account.id, first_name=CONTACT_FIRST, last_name=CONTACT_LAST,
                     email=CONTACT_EMAIL, phone=CONTACT_PHONE, position="Tesorera")
    opportunity = create("opportunities", name=f"Hipoteca {NAME}", account_id=account.id, amount="250000.00")
    with unit_of_work():
        opportunity.lead_id = lead.id
    case = create("cases", account_id=account.id, contact_id=contact.id, subject=f"Reclamación de {NAME}",
                  description=f"{CONTACT_FIRST} llamó desde {CONTACT_PHONE}", type="billing")
    with unit_of_work():
        add_note(db, registry.sdef("accounts"), access, account, f"Prefiere llamadas tarde. {NAME}",
                 (f"dni-{TAX_ID}.txt", f"{NAME};{TAX_ID};{ADDRESS}\n".encode()), 1_000_000)
        add_note(db, registry.sdef("cases"), access, case, f"Carta de {CONTACT_EMAIL}", None, 1_000_000)
    with audit_context(user=users["ana"], action="test"), unit_of_work():
        _plugin_rows(db, registry, users, account, contact, case)
        _core_rows(db, users, account, contact)
    return {"account": account, "contact": contact, "lead": lead, "opportunity": opportunity, "case": case,
            "other": other}


def _plugin_rows(db: Session, registry: Any, users: dict[str, Any], account: Any, contact: Any, case: Any) -> None:
    from crm_loyalty.models import PointsEntry

    from plugins.activities.models import Activity
    from plugins.cases.models import CaseMail
    from plugins.inboxes.models import InboxItem
    from plugins.knowledge.models import Article
    from plugins.telephony.models import Call

    ana = users["ana"]
    mine = {"owner_id": ana.id, "creator_id": ana.id}
    when = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    db.add_all([
        Activity(type="call", subject=f"Llamar a {CONTACT_FIRST}", description=f"{CONTACT_FIRST} {CONTACT_LAST} pide cita",
                 location=ADDRESS, starts_at=when, session_name="cases", element_id=case.id, **mine),
        Activity(type="task", subject=f"Preparar oferta para {NAME}", starts_at=when, **mine),
        Call(call_id="privacy-call-1", number=CONTACT_PHONE, notes=f"Habló {CONTACT_FIRST}", recording_url=RECORDING,
             session_name="contacts", element_id=contact.id, started_at=when, **mine),
        Call(call_id="privacy-call-2", number="00 34 911 77 88 12", notes="Sin contestar", result="missed",
             started_at=when, **mine),
        CaseMail(case_id=case.id, message_id="<privacy-1@privacy-test.example>", direction="in",
                 sender=CONTACT_EMAIL, subject=f"Re: Reclamación de {NAME}"),
        InboxItem(session_name="accounts", element_type=account.element_type, element_id=account.id,
                  user_id=users["bob"].id, sender_id=ana.id, requested_action="review",
                  action_text=f"Revisar {NAME}", note=f"Datos de {CONTACT_EMAIL}"),
        Article(title="Cómo tramitar reclamaciones", body=f"Ejemplo: el caso de {NAME} ({EMAIL}).",
                published=True, **mine),
        PointsEntry(account_id=account.id, points=100, reason=f"Bienvenida {NAME}", **mine),
    ])
    db.flush()
    case.agreed_by = AGREED_BY


def _core_rows(db: Session, users: dict[str, Any], account: Any, contact: Any) -> None:
    enqueue(db, "messaging.email", {"to": CONTACT_EMAIL, "subject": f"Hola {CONTACT_FIRST}", "body": NAME},
            "privacy-test-mail", contact)
    # A partner plugin's topic (none of the bundled plugins claims it): the core erases it.
    enqueue(db, "partner.crm_sync", {"name": NAME, "tax_id": TAX_ID, "email": EMAIL}, "privacy-test-partner")
    csv = f"name;email;phone\n{OTHER_NAME};{OTHER_EMAIL};\n{NAME};{EMAIL};{PHONE}\n"
    job = ImportJob(session_name="accounts", user_id=users["ana"].id, filename="clientes.csv", data=csv.encode(),
                    columns=["name", "email", "phone"], state="done", total=2)
    db.add(job)
    db.flush()
    db.add(ImportLine(job_id=job.id, seq=0, line=3, field="email", reason=f"{EMAIL} is already used"))


def leftovers(db: Session, values: tuple[str, ...] = VALUES) -> list[str]:
    """Every ``table.column`` whose stored value (text, JSON or file) holds one of ``values``."""
    conn = db.connection()
    names = conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table'" if conn.dialect.name == "sqlite"
        else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    ).scalars().all()
    wanted = [v.lower() for v in values] + [json.dumps(v)[1:-1].lower() for v in values]
    found = []
    for table in sorted(names):
        result = conn.execute(text(f'SELECT * FROM "{table}"'))
        columns = list(result.keys())
        for row in result:
            for column, value in zip(columns, row, strict=True):
                seen = _as_text(value).lower()
                hits = [v for v in wanted if v and v in seen]
                if hits:
                    found.append(f"{table}.{column}: {hits[0]!r}")
    return sorted(set(found))


def _as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)
