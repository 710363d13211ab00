"""Import and bulk jobs whose process stopped are marked interrupted by ``crm worker``'s
``core.stalled_jobs`` (issue 17, CORE-08, CORE-11): a job records a heartbeat when it starts and
after each chunk; one without progress for ``CRM_JOB_STALL_SECONDS`` is failed with a message in
its user's language saying what stays; live, finished and draft jobs are left alone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_core.db import unit_of_work
from crm_core.extensions import crm_state
from crm_core.models.bulk_jobs import BulkJob
from crm_core.models.imports import ImportJob
from crm_core.models.types import utcnow
from crm_core.outbox import Worker
from crm_core.services import bulk_jobs, elements, stalled_jobs
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample},
                             settings={"CRM_BULK_JOB_THRESHOLD": 3, "CRM_BULK_CHUNK_RECORDS": 2})


def _import(db, user, state: str, mode: str = "all", beat_minutes: float | None = None,
            created_minutes: float = 60) -> int:  # type: ignore[no-untyped-def]
    now = utcnow()
    job = ImportJob(session_name="samples", user_id=user.id, filename="x.csv", data=b"name\nx\n", columns=["name"],
                    mode=mode, state=state, created_at=now - timedelta(minutes=created_minutes),
                    beat_at=None if beat_minutes is None else now - timedelta(minutes=beat_minutes))
    db.add(job)
    db.commit()
    return job.id


def test_jobs_without_progress_are_marked_interrupted_and_others_left_alone(db, users):
    ana, bob = users["ana"], users["bob"]
    bob.language = "es"
    db.commit()
    stalled_all = _import(db, ana, "running", "all", beat_minutes=20)
    stalled_valid = _import(db, bob, "running", "valid", beat_minutes=16)
    never_started = _import(db, ana, "queued", created_minutes=30)
    alive = _import(db, ana, "running", beat_minutes=2)
    just_queued = _import(db, ana, "queued", created_minutes=1)
    draft = _import(db, ana, "draft", created_minutes=600)
    done = _import(db, ana, "done", beat_minutes=600)
    bulk = BulkJob(session_name="samples", user_id=ana.id, action="delete", ids=[1, 2], total=2, state="running",
                   beat_at=utcnow() - timedelta(minutes=40), refusals=[])
    db.add(bulk)
    db.commit()
    assert stalled_jobs.mark_stalled() == 4
    db.expire_all()
    states = {i: db.get(ImportJob, i).state for i in (stalled_all, stalled_valid, never_started, alive, just_queued,
                                                       draft, done)}
    assert states == {stalled_all: "failed", stalled_valid: "failed", never_started: "failed", alive: "running",
                      just_queued: "queued", draft: "draft", done: "done"}
    assert "Nothing was written" in db.get(ImportJob, stalled_all).message
    assert "no progress for 15 minutes" in db.get(ImportJob, stalled_all).message
    assert "quedan" in db.get(ImportJob, stalled_valid).message  # bob reads Spanish
    assert db.get(ImportJob, stalled_all).data is None and db.get(ImportJob, stalled_all).finished_at is not None
    job = db.get(BulkJob, bulk.id)
    assert job.state == "failed" and "counted as done stay done" in job.message and job.ids == []
    assert stalled_jobs.mark_stalled() == 0  # nothing twice


def test_a_job_beats_when_it_starts_and_after_each_chunk(db, access_for, monkeypatch):
    ana = access_for("ana")
    sdef = crm_state().registry.sdef("samples")
    with unit_of_work():
        ids = [elements.create(db, sdef, ana, {"name": f"Acme {i}"}).id for i in range(5)]
    job = bulk_jobs.queue(sdef, ana, "delete", "", ids)
    beats = []
    real_chunk = bulk_jobs._run_chunk

    def seen(db_, sdef_, access_, job_, part):  # type: ignore[no-untyped-def]
        beats.append(job_.beat_at)
        real_chunk(db_, sdef_, access_, job_, part)

    monkeypatch.setattr(bulk_jobs, "_run_chunk", seen)
    bulk_jobs.run(job.id)
    db.expire_all()
    finished = db.get(BulkJob, job.id)
    assert beats[0] is not None and len(beats) == 3  # started, then a beat per chunk
    assert finished.state == "done" and finished.beat_at >= beats[-1]


def test_the_worker_runs_it_every_five_minutes(crm_app, db, users):
    stalled = _import(db, users["ana"], "running", beat_minutes=30)
    assert Worker(crm_app).run_jobs() >= 1
    db.expire_all()
    assert db.get(ImportJob, stalled).state == "failed"
    jobs = {job.name: job for part in crm_state(crm_app).pm.hook.crm_register_periodic_jobs() for job in part}
    assert jobs["core.stalled_jobs"].every_seconds == 300
