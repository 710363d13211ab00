"""Import jobs through the API: a job with its Location, progress and per-line report, the error
file, and every kind of bad input refused with nothing written (CORE-11, CORE-16, NF-02)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select, update

from crm_core.models.imports import ImportJob, ImportMapping
from tests.support import sample
from tests.support.sample import Sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})
LATIN1 = "Nombre;Compañía;Email;Importe\nJosé Núñez;Añil Ibérica;jose@x.test;1.234,50\nÁgueda;Logroño SA;ag@x.test;7\n"
COLUMNS = json.dumps(["name", "company", "email", "amount"])


def post(client, content: bytes, session_name: str = "samples", headers=None, **form):  # type: ignore[no-untyped-def]
    data = {"file": (io.BytesIO(content), form.pop("filename", "leads.csv")), **form}
    return client.post(f"/api/v1/{session_name}/imports", data=data, content_type="multipart/form-data",
                       headers=headers or {})


def nothing_written(db) -> bool:  # type: ignore[no-untyped-def]
    return db.scalar(select(func.count()).select_from(Sample)) == 0 and db.scalars(select(ImportJob)).first() is None


def test_a_file_becomes_a_job_with_its_location_and_the_rows_are_imported(client_for, db):
    client = client_for("ana")
    response = post(client, LATIN1.encode("cp1252"), columns=COLUMNS)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/samples/imports/{body['id']}"
    assert (body["encoding"], body["separator"], body["header"], body["mode"]) == ("cp1252", ";", True, "all")
    assert {k: body[k] for k in ("state", "finished", "total", "created", "failed")} == {
        "state": "done", "finished": True, "total": 2, "created": 2, "failed": 0,
    }
    assert body["written"] == [[2, 3]] and body["report"] == [] and body["message"] == "Import finished."
    rows = {s.name: s for s in db.scalars(select(Sample))}
    assert rows["José Núñez"].company == "Añil Ibérica" and str(rows["José Núñez"].amount) == "1234.50"
    read = client.get(response.headers["Location"])
    assert read.status_code == 200 and read.get_json()["created"] == 2


def test_bearer_token_callers_import_without_a_browser_session(crm_app, users, db):
    from crm_core.api.auth import create_token

    _token, secret = create_token(db, users["ana"], "script")
    db.commit()
    client = crm_app.test_client()
    response = post(client, b"Name,Email\nUno,uno@x.test\n", columns='["name","email"]',
                    headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 201 and response.get_json()["created"] == 1
    assert client.get(response.headers["Location"]).status_code == 401  # no token, no job


def test_all_or_nothing_with_bad_lines_writes_nothing_and_reports_each_line(client_for, db):
    text = "Name,Email,Amount\nGood,g@x.test,1\nBad,b@x.test,abc\n,n@x.test,2\nAlso good,a@x.test,3\n"
    client = client_for("ana")
    body = post(client, text.encode(), columns='["name","email","amount"]').get_json()
    assert (body["state"], body["created"], body["failed"], body["written"]) == ("done", 0, 2, [])
    assert body["message"] == "Nothing was written: 2 lines have errors."
    assert [(r["line"], r["field"]) for r in body["report"]] == [(3, "amount"), (4, "name")]
    assert db.scalars(select(Sample)).first() is None
    report = client.get(body["errors_url"])
    assert report.status_code == 200 and report.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["line", "field", "reason"] and [(r[0], r[1]) for r in rows[1:]] == [("3", "amount"), ("4", "name")]


def test_valid_lines_mode_and_the_duplicate_policy(client_for, db, make_element):
    existing = make_element("ana", name="Old", email="uno@x.test")
    text = "Name,Email\nUno nuevo,uno@x.test\nDos,dos@x.test\nMala,\x07@x.test\n"
    client = client_for("ana")
    body = post(client, text.encode(), columns='["name","email"]', mode="valid", on_duplicate="update").get_json()
    assert (body["created"], body["updated"], body["failed"], body["written"]) == (1, 1, 1, [[2, 3]])
    db.refresh(existing)
    assert existing.name == "Uno nuevo"
    skipped = post(client, b"Name,Email\nOtra vez,UNO@x.test\n", columns='["name","email"]').get_json()
    assert skipped["skipped"] == 1 and skipped["report"][0]["reason"].startswith("Skipped: duplicate of existing")


def test_a_saved_mapping_by_name_gives_the_columns_encoding_and_separator(client_for, users, db):
    db.add(ImportMapping(session_name="samples", name="Leads file", columns=["name", "company", "email", ""],
                         separator=";", encoding="cp1252", header=True, creator_id=users["ana"].id))
    db.commit()
    body = post(client_for("ana"), LATIN1.encode("cp1252"), mapping="Leads file").get_json()
    assert body["columns"] == ["name", "company", "email", ""] and body["created"] == 2


@pytest.mark.parametrize(
    ("form", "content", "field", "text"),
    [
        ({}, LATIN1.encode("cp1252"), "columns", "saved mapping"),
        ({"columns": "name,email"}, LATIN1.encode("cp1252"), "columns", "JSON array"),
        ({"columns": '["name", 3, "email", ""]'}, LATIN1.encode("cp1252"), "columns", "JSON array"),
        ({"columns": '["name", "email"]'}, LATIN1.encode("cp1252"), "columns", "The file has 4 columns"),
        ({"columns": '["", "company", "email", "amount"]'}, LATIN1.encode("cp1252"), "columns", "Required fields"),
        ({"columns": '["name", "nope", "email", ""]'}, LATIN1.encode("cp1252"), "columns", "Unknown field “nope”"),
        ({"columns": '["name", "name", "email", ""]'}, LATIN1.encode("cp1252"), "columns", "mapped twice"),
        ({"mapping": "No such"}, LATIN1.encode("cp1252"), "mapping", "Unknown saved mapping"),
        ({"columns": COLUMNS, "encoding": "utf-8"}, LATIN1.encode("cp1252"), "encoding", "not valid UTF-8"),
        ({"columns": COLUMNS, "encoding": "ebcdic"}, LATIN1.encode("cp1252"), "encoding", "Unknown encoding"),
        ({"columns": COLUMNS, "separator": ","}, LATIN1.encode("cp1252"), "separator", "seems to use “;”"),
        ({"columns": COLUMNS, "mode": "some"}, LATIN1.encode("cp1252"), "mode", "Use one of: all, valid"),
        ({"columns": COLUMNS, "on_duplicate": "merge"}, LATIN1.encode("cp1252"), "on_duplicate", "skip, update"),
        ({"columns": COLUMNS, "header": "maybe"}, LATIN1.encode("cp1252"), "header", "true"),
        ({"columns": COLUMNS, "owner": "1"}, LATIN1.encode("cp1252"), "owner", "Unknown field “owner”"),
        ({"columns": '["name"]'}, b"", "file", "The file is empty"),
        ({"columns": '["name"]'}, b"PK\x03\x04rest-of-a-zip", "file", "spreadsheet or archive"),
        ({"columns": '["name"]'}, b"Name\n" + b"\x00" * 300 + b"\n", "file", "NUL bytes"),
        ({"columns": '["name"]'}, (";".join(["x"] * 300) + "\n").encode(), "file", "at most 200 can be imported"),
    ],
)
def test_bad_input_of_every_kind_is_a_400_naming_the_field_and_changes_nothing(client_for, db, form, content,
                                                                                field, text):
    response = post(client_for("ana"), content, **form)
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and text in " ".join(error["fields"][field])
    assert nothing_written(db)


def test_no_file_or_another_content_type_is_refused(client_for, db):
    client = client_for("ana")
    no_file = client.post("/api/v1/samples/imports", data={"columns": COLUMNS}, content_type="multipart/form-data")
    assert no_file.status_code == 400 and "file" in no_file.get_json()["error"]["fields"]
    as_json = client.post("/api/v1/samples/imports", json={"file": LATIN1})
    assert as_json.status_code == 415 and as_json.get_json()["error"]["code"] == "unsupported_media_type"
    assert nothing_written(db)


@pytest.mark.crm(extra_plugins={"sample": sample}, settings={"CRM_UPLOAD_MAX_BYTES": 1536})
def test_a_file_over_the_limit_is_a_413_whether_the_view_or_flask_refuses_it(crm_app, client_for, db):
    client = client_for("ana")
    just_over = post(client, b"Name\n" + b"x" * 1600 + b"\n", columns='["name"]')
    far_over = post(client, b"Name\n" + b"x" * (crm_app.config["MAX_CONTENT_LENGTH"] + 10) + b"\n", columns='["name"]')
    for response in (just_over, far_over):
        assert response.status_code == 413
        assert response.get_json()["error"]["message"] == "The file is larger than the limit of 1.5 kB."
    assert nothing_written(db)


@pytest.mark.crm(extra_plugins={"sample": sample}, settings={"CRM_IMPORT_MAX_LINE_CHARS": 1000})
def test_an_overlong_line_is_refused(client_for, db):
    content = ("Name;Email\nok;a@x.test\n" + "y" * 1001 + ";b@x.test\n").encode()
    response = post(client_for("ana"), content, columns='["name","email"]')
    assert response.status_code == 400
    assert "Line 3 has 1,010 characters" in response.get_json()["error"]["fields"]["file"][0]
    assert nothing_written(db)


def test_permissions_are_the_forms(client_for, db):
    from crm_core.models.auth import Group, Permission

    assert post(client_for("ana"), b"Name\nx\n", "locked_samples", columns='["name"]').status_code == 404
    assert post(client_for("ana"), b"Name\nx\n", "nothing_here", columns='["name"]').status_code == 404
    executives = db.scalar(select(Group).where(Group.name == "Executives"))
    db.execute(
        update(Permission)
        .where(Permission.group_id == executives.id, Permission.session_name == "samples")
        .values(can_modify=False)
    )
    db.flush()
    response = post(client_for("ana"), b"Name\nx\n", columns='["name"]')
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    assert nothing_written(db)


def test_a_job_is_visible_to_its_user_only(client_for):
    location = post(client_for("ana"), b"Name\nx\n", columns='["name"]').headers["Location"]
    bob = client_for("bob")
    assert bob.get(location).status_code == 404
    assert bob.get(f"{location}/errors.csv").status_code == 404
    assert client_for("ana").get("/api/v1/samples/imports/99999999999999999999").status_code == 404


def test_the_openapi_document_describes_the_import_endpoints(client_for):
    doc = client_for("ana").get("/api/v1/openapi.json").get_json()
    post_op = doc["paths"]["/api/v1/samples/imports"]["post"]
    assert "multipart/form-data" in post_op["requestBody"]["content"] and "201" in post_op["responses"]
    assert {"413", "415", "400"} <= set(post_op["responses"])
    assert "get" in doc["paths"]["/api/v1/samples/imports/{job_id}"]
    assert "/api/v1/samples/imports/{job_id}/errors.csv" in doc["paths"]
    assert doc["components"]["schemas"]["ImportForm"]["required"] == ["file"]
    assert "/api/v1/locked_samples/imports" not in doc["paths"]
