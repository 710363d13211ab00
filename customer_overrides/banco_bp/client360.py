"""What Banco BP's Core system adds to a client's 360 view (CAS-04): the client's detailed data,
the products held and the recent account movements — three sources fetched in parallel by the
sales plugin, each within ``[settings.client] source_timeout_seconds`` and cached
``cache_seconds`` per client, so a slow Core system shows placeholders, never a slow page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from crm_core.toolkit import Section, crm_state

from . import core_system

Rows = list[Mapping[str, Any]]


def _fetch(path: str, key: str, conf: core_system.CoreSettings, timeout: float) -> Callable[[], Rows]:
    """A fetch for a worker thread: no app context, only the settings read in the request."""

    def fetch() -> Rows:
        try:
            answer = core_system.request("GET", path, conf=conf, timeout=timeout)
        except core_system.CoreError as exc:  # its own time budget ran out: the section is "slow"
            raise (TimeoutError if exc.timed_out else RuntimeError)(exc.message) from None
        if key:
            items = answer.get(key, [])
            return [dict(item) for item in items if isinstance(item, Mapping)]
        return [{"field": k, "value": v} for k, v in answer.items()]

    return fetch


def sections(account: Any) -> list[Section]:
    if not account.code:
        return []
    state = crm_state()
    conf = core_system.settings()
    timeout = float(state.setting("client", "source_timeout_seconds", 2.0))
    cache = float(state.setting("client", "cache_seconds", 30.0))
    base = core_system.client_path(account.code)

    def section(name: str, label: str, columns: tuple[tuple[str, str], ...], path: str, key: str,
                order: int) -> Section:
        return Section(name, label, columns, fetch=_fetch(path, key, conf, timeout), timeout=timeout,
                       cache_seconds=cache, cache_key=f"banco_bp:{name}:{conf.base_url}:{account.code}", order=order)

    return [
        section("core_client", "Core: client data", (("field", "Field"), ("value", "Value")), base, "", 5),
        section("core_products", "Core: products held",
                (("product", "Product"), ("number", "Number"), ("balance", "Balance"), ("opened", "Opened")),
                base + "/products", "products", 26),
        section("core_movements", "Core: recent movements",
                (("date", "Date"), ("concept", "Concept"), ("amount", "Amount"), ("product", "Product")),
                base + "/movements", "movements", 27),
    ]
