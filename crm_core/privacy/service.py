"""The privacy erase (CORE-21): preview and erase one client's personal data across every plugin.

The screen, the API and ``crm privacy erase`` all come here. Who may: a user whose group has the
``privacy`` permission (``view`` to preview, ``modify`` to erase; the client grants it to its
leaders on the Permissions screen) and who may see the client. What happens, in one transaction:

1. ``crm_personal_data_find`` is asked until the plan stops growing (records and values);
2. ``crm_personal_data_erase`` erases what each plugin found (the core's notes, outbox messages
   and import files are a hookimpl like the others: :mod:`crm_core.privacy.hooks`);
3. the audit trail of the plan's records is redacted — the erased fields' old and new values and
   any personal value in free text — and the same for any other audit row naming the client;
4. an :class:`~crm_core.models.privacy.Erasure` row records who, when, which client, and the
   counts per plugin: never a value.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session as DbSession

from crm_core.declarations import SessionDef
from crm_core.errors import BusinessRuleError, NotFound
from crm_core.extensions import crm_state
from crm_core.models.audit import AuditEntry
from crm_core.models.privacy import Erasure
from crm_core.privacy.plan import ErasurePlan, erased
from crm_core.security.access import Access, get_element, scoped, session_label
from crm_core.services.audit import audit_context

#: The permission (a session without records, granted per group): view previews, modify erases.
SESSION = "privacy"
#: The role a session's records must have to be erased as a client.
CLIENT_ROLE = "account"
#: Enough for any chain of records (account → case → task → note); a plan still growing after
#: it is a plugin answering differently each time, a bug worth an error.
MAX_ROUNDS = 8
#: The action the erasure's changes are recorded under in the audit trail.
ACTION = "erase"


def client_sessions() -> list[SessionDef]:
    """Sessions whose records are clients (role ``account``) and that the customer shows."""
    registry = crm_state().registry
    return [
        sdef for name, sdef in sorted(registry.sessions.items())
        if sdef.model is not None and CLIENT_ROLE in sdef.roles and registry.is_available(name)
    ]


def client_sdef(access: Access, session_name: str, action: str) -> SessionDef:
    """The session of the clients to preview (``action="view"``) or erase (``"modify"``): a
    session hidden or unknown is not found (for everyone, as on every path), then the privacy
    permission is required, then the session must hold clients."""
    registry = crm_state().registry
    sdef = registry.sessions.get(session_name)
    if sdef is None or sdef.model is None or not registry.is_available(session_name):
        raise NotFound(_("No such session."))
    access.require(SESSION, action)
    if CLIENT_ROLE not in sdef.roles:
        raise BusinessRuleError(
            _("%(session)s holds no clients: only a client's personal data can be erased.", session=session_label(sdef))
        )
    return sdef


def load_client(
    db: DbSession, access: Access, session_name: str, element_id: Any, action: str
) -> tuple[SessionDef, Any]:
    """The client to preview or erase, through the one access layer: :func:`client_sdef`, then
    the session's ownership rules for the record."""
    sdef = client_sdef(access, session_name, action)
    return sdef, get_element(db, sdef, access, element_id, "view")


def find(db: DbSession, sdef: SessionDef, client: Any) -> ErasurePlan:
    """Ask the plugins what they hold until nothing new turns up (at least twice, so every answer
    was given knowing every other plugin's first one)."""
    hook = crm_state().pm.hook.crm_personal_data_find
    plan = ErasurePlan(sdef, client)
    for round_number in range(MAX_ROUNDS):
        found = tuple(sorted((f for f in hook(plan=plan, db=db) if f is not None), key=lambda f: f.plugin))
        grown = ErasurePlan(sdef, client, found)
        if round_number and (grown.elements, grown.values) == (plan.elements, plan.values):
            return grown
        plan = grown
    raise RuntimeError(f"the privacy erase plan of {sdef.name} #{client.id} still grows after {MAX_ROUNDS} rounds")


def preview(db: DbSession, access: Access, session_name: str, element_id: Any) -> ErasurePlan:
    """What an erase would do, counted per plugin; changes nothing."""
    sdef, client = load_client(db, access, session_name, element_id, "view")
    return find(db, sdef, client)


def erase(db: DbSession, access: Access, session_name: str, element_id: Any) -> Erasure:
    """Erase the client's personal data everywhere, in the caller's transaction (irreversible
    once committed). Returns the log row."""
    sdef, client = load_client(db, access, session_name, element_id, "modify")
    with audit_context(action=ACTION, user=access.user):
        plan = find(db, sdef, client)
        crm_state().pm.hook.crm_personal_data_erase(plan=plan, db=db)
        db.flush()
    redact_audit(db, plan)
    log = Erasure(
        user_id=access.user.id, session_name=sdef.name, element_type=client.__element_type__, element_id=client.id,
        counts={f.plugin: {item.key: item.number for item in f.items} for f in plan.found if f.items},
    )
    db.add(log)
    db.flush()
    return log


def redact_audit(db: DbSession, plan: ErasurePlan) -> int:
    """Redact the audit trail: on the plan's records the erased fields' values, everywhere any
    personal value in a recorded text. Written with ``UPDATE`` (audit rows are not audited)."""
    table = AuditEntry.__table__
    stmt = select(table.c.id, table.c.element_type, table.c.object_type, table.c.changes, table.c.element_id).where(
        or_(plan.targets(table.c.element_type, table.c.element_id), plan.mentions(table.c.changes, json_column=True))
    )
    ours = plan.elements
    changed = 0
    for row_id, element_type, object_type, changes, element_id in db.execute(stmt).all():
        own = (element_type, element_id) in ours
        fields = plan.fields.get(object_type or element_type, frozenset()) if own else ()
        redacted = {
            name: (_erase_pair(value) if name in fields else plan.redact_json(value, own))
            for name, value in (changes or {}).items()
        }
        if redacted != changes:
            db.execute(update(table).where(table.c.id == row_id).values(changes=redacted))
            changed += 1
    # Later flushes of this transaction must not merge into the rows as they were before.
    db.info.pop("crm_audit_rows", None)
    return changed


def _erase_pair(value: Any) -> Any:
    if isinstance(value, list):
        return [erased(v) for v in value]
    return erased(value) if not isinstance(value, str) or value != "changed" else value


def erasures(db: DbSession, page: int, per_page: int) -> tuple[list[Erasure], bool]:
    """The log, newest first, one page (and whether there is a next one)."""
    stmt = select(Erasure).order_by(Erasure.id.desc()).limit(per_page + 1).offset((page - 1) * per_page)
    rows = list(db.scalars(stmt))
    return rows[:per_page], len(rows) > per_page


def client_id(db: DbSession, access: Access, sdef: SessionDef, typed: str) -> int:
    """The id of the client a user typed: its code when the records have one, else its number;
    only among the records the user may see (the one ownership rule)."""
    typed = typed.strip()
    model = sdef.model
    if typed and hasattr(model, "code"):
        found = db.scalar(scoped(sdef, access, all_records=True, stmt=select(model.id)).where(model.code == typed))
        if found is not None:
            return found
    try:
        return get_element(db, sdef, access, typed, "view").id
    except NotFound:
        raise NotFound(_("No client %(client)s in %(session)s.", client=typed, session=session_label(sdef))) from None
