"""Client 360 (CAS-04) with Banco BP's Core system answering each request in 100 ms:

    .venv/bin/python -m bench.client360_bench [--repeat 60]

Serves ``GET /api/v1/client360/<id>`` through the Flask test client (the whole view: the CRM's
sections from every plugin plus the Core system's three sources), the Core system being the
loopback double of the tests with a 100 ms answer delay. Measured in the same run: the
machine's own floor — one source asked directly (≈ 100 ms) — so the figure is also printed as
a ratio to it. Scenarios: every source answering, cache off (target p95 ≤ 300 ms, i.e. the
three sources in parallel, not in series); one source hanging with the bank's 2 s per-source
timeout (target p95 ≤ 5 s, the bank's limit); and the warm cache. Prints median and p95 in ms.
A scratch SQLite file by default (PostgreSQL when ``CRM_TEST_DATABASE_URL`` names a server),
dropped afterwards.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from flask_login import FlaskLoginClient

from crm_core.app import create_app
from crm_core.bootstrap import ensure_groups
from crm_core.db import unit_of_work
from crm_core.migrate import upgrade
from crm_core.models.auth import User
from crm_core.security.access import load_access
from crm_core.services.elements import create
from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import base_settings
from plugins.sales import client360
from tests.customer_overrides.banco_bp.core_double import running

LATENCY = 0.1


def _times(call: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def _report(name: str, ms: list[float], floor: float, target: float) -> None:
    p95 = statistics.quantiles(ms, n=20)[-1] if len(ms) >= 2 else ms[0]
    verdict = "OK" if p95 <= target else "MISSED"
    print(f"{name:<34} median {statistics.median(ms):8.1f} ms  p95 {p95:8.1f} ms  "
          f"p95/floor {p95 / floor:5.2f}  target p95 <= {target:.0f} ms  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running() as core, scratch_database(tmp) as url:
        app = create_app(base_settings(url, CRM_CUSTOMER="banco_bp"))
        app.test_client_class = FlaskLoginClient
        upgrade(app)
        state = app.extensions["crm"]
        state.settings["client"].update(core_url=core.url, source_timeout_seconds=2.0, cache_seconds=0.0)
        with app.app_context(), unit_of_work() as db:
            groups = ensure_groups(db, state.registry)
            user = User(username="bench360", full_name="Bench", password_hash="x",
                        group_id=groups["Executives"].id)
            db.add(user)
            db.flush()
            access = load_access(db, user, state.row_filters)
            account = create(db, state.registry.sdef("accounts"), access, {"code": "0912345678", "name": "Bench"})
            for n in range(20):
                create(db, state.registry.sdef("opportunities"), access,
                       {"account_id": account.id, "name": f"Oportunidad {n}", "amount": "1000.00"})
                create(db, state.registry.sdef("cases"), access,
                       {"account_id": account.id, "subject": f"Caso {n}", "type": "claim"})
            account_id = account.id
        client = app.test_client(user=user)
        core.delay = LATENCY
        floor = statistics.median(_times(lambda: urllib.request.urlopen(core.url + "/clients/1").read(), 10))
        path = f"/api/v1/client360/{account_id}"

        def get() -> None:
            response = client.get(path)
            assert response.status_code == 200, response.get_data(as_text=True)

        print(f"floor: one Core source asked directly, median {floor:.1f} ms ({LATENCY * 1000:.0f} ms delay)")
        get()  # warm the app (templates, catalogs)
        _report("all sources answer, no cache", _times(get, args.repeat), floor, 300)
        core.hang_paths = ("/movements",)
        _report("one source hangs (2 s timeout)", _times(get, max(5, args.repeat // 6)), floor, 5000)
        core.hang_paths = ()
        state.settings["client"]["cache_seconds"] = 30.0
        client360.clear_cache()
        get()
        _report("warm cache", _times(get, args.repeat), floor, 300)
        client360.clear_cache()


if __name__ == "__main__":
    main()
