"""An import's per-line report is flat in memory and stored one row per line (CORE-11, NF-01,
issue 13 target 2): the engine spools it while it runs, the job copies it into
``crm_import_line`` when it finishes, the screen and the API show its first lines and how many
there are, the CSV downloads page through all of them."""

from __future__ import annotations

import csv
import gc
import io
import tracemalloc

import pytest

from crm_core.api import imports as api_imports
from crm_core.importing import jobs, reader, report
from crm_core.models.imports import ERROR, SKIP, ImportJob, ImportLine
from crm_core.screens import importer
from tests.core.importing.test_engine import _existing
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample}, settings={"CRM_IMPORT_CHUNK_ROWS": 3})

#: lines 2-9 of a file: good, two fields at fault, duplicate of line 2, wrong width, control
#: character, good, duplicate of an existing record, wrong amount — across chunks of 3 lines.
MIXED = (
    "Name;Email;Amount\n"
    "Uno;uno@x.test;1\n"
    ";not-an-email;2\n"
    "Uno again;UNO@x.test;3\n"
    "Short;short@x.test\n"
    "Bell \x07;bell@x.test;4\n"
    "Seis;seis@x.test;6\n"
    "Old one;old@x.test;7\n"
    "Ocho;ocho@x.test;abc\n"
)


def _queue(db, user, text: str, mode: str = "valid") -> int:  # type: ignore[no-untyped-def]
    job = ImportJob(session_name="samples", user_id=user.id, filename="r.csv", data=text.encode(), encoding="utf-8",
                    separator=";", header=True, columns=["name", "email", "amount"], mode=mode, on_duplicate="skip",
                    state="queued")
    db.add(job)
    db.commit()
    job_id = job.id
    db.expunge(job)
    return job_id


def _stored(db, job_id: int) -> list[tuple[int, str, str, str | None]]:  # type: ignore[no-untyped-def]
    rows = db.query(ImportLine).filter_by(job_id=job_id).order_by(ImportLine.seq)
    return [(r.line, r.field, r.reason, r.kind) for r in rows]


@pytest.mark.parametrize("mode", ["all", "valid"])
def test_the_stored_report_has_every_line_sorted_by_line_field_and_reason(db, sdef, users, access_for, mode):
    _existing(db, sdef, access_for("ana"), name="Old", email="old@x.test")
    job_id = _queue(db, users["ana"], MIXED, mode)
    jobs.run(job_id)
    db.expire_all()
    job = db.get(ImportJob, job_id)
    stored = _stored(db, job_id)
    assert [(line, name, kind) for line, name, _r, kind in stored] == [
        (3, "email", ERROR), (3, "name", ERROR), (4, "email", SKIP), (5, "", ERROR), (6, "name", ERROR),
        (8, "email", SKIP), (9, "amount", ERROR),
    ]
    assert stored[2][2] == "Skipped: duplicate of line 2 (same Email)."
    assert "3 values; the file has 3 columns" not in stored[3][2] and "2 values" in stored[3][2]
    assert (job.failed, job.skipped, job.created) == (4, 2, 0 if mode == "all" else 2)


def _peak(db, user, lines: int) -> int:  # type: ignore[no-untyped-def]
    """tracemalloc's peak of a job whose every line is refused, above what was held before."""
    text = "Name;Email;Amount\n" + "".join(f"Only {i} value\n" for i in range(lines))
    job_id = _queue(db, user, text, "all")
    gc.collect()
    tracemalloc.reset_peak()
    held = tracemalloc.get_traced_memory()[0]
    jobs.run(job_id)
    peak = tracemalloc.get_traced_memory()[1] - held
    assert report.count(db, job_id) == lines
    return peak


@pytest.mark.crm(extra_plugins={"sample": sample}, settings={"CRM_IMPORT_CHUNK_ROWS": 250})
def test_a_file_of_bad_lines_holds_no_more_for_four_times_the_bad_lines(db, users, monkeypatch):
    # The spool keeps its first bytes in memory (1 MB in production), the file is read in pieces
    # (4 MB): less than these reports and files.
    monkeypatch.setattr(report, "SPOOL_MEMORY", 64 << 10)
    monkeypatch.setattr(jobs, "SPOOL_PIECE", 64 << 10)
    monkeypatch.setattr(reader, "STREAM_PIECE", 64 << 10)
    tracemalloc.start()
    try:
        _peak(db, users["ana"], 1_000)  # caches (statements, translations) filled
        small = _peak(db, users["ana"], 5_000)
        large = _peak(db, users["ana"], 20_000)
    finally:
        tracemalloc.stop()
    # The report held as tuples, then as one JSON value, added ~8 MB for 15,000 more bad lines.
    assert large - small < 400_000, (small, large)


def test_the_screen_shows_the_first_lines_and_how_many_more_the_csv_has(db, users, client_for, monkeypatch):
    monkeypatch.setattr(importer, "ERRORS_SHOWN", 3)
    text = "Name;Email;Amount\n" + "".join(f"Bad {i};bad{i}@x.test;x{i}\n" for i in range(7))
    job_id = _queue(db, users["ana"], text)
    jobs.run(job_id)
    client = client_for("ana")
    page = client.get(f"/s/samples/import/{job_id}/job").get_data(as_text=True)
    assert page.count('data-label="Line">') == 3 and 'data-label="Line">4<' in page
    assert 'data-label="Line">5<' not in page
    assert "4 more report lines are not shown here; the CSV has all 7." in page
    rows = list(csv.reader(io.StringIO(client.get(f"/s/samples/import/{job_id}/errors.csv").get_data(as_text=True))))
    assert rows[0] == ["\ufeffLine", "Field", "Reason"] and [r[:2] for r in rows[1:]] == [[str(n), "Amount"] for n in
                                                                                      range(2, 9)]


def test_the_api_gives_the_first_lines_and_the_count_and_the_csv_every_line(db, users, client_for, monkeypatch):
    monkeypatch.setattr(api_imports, "REPORT_LINES", 3)
    monkeypatch.setattr(report, "BATCH", 2)  # the download pages through the table
    text = "Name;Email;Amount\n" + "".join(f"Bad {i};bad{i}@x.test;x{i}\n" for i in range(7))
    job_id = _queue(db, users["ana"], text)
    jobs.run(job_id)
    client = client_for("ana")
    body = client.get(f"/api/v1/samples/imports/{job_id}").get_json()
    assert [r["line"] for r in body["report"]] == [2, 3, 4] and body["report_lines"] == 7
    rows = list(csv.reader(io.StringIO(client.get(body["errors_url"]).get_data(as_text=True))))
    assert rows[0] == ["\ufeffline", "field", "reason"] and [r[:2] for r in rows[1:]] == [[str(n), "amount"] for n in
                                                                                      range(2, 9)]


def test_a_deleted_job_takes_its_report_with_it(db, users):
    job_id = _queue(db, users["ana"], "Name;Email;Amount\nBad;bad@x.test;x\n")
    jobs.run(job_id)
    db.delete(db.get(ImportJob, job_id))
    db.commit()
    assert report.count(db, job_id) == 0
