"""Two agents taking the same group item at the same moment on PostgreSQL: exactly one wins,
the other is told, and the element's owner is the winner (EXT-12).

Needs real commits seen by two connections, so it uses its own committed scratch database
instead of the transactional ``db`` fixture, and two API clients in two threads.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from sqlalchemy import select

from crm_core.api.auth import create_token
from crm_core.app import create_app, crm_state
from crm_core.bootstrap import ensure_groups
from crm_core.db import unit_of_work
from crm_core.migrate import upgrade
from crm_core.models.auth import User
from crm_core.security.access import load_access
from crm_core.testing.database import create_pg_database, drop_pg_database
from crm_core.testing.plugin import base_settings
from plugins.inboxes import services
from plugins.inboxes.models import InboxItem
from tests.support import sample

ROUNDS = 20


def _setup(app: Any) -> tuple[dict[str, str], list[int], dict[int, int]]:
    """A sender, two agents of one group with tokens, and ROUNDS items sent to their group."""
    with app.app_context(), unit_of_work() as s:
        groups = ensure_groups(s, crm_state().registry)
        people = {}
        for username, group in (("boss", "Leaders"), ("a1", "Executives"), ("a2", "Executives")):
            people[username] = User(username=username, full_name=username, password_hash="", group_id=groups[group].id)
            s.add(people[username])
        s.flush()
        secrets = {u: create_token(s, people[u], "race")[1] for u in ("a1", "a2")}
        boss = people["boss"]
        access = load_access(s, boss, crm_state().row_filters)
        sdef = crm_state().registry.sdef("samples")
        items, elements = [], {}
        for n in range(ROUNDS):
            element = sample.Sample(name=f"Case {n}", kind="sale", owner_id=boss.id, creator_id=boss.id)
            s.add(element)
            s.flush()
            item = services.send(s, sdef, access, element, f"group:{groups['Executives'].id}", "resolve")
            items.append(item.id)
            elements[item.id] = element.id
    return secrets, items, elements


def test_two_concurrent_takes_one_wins_the_other_is_told_on_postgresql(pg_url):
    name = f"crm_scratch_{uuid.uuid4().hex[:12]}"
    url = create_pg_database(pg_url, name)
    try:
        app = create_app(base_settings(url, CRM_PLUGINS="inboxes,sample"), extra_plugins={"sample": sample})
        upgrade(app)
        sample.Sample.__table__.create(app.extensions["crm_db"].engine)  # a table the tests declare
        secrets, items, elements = _setup(app)
        start = threading.Barrier(2)
        answers: dict[str, list[tuple[int, int, dict]]] = {"a1": [], "a2": []}

        def take_all(username: str) -> None:
            client = app.test_client()
            headers = {"Authorization": f"Bearer {secrets[username]}"}
            for item_id in items:
                start.wait(timeout=30)
                response = client.post(f"/api/v1/inboxes/{item_id}/take", headers=headers)
                answers[username].append((item_id, response.status_code, response.get_json()))

        threads = [threading.Thread(target=take_all, args=(u,)) for u in ("a1", "a2")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        with app.app_context(), unit_of_work() as s:
            ids = {u.username: u.id for u in s.scalars(select(User))}
            for n, item_id in enumerate(items):
                got = {u: answers[u][n] for u in answers}
                codes = sorted(code for _i, code, _b in got.values())
                assert codes == [200, 422], got
                winner = next(u for u, (_i, code, _b) in got.items() if code == 200)
                loser = next(u for u in got if u != winner)
                assert "Someone else took this item first" in got[loser][2]["error"]["message"]
                item = s.get(InboxItem, item_id)
                assert item.user_id == ids[winner]
                assert s.get(sample.Sample, elements[item_id]).owner_id == ids[winner]
        app.extensions["crm_db"].engine.dispose()
    finally:
        drop_pg_database(pg_url, name)
