"""Import through the screens: upload, preview and mapping, progress, error report (CORE-11, NF-02)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from crm_core.models.imports import ImportJob, ImportMapping
from tests.support import sample
from tests.support.sample import Sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})
LATIN1 = "Nombre;Compañía;Email;Importe\nJosé Núñez;Añil Ibérica;jose@x.test;1.234,50\nÁgueda;Logroño SA;ag@x.test;7\n"


def upload(client, content: bytes, **form):  # type: ignore[no-untyped-def]
    data = {"file": (io.BytesIO(content), form.pop("filename", "leads.csv")), "header": "1", **form}
    return client.post("/s/samples/import", data=data, content_type="multipart/form-data")


def job_id(response) -> int:  # type: ignore[no-untyped-def]
    return int(re.search(r"/import/(\d+)", response.headers["Location"])[1])


def run(client, jid: int, columns: list[str], **form):  # type: ignore[no-untyped-def]
    return client.post(f"/s/samples/import/{jid}", data={"col": columns, "mode": "all", "on_duplicate": "skip", **form})


def test_latin1_semicolon_file_round_trips_with_accents(client_for, db):
    client = client_for("ana")
    response = upload(client, LATIN1.encode("cp1252"))
    assert response.status_code == 302
    jid = job_id(response)
    preview = client.get(f"/s/samples/import/{jid}").get_data(as_text=True)
    assert "José Núñez" in preview and "Logroño SA" in preview
    response = run(client, jid, ["name", "company", "email", "amount"])
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/import/{jid}/job")
    page = client.get(f"/s/samples/import/{jid}/job").get_data(as_text=True)
    assert "Import finished." in page
    rows = {s.name: s for s in db.scalars(select(Sample))}
    assert rows["José Núñez"].company == "Añil Ibérica" and str(rows["José Núñez"].amount) == "1234.50"
    assert rows["Águeda"].company == "Logroño SA"
    job = db.get(ImportJob, jid)
    assert (job.encoding, job.separator, job.state, job.data) == ("cp1252", ";", "done", None)


def test_progress_endpoint_reports_the_counts(client_for):
    client = client_for("ana")
    jid = job_id(upload(client, LATIN1.encode("cp1252")))
    run(client, jid, ["name", "company", "email", "amount"])
    status = client.get(f"/s/samples/import/{jid}/status").get_json()
    assert status == {
        "state": "done", "finished": True, "total": 2, "processed": 2, "created": 2, "updated": 0,
        "skipped": 0, "failed": 0, "message": "Import finished.",
    }


def test_broken_rows_change_nothing_and_are_reported_with_lines(client_for, db):
    text = "Name,Email,Amount\nGood,g@x.test,1\nBad,b@x.test,abc\n,n@x.test,2\nAlso good,a@x.test,3\n"
    client = client_for("ana")
    jid = job_id(upload(client, text.encode(), separator=","))
    run(client, jid, ["name", "email", "amount"])
    page = client.get(f"/s/samples/import/{jid}/job").get_data(as_text=True)
    assert "Nothing was written: 2 lines have errors." in page
    assert db.scalars(select(Sample)).first() is None
    report = client.get(f"/s/samples/import/{jid}/errors.csv")
    assert report.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Line", "Field", "Reason"]
    assert [(r[0], r[1]) for r in rows[1:]] == [("3", "Amount"), ("4", "Name")]


def test_valid_rows_mode_writes_the_good_lines_and_lists_them(client_for, db):
    text = "Name,Email,Amount\nGood,g@x.test,1\nBad,b@x.test,abc\nAlso good,a@x.test,3\n"
    client = client_for("ana")
    jid = job_id(upload(client, text.encode(), separator=","))
    run(client, jid, ["name", "email", "amount"], mode="valid")
    assert sorted(db.scalars(select(Sample.name))) == ["Also good", "Good"]
    page = client.get(f"/s/samples/import/{jid}/job").get_data(as_text=True)
    assert re.search(r"Lines written:\s*2, 4", page)


@pytest.mark.crm(extra_plugins={"sample": sample}, settings={"CRM_UPLOAD_MAX_BYTES": 10 * 1024 * 1024})
def test_the_size_limit_is_shown_for_humans_in_the_users_language(client_for, users, db):
    users["ana"].language = "es"
    db.commit()
    assert "Como máximo 10 MB." in client_for("ana").get("/s/samples/import").get_data(as_text=True)


@pytest.mark.crm(extra_plugins={"sample": sample}, settings={"CRM_UPLOAD_MAX_BYTES": 1536})
def test_a_file_over_the_limit_gets_the_same_413_whether_the_view_or_flask_refuses_it(crm_app, client_for, db):
    client = client_for("ana")
    just_over = upload(client, b"Name\n" + b"x" * 1600 + b"\n")
    far_over = upload(client, b"Name\n" + b"x" * (crm_app.config["MAX_CONTENT_LENGTH"] + 10) + b"\n")
    assert "At most 1.5 kB." in client.get("/s/samples/import").get_data(as_text=True)
    for response in (just_over, far_over):
        assert response.status_code == 413
        assert "The file is larger than the limit of 1.5 kB." in response.get_data(as_text=True)
    assert db.scalars(select(ImportJob)).first() is None


def test_wrong_encoding_or_separator_is_refused_with_a_message(client_for, db):
    client = client_for("ana")
    response = upload(client, LATIN1.encode("cp1252"), encoding="utf-8")
    assert response.status_code == 400 and "not valid UTF-8 text" in response.get_data(as_text=True)
    response = upload(client, LATIN1.encode("cp1252"), separator=",")
    assert response.status_code == 400 and "seems to use “;”" in response.get_data(as_text=True)
    assert db.scalars(select(ImportJob)).first() is None


def test_mapping_without_a_required_field_is_refused(client_for, db):
    client = client_for("ana")
    jid = job_id(upload(client, LATIN1.encode("cp1252")))
    response = run(client, jid, ["", "company", "email", "amount"])
    assert response.status_code == 400
    assert "Required fields are not mapped: Name" in response.get_data(as_text=True)
    assert db.get(ImportJob, jid).state == "draft"


def test_saved_mapping_is_offered_and_reused_for_the_next_file(client_for, db):
    client = client_for("ana")
    jid = job_id(upload(client, LATIN1.encode("cp1252")))
    run(client, jid, ["name", "company", "email", ""], save_as="Leads file")
    mapping = db.scalar(select(ImportMapping))
    assert (mapping.name, mapping.columns, mapping.separator) == ("Leads file", ["name", "company", "email", ""], ";")
    assert "Leads file" in client.get("/s/samples/import").get_data(as_text=True)
    second = "Nombre;Compañía;Email;Importe\nOtro;X;o@x.test;1\n".encode("cp1252")
    jid2 = job_id(upload(client, second, mapping=str(mapping.id)))
    assert db.get(ImportJob, jid2).columns == ["name", "company", "email", ""]


def test_import_jobs_are_private_to_their_user(client_for):
    jid = job_id(upload(client_for("ana"), LATIN1.encode("cp1252")))
    bob = client_for("bob")
    assert bob.get(f"/s/samples/import/{jid}").status_code == 404
    assert bob.get(f"/s/samples/import/{jid}/status").status_code == 404


def test_import_needs_modify_and_an_importable_session(client_for, db):
    from sqlalchemy import update

    from crm_core.models.auth import Group, Permission

    assert client_for("ana").get("/s/locked_samples/import").status_code == 404
    executives = db.scalar(select(Group).where(Group.name == "Executives"))
    db.execute(
        update(Permission)
        .where(Permission.group_id == executives.id, Permission.session_name == "samples")
        .values(can_modify=False)
    )
    db.flush()
    assert client_for("ana").get("/s/samples/import").status_code == 403


def test_a_file_with_too_many_columns_is_refused_before_the_mapping_page(client_for, db):
    line = ";".join(["x"] * 20_000) + "\n"
    content = (line * 4).encode()  # 20,000 columns in 160 KB, as the file that made a 19 MB page
    assert len(content) > 150_000
    response = upload(client_for("ana"), content)
    assert response.status_code == 400
    assert "The file has 20,000 columns; at most 200 can be imported." in response.get_data(as_text=True)
    assert db.scalars(select(ImportJob)).first() is None


@pytest.mark.crm(extra_plugins={"sample": sample}, settings={"CRM_IMPORT_MAX_LINE_CHARS": 1000})
def test_a_file_with_an_overlong_line_is_refused(client_for, db):
    content = ("Name;Email\nok;a@x.test\n" + "y" * 1001 + ";b@x.test\n").encode()
    response = upload(client_for("ana"), content)
    assert response.status_code == 400
    assert "Line 3 has 1,010 characters; at most 1,000 are accepted per line." in response.get_data(as_text=True)
    assert db.scalars(select(ImportJob)).first() is None


def test_skipped_duplicates_are_listed_on_the_page_and_in_the_csv(client_for, db):
    client = client_for("ana")
    text = "Name,Email\nUno,uno@x.test\nDos,dos@x.test\nUno bis,UNO@x.test\n"
    jid = job_id(upload(client, text.encode(), separator=","))
    run(client, jid, ["name", "email"])
    page = client.get(f"/s/samples/import/{jid}/job").get_data(as_text=True)
    assert "Import finished." in page and "Skipped: duplicate of line 2 (same Email)." in page
    report = client.get(f"/s/samples/import/{jid}/errors.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(report.lstrip("\ufeff"))))
    assert rows[1:] == [["4", "Email", "Skipped: duplicate of line 2 (same Email)."]]
