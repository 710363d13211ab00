"""Banco BP's nightly feed of consenting clients to its external marketing system (seed 000,
EXT-21), through the outbox: never lost when the marketing system is down, never sent twice.

``crm worker`` runs the job every ``feed_check_seconds`` (an hour); from ``feed_hour`` (bank's
time, 02:00) on, the night's feed is queued once — the active clients with
``marketing_consent``, in parts of ``PART`` clients, each an outbox message whose key names the
date and the part (``bp-marketing:2026-12-01:3``), so a second run, a second worker or a crash
and rerun queues nothing twice. Delivery posts each part to ``[settings.client] marketing_url``
with the key as ``Idempotency-Key``; a failure is retried by the outbox with back-off.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from crm_core.toolkit import crm_state, enqueue, enqueued, unit_of_work, utcnow

TOPIC = "banco_bp.marketing_feed"
PART = 1000
ZONE = ZoneInfo("America/Guayaquil")


def _key(day: str, part: int) -> str:
    return f"bp-marketing:{day}:{part}"


def run(now: datetime | None = None) -> int:
    """Queue tonight's feed if it is time and not queued yet; returns the parts queued."""
    state = crm_state()
    local = (now or utcnow()).astimezone(ZONE)
    if local.hour < int(state.setting("client", "feed_hour", 2)):
        return 0
    day = local.date().isoformat()
    account = state.registry.sdef("accounts").model
    with unit_of_work() as db:
        if enqueued(db, _key(day, 1)):
            return 0
        stmt = (select(account.code, account.name, account.email, account.city)
                .where(account.kind == "sale", account.status == "active", account.marketing_consent.is_(True))
                .order_by(account.id))
        clients = [{"code": c, "name": n, "email": e, "city": city} for c, n, e, city in db.execute(stmt)]
        parts = [clients[i:i + PART] for i in range(0, len(clients), PART)] or [[]]
        for number, part in enumerate(parts, start=1):
            enqueue(db, TOPIC, {"date": day, "part": number, "parts": len(parts), "clients": part}, _key(day, number))
    return len(parts)


def deliver(payload: Mapping[str, Any], idempotency_key: str) -> None:
    """Post one part to the marketing system; raising makes the outbox retry it."""
    url = str(crm_state().setting("client", "marketing_url", "")).rstrip("/")
    if not url:
        raise RuntimeError("[settings.client] marketing_url is not set")
    body = json.dumps(dict(payload)).encode("utf-8")
    request = urllib.request.Request(url + "/clients", data=body, method="POST", headers={
        "Content-Type": "application/json", "Idempotency-Key": idempotency_key})
    timeout = float(crm_state().setting("client", "timeout_seconds", 5.0))
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read()
