"""SLA escalation end to end (CAS-02, EXT-12): ``crm serve`` in one process, the real ``crm
worker --once`` in another, on the same committed database; what the job did is read over HTTP as
the users who receive it.

The client's ladder runs on a clock that is open around the clock (every day, 00:00–23:59 UTC),
so moving a case's ``created_at`` back a day puts it past step 1 (one business hour) and five
days back past step 2 (two business days), whatever the day the test runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from crm_core.models.imports import ImportJob
from crm_core.testing.database import scratch_database
from tests.support.served import ServedCrm, prepare_database, served_crm, server_env

CUSTOMER_TOML = """
[plugins]
enabled = ["sales", "cases", "inboxes"]

[settings.cases.calendar]
time_zone = "UTC"
working_days = [1, 2, 3, 4, 5, 6, 7]
working_hours = ["00:00", "23:59"]

[[settings.cases.sla]]
type = "billing"
resolution = "10d"
ladder = [
    { after = "1h", group = "Executives" },
    { after = "2d", user = "leader" },
]
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServedCrm, str]]:
    """The CRM with sales, cases and inboxes and the ladder above, served by ``crm serve``; yields
    the server and the database URL (to move cases back in time, as the calendar would)."""
    tmp = tmp_path_factory.mktemp("escalation")
    customer = tmp / "customers" / "ladder"
    customer.mkdir(parents=True)
    customer.joinpath("customer.toml").write_text(CUSTOMER_TOML)
    with scratch_database(str(tmp)) as url:
        prepare_database(url, plugins=("sales", "cases", "inboxes"))
        env = server_env(url, CRM_OVERRIDES_DIR=str(customer.parent), CRM_CUSTOMER="ladder")
        with served_crm(env, cwd=str(tmp), workers=1) as server:
            yield server, url


def _worker_once(server: ServedCrm) -> None:
    """``crm worker --once``: the due periodic jobs, escalation among them. A failing job is only
    logged by the worker (delivery must go on), so its log is checked too."""
    done = server.crm("worker", "--once")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "jobs run" in done.stdout and "failed" not in done.stderr, done.stdout + done.stderr


def _created(url: str, case_ids: list[int], days_ago: float) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for case_id in case_ids:
                conn.execute(text("UPDATE cases_case SET created_at = :at WHERE id = :id"),
                             {"at": datetime.now(UTC) - timedelta(days=days_ago), "id": case_id})
    finally:
        engine.dispose()


def _items(url: str, case_ids: list[int]) -> list[tuple]:
    """Every inbox item of the cases: (case, group, user, state, closed by, close note), in order."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT element_id, group_id, user_id, state, closed_by_id, close_note FROM inbox_item "
                "WHERE element_type = 'case' ORDER BY id")).all()
            return [tuple(r) for r in rows if r[0] in case_ids]
    finally:
        engine.dispose()


def _scalar(url: str, sql: str) -> object:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def _listed(client: httpx.Client, box: str) -> set[int]:
    page = client.get(f"/api/v1/inboxes/{box}")
    assert page.status_code == 200, page.text
    return {i["element_id"] for i in page.json()["items"] if i["session"] == "cases"}


def test_the_worker_escalates_once_per_step_and_closes_the_step_left_behind(served):
    server, url = served
    ana = server.login("ana")  # an executive: owner of the cases and member of step 1's group
    account = ana.post("/api/v1/accounts", json={"code": "ESC-1", "name": "Hoteles Sol S.A."})
    assert account.status_code == 201, account.text
    cases = []
    for subject in ("Factura duplicada", "Cargo indebido"):
        created = ana.post("/api/v1/cases", json={"account_id": account.json()["id"], "subject": subject,
                                                  "type": "billing"})
        assert created.status_code == 201, created.text
        cases.append(created.json())
    ids = [c["id"] for c in cases]
    executives = _scalar(url, "SELECT id FROM crm_group WHERE name = 'Executives'")
    leader = _scalar(url, "SELECT id FROM crm_user WHERE username = 'leader'")
    ana_id = _scalar(url, "SELECT id FROM crm_user WHERE username = 'ana'")

    # Not due yet: the worker leaves them alone.
    _worker_once(server)
    assert _items(url, ids) == [] and ids[0] not in _listed(ana, "group")

    # Opened a day ago: step 1, the Executives' group inbox.
    _created(url, ids, days_ago=1)
    _worker_once(server)
    assert _listed(ana, "group") >= set(ids)
    history = ana.get(f"/s/cases/{ids[0]}?tab=history")
    assert history.status_code == 200 and "Escalation step" in history.text and "Executives" in history.text
    detail = ana.get(f"/api/v1/cases/{ids[0]}").json()
    assert detail["escalation_step"] == 1

    # Run again: nothing escalates twice.
    _worker_once(server)
    assert _items(url, ids) == [(i, executives, None, "open", None, "") for i in ids]
    assert _scalar(url, "SELECT count(*) FROM cases_escalation") == 2

    # Five days old: step 2, the leader's own inbox; step 1's items are closed by the job.
    _created(url, ids, days_ago=5)
    _worker_once(server)
    assert not _listed(ana, "group") & set(ids)
    boss = server.login("leader")
    assert _listed(boss, "mine") >= set(ids)
    assert _items(url, ids) == [
        *((i, executives, None, "done", None, "Escalated to step 2") for i in ids),
        *((i, None, leader, "open", None, "") for i in ids),
    ]
    assert ana.get(f"/api/v1/cases/{ids[0]}").json()["escalation_step"] == 2
    _worker_once(server)
    assert _scalar(url, "SELECT count(*) FROM cases_escalation") == 4

    # The owner resolves one case: its item leaves the leader's inbox, closed by her.
    for name, data in (("open", {}), ("resolve", {"resolution": "Abono emitido"})):
        moved = ana.post(f"/api/v1/cases/{ids[0]}/actions/{name}", json=data)
        assert moved.status_code == 200, (name, moved.text)
    assert _listed(boss, "mine") & set(ids) == {ids[1]}
    assert _items(url, [ids[0]])[-1] == (ids[0], None, leader, "done", ana_id, "Case resolved")



def test_the_worker_deletes_old_notifications_and_the_bell_counts_what_is_left(served):
    """The core's periodic job ``core.notifications`` under ``crm worker --once`` (a process of
    its own): a notification read 100 days ago is deleted, an unread recent one stays on the bell."""
    server, url = served
    bob = server.login("bob")
    bob_id = _scalar(url, "SELECT id FROM crm_user WHERE username = 'bob'")
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM crm_notification WHERE user_id = :u"), {"u": bob_id})
            for label, written, read in (("old-read", 120, 100), ("new-unread", 1, None)):
                conn.execute(text("INSERT INTO crm_notification (user_id, kind, text, created_at, read_at) "
                                  "VALUES (:u, 'x', :t, :c, :r)"),
                             {"u": bob_id, "t": label, "c": now - timedelta(days=written),
                              "r": None if read is None else now - timedelta(days=read)})
    finally:
        engine.dispose()
    _worker_once(server)
    left = _scalar(url, f"SELECT string_agg(text, ',') FROM crm_notification WHERE user_id = {int(bob_id)}") \
        if url.startswith("postgresql") else \
        _scalar(url, f"SELECT group_concat(text, ',') FROM crm_notification WHERE user_id = {int(bob_id)}")
    assert left == "new-unread"
    count = bob.get("/notifications/count")
    assert count.status_code == 200 and count.json()["unread"] == 1


def test_the_worker_marks_an_import_whose_process_stopped_as_interrupted(served):
    """``core.stalled_jobs`` under ``crm worker --once``: an import left "running" by a process
    that stopped 20 minutes ago reads as failed, with the reason, over the API and the screen."""
    server, url = served
    ana = server.login("ana")
    ana_id = _scalar(url, "SELECT id FROM crm_user WHERE username = 'ana'")
    engine = create_engine(url)
    try:  # through the model, so the row follows the table's migrations and defaults
        with Session(engine) as db, db.begin():
            past = datetime.now(UTC) - timedelta(minutes=20)
            job = ImportJob(session_name="leads", user_id=ana_id, filename="gone.csv", columns=["name"],
                            state="running", total=10, processed=5, created_at=past, beat_at=past)
            db.add(job)
            db.flush()
            job_id = job.id
    finally:
        engine.dispose()
    before = ana.get(f"/api/v1/leads/imports/{job_id}")
    assert before.status_code == 200 and before.json()["state"] == "running", before.text
    _worker_once(server)
    after = ana.get(f"/api/v1/leads/imports/{job_id}")
    assert after.json()["state"] == "failed" and "interrupted" in after.json()["message"], after.text
    page = ana.get(f"/s/leads/import/{job_id}/job")
    assert page.status_code == 200 and "Nothing was written" in page.text
