"""The bulk job service (issue 17 leftovers, CORE-08): each chunk commits with the counters, so a
job stopped half-way keeps the chunks it did and says why it stopped; settings are checked."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from crm_core.config import load_settings
from crm_core.db import unit_of_work
from crm_core.errors import ConfigError
from crm_core.extensions import crm_state
from crm_core.models.bulk_jobs import BulkJob
from crm_core.services import bulk_actions, bulk_jobs, elements
from tests.support import sample
from tests.support.sample import Sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample},
                             settings={"CRM_BULK_JOB_THRESHOLD": 3, "CRM_BULK_CHUNK_RECORDS": 2})


def _samples(db, access, n: int) -> list[int]:
    sdef = crm_state().registry.sdef("samples")
    with unit_of_work():
        return [elements.create(db, sdef, access, {"name": f"Acme {i}"}).id for i in range(n)]


def test_a_job_stopped_half_way_keeps_its_committed_chunks_and_says_why(db, access_for, monkeypatch):
    ana = access_for("ana")
    ids = _samples(db, ana, 5)
    sdef = crm_state().registry.sdef("samples")
    job = bulk_jobs.queue(sdef, ana, "delete", "", ids)
    real_run, calls = bulk_actions.run, []

    def second_chunk_refused(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ValidationError({"value": ["The value is gone."]})
        return real_run(*args, **kwargs)

    monkeypatch.setattr(bulk_actions, "run", second_chunk_refused)
    bulk_jobs.run(job.id)
    db.expire_all()
    job = db.get(BulkJob, job.id)
    assert (job.state, job.processed, job.done, job.refused) == ("failed", 2, 2, 0)
    assert "The value is gone." in job.message and job.finished_at is not None
    assert [db.get(Sample, i) is None for i in ids] == [True, True, False, False, False]


def test_a_finished_job_is_not_run_twice(db, access_for):
    ana = access_for("ana")
    ids = _samples(db, ana, 2)
    job = bulk_jobs.queue(crm_state().registry.sdef("samples"), ana, "delete", "", ids)
    bulk_jobs.run(job.id)
    bulk_jobs.run(job.id)
    db.expire_all()
    assert (db.get(BulkJob, job.id).done, db.get(BulkJob, job.id).processed) == (2, 2)


@pytest.mark.parametrize("key", ["CRM_BULK_JOB_THRESHOLD", "CRM_BULK_CHUNK_RECORDS", "CRM_JOB_STALL_SECONDS"])
@pytest.mark.parametrize("bad", [0, -1, "many", True])
def test_job_settings_must_be_whole_numbers(tmp_path, key, bad):
    with pytest.raises(ConfigError, match=key):
        load_settings(tmp_path, {"CRM_ENV": "development", key: bad})
