"""An import's memory follows a chunk, not the file (CORE-11, NF-01, issue 13 target 2): the
job reads its stored file as a stream from a temporary copy, loads the duplicate index per
chunk, keeps the lines of earlier chunks on disk and the written lines as runs. Measured with
``tracemalloc`` (Python's allocations, deterministic; no timing): the peak of a job of 6,000
lines may not exceed the peak of a job of 1,000 lines by more than a small margin, while keeping
the file or a key per line would add several MB."""

from __future__ import annotations

import gc
import tracemalloc

import pytest
from sqlalchemy import func, select

from crm_core.importing import jobs, reader, report
from crm_core.models.imports import ImportJob
from tests.support import sample
from tests.support.sample import Sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample}, settings={"CRM_IMPORT_CHUNK_ROWS": 250})

#: a column the mapping ignores, so the file is large next to what a chunk holds.
PADDING = "x" * 200


def _queued(db, user, tag: str, lines: int, mode: str) -> int:  # type: ignore[no-untyped-def]
    data = ("Name;Email;Notes\n" + "".join(
        f"Imported {i};{tag}{i}@memory.test;{PADDING}\n" for i in range(lines))).encode()
    job = ImportJob(session_name="samples", user_id=user.id, filename="m.csv", data=data, encoding="utf-8",
                    separator=";", header=True, columns=["name", "email", ""], mode=mode, on_duplicate="skip",
                    state="queued")
    db.add(job)
    db.commit()
    job_id = job.id
    db.expunge(job)  # the test's own copy of the file is not the job's
    return job_id


def _peak_of(db, user, tag: str, lines: int, mode: str) -> int:  # type: ignore[no-untyped-def]
    """Bytes allocated at the job's peak above what was held when it started."""
    job_id = _queued(db, user, tag, lines, mode)
    gc.collect()  # the garbage of earlier tests is not the job's
    tracemalloc.reset_peak()
    held = tracemalloc.get_traced_memory()[0]
    jobs.run(job_id)
    peak = tracemalloc.get_traced_memory()[1] - held
    job = db.get(ImportJob, job_id)
    assert (job.state, job.created, job.failed) == ("done", lines, 0), job.message
    assert job.written == [[2, lines + 1]]
    return peak


@pytest.mark.parametrize("mode", ["all", "valid"])
def test_an_import_holds_no_more_for_a_file_six_times_as_long(db, users, mode, monkeypatch):
    # The file is read in pieces of a fixed size (MB in production): smaller than these files here.
    monkeypatch.setattr(jobs, "SPOOL_PIECE", 64 << 10)
    monkeypatch.setattr(reader, "STREAM_PIECE", 64 << 10)
    before = db.scalar(select(func.count()).select_from(Sample))
    tracemalloc.start()
    try:
        _peak_of(db, users["ana"], "warm", 300, mode)  # caches (statements, translations) filled
        small = _peak_of(db, users["ana"], "small", 1_000, mode)
        large = _peak_of(db, users["ana"], "large", 6_000, mode)
    finally:
        tracemalloc.stop()
    assert db.scalar(select(func.count()).select_from(Sample)) == before + 7_300
    # Holding the file (5,000 more lines of ~240 bytes, encoded and decoded) would add ~2.4 MB,
    # a key per line ~1 MB more; a chunk's own work is the same for both files.
    assert large - small < 400_000, (small, large)


def test_a_valid_lines_job_writes_its_report_once_not_at_every_chunk(db, users, monkeypatch):
    """Rewriting the whole report after every chunk grew with the square of a file's bad lines
    (a 1M-line file of duplicates): the chunks store counters and written lines, the report is
    stored when the job finishes — and then holds every bad line."""
    data = ("Name;Email;Notes\n" + "".join(
        f"{'' if i % 2 else f'Imported {i}'};bad{i}@memory.test;x\n" for i in range(1_000))).encode()
    job = ImportJob(session_name="samples", user_id=users["ana"].id, filename="m.csv", data=data, encoding="utf-8",
                    separator=";", header=True, columns=["name", "email", ""], mode="valid", on_duplicate="skip",
                    state="queued")
    db.add(job)
    db.commit()
    stored: list[bool] = []
    real_store = jobs._store

    def recorded(job_, result, report=True):  # type: ignore[no-untyped-def]
        stored.append(report)
        real_store(job_, result, report)

    monkeypatch.setattr(jobs, "_store", recorded)
    jobs.run(job.id)
    db.expire_all()
    done = db.get(ImportJob, job.id)
    assert stored == [False, False, False, False, True]  # four chunks of 250, then the finish
    assert (done.created, done.failed, report.count(db, job.id)) == (500, 500, 500)
