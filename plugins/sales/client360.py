"""The client 360 view (CAS-04): one page per client assembled from every enabled plugin's
sections (``crm_client_360_sections``) — the client's data, contacts, open opportunities,
products acquired (won opportunities), and what other plugins and outside systems add.

External sections (``Section.fetch``) run in parallel on a small thread pool; each is waited
for only its own ``timeout`` — then it shows as "not available right now" while the rest
renders — and a section with ``cache_seconds`` keeps its rows that long in this process (a fetch
that finishes after its timeout still fills the cache for the next view). The view's time is
therefore bounded by the slowest timeout, not by the sum of the sources.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, Section, crm_state, scoped
from plugins.sales import services
from plugins.sales.models import Account, Contact, Opportunity

LIMIT = 50
#: Worker threads for external fetches, shared by the process's requests.
POOL_SIZE = 16

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_cache: dict[str, tuple[float, list[Mapping[str, Any]]]] = {}
_cache_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=POOL_SIZE, thread_name_prefix="client360")
        return _pool


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def related_ids(db: DbSession, account: Account, access: Access) -> dict[str, list[int]]:
    """The client's own records the viewer may see, by session name."""
    related: dict[str, list[int]] = {"accounts": [account.id]}
    for name, model in (("contacts", Contact), ("opportunities", Opportunity)):
        sdef = services.sdef_for(account.kind, name)
        stmt = scoped(sdef, access, all_records=True).where(model.account_id == account.id).with_only_columns(model.id)
        related[sdef.name] = list(db.scalars(stmt))
    return related


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, datetime):
        return format_datetime(value, "short")
    if isinstance(value, date):
        return format_date(value)
    return "" if value is None else value


def own_sections(account: Account, access: Access, db: DbSession) -> list[Section]:
    """What sales knows: the client's data, open opportunities, products acquired, contacts."""
    data = (("code", _("Code")), ("name", _("Name")), ("tax_id", _("Tax id")), ("email", _("Email")),
            ("phone", _("Phone")), ("address", _("Address")), ("city", _("City")), ("country", _("Country")))
    client = Section("client", _("Client"), (("field", _("Field")), ("value", _("Value"))),
                     tuple({"field": label, "value": getattr(account, key) or ""} for key, label in data), order=0)
    opps_sdef = services.sdef_for(account.kind, "opportunities")
    stmt = scoped(opps_sdef, access, all_records=True).where(Opportunity.account_id == account.id)
    opps = list(db.scalars(stmt.order_by(Opportunity.id.desc()).limit(LIMIT * 2)))
    open_rows = tuple({"name": o.name, "stage": services.stage_label(o.stage), "amount": o.amount,
                       "expected_close": o.expected_close} for o in opps if o.status == "active")
    won_rows = tuple({"name": o.name, "amount": o.amount, "close_date": o.close_date}
                     for o in opps if o.status == "won")
    contacts_sdef = services.sdef_for(account.kind, "contacts")
    stmt = scoped(contacts_sdef, access, all_records=True).where(Contact.account_id == account.id)
    contacts = tuple({"name": f"{c.first_name} {c.last_name}".strip(), "position": c.position, "email": c.email,
                      "phone": c.phone} for c in db.scalars(stmt.order_by(Contact.id).limit(LIMIT)))
    return [
        client,
        Section("opportunities", _("Open opportunities"), (("name", _("Name")), ("stage", _("Stage")),
                ("amount", _("Amount")), ("expected_close", _("Expected close date"))), open_rows[:LIMIT], order=20),
        Section("products", _("Products acquired"), (("name", _("Name")), ("amount", _("Amount")),
                ("close_date", _("Close date"))), won_rows[:LIMIT], order=25),
        Section("contacts", _("Contacts"), (("name", _("Name")), ("position", _("Position")), ("email", _("Email")),
                ("phone", _("Phone"))), contacts, order=30),
    ]


def _cached(section: Section) -> list[Mapping[str, Any]] | None:
    if section.cache_seconds <= 0:
        return None
    with _cache_lock:
        hit = _cache.get(section.cache_key or section.name)
    return hit[1] if hit and hit[0] > time.monotonic() else None


def _keep(section: Section) -> Any:
    def done(future: Future[Any]) -> None:
        if section.cache_seconds > 0 and not future.cancelled() and future.exception() is None:
            with _cache_lock:
                _cache[section.cache_key or section.name] = (time.monotonic() + section.cache_seconds,
                                                              list(future.result()))

    return done


def _gather(sections: list[Section]) -> dict[str, tuple[str, list[Mapping[str, Any]], str]]:
    """``{name: (state, rows, message)}`` of the external sections, fetched in parallel."""
    started = time.monotonic()
    results: dict[str, tuple[str, list[Mapping[str, Any]], str]] = {}
    futures: dict[str, tuple[Section, Future[Any]]] = {}
    for section in sections:
        rows = _cached(section)
        if rows is not None:
            results[section.name] = ("ok", rows, "")
            continue
        future = _executor().submit(section.fetch)  # type: ignore[arg-type]
        future.add_done_callback(_keep(section))
        futures[section.name] = (section, future)
    for name, (section, future) in futures.items():
        try:
            rows = list(future.result(timeout=max(0.0, started + section.timeout - time.monotonic())))
            results[name] = ("ok", rows, "")
        except FutureTimeout:  # also a fetch's own TimeoutError (the same class since Python 3.11)
            results[name] = ("slow", [], _("Not available right now: the source did not answer in %(s)s s.",
                                              s=f"{section.timeout:g}"))
        except Exception as exc:  # noqa: BLE001 - a failing source is a placeholder, never a failed page
            results[name] = ("failed", [], _("Not available right now: %(e)s", e=str(exc) or type(exc).__name__))
    return results


def view(account: Account, access: Access, db: DbSession) -> list[dict[str, Any]]:
    """The 360 view's sections in order, each ``{name, label, columns, rows, state, message}``
    with display-ready values; ``state`` is ``ok``, ``slow`` or ``failed``."""
    related = related_ids(db, account, access)
    declared: list[Section] = own_sections(account, access, db)
    for part in crm_state().pm.hook.crm_client_360_sections(account=account, related=related, access=access, db=db):
        declared.extend(part or [])
    declared.sort(key=lambda s: (s.order, s.name))
    fetched = _gather([s for s in declared if s.fetch is not None])
    out = []
    for s in declared:
        state, rows, message = fetched.get(s.name, ("ok", list(s.rows), ""))
        out.append({
            "name": s.name, "label": str(s.label), "columns": [(k, str(label)) for k, label in s.columns],
            "rows": [{k: _value(r.get(k)) for k, _label in s.columns} for r in rows[:LIMIT]],
            "state": state, "message": message, "external": s.fetch is not None,
        })
    return out

