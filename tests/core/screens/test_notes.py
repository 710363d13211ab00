"""Notes on elements (CORE-12, NF-02, NF-03): comments, attachments with size and type limits,
permission-checked download, and deleting only one's own notes."""

from __future__ import annotations

import io
import zipfile

import pytest

from crm_core.errors import BusinessRuleError
from crm_core.models.notes import Note
from crm_core.services.notes import check_file
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n%test\n"


def upload(client, element, filename=None, data=b"", text=""):
    form = {"text": text}
    if filename is not None:
        form["file"] = (io.BytesIO(data), filename)
    return client.post(f"/s/samples/{element.id}/notes", data=form, content_type="multipart/form-data",
                       follow_redirects=True)


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def test_a_comment_is_added_and_listed(client_for, make_sample, db):
    el = make_sample("ana", name="Acme")
    html = upload(client_for("ana"), el, text="Called, will buy\nnext week").get_data(as_text=True)
    assert "Note added." in html and "Called, will buy\nnext week" in html
    assert db.query(Note).filter_by(element_id=el.id).one().creator.username == "ana"


def test_an_empty_note_is_refused(client_for, make_sample, db):
    el = make_sample("ana", name="Acme")
    assert "Write a comment or choose a file." in upload(client_for("ana"), el, text="  ").get_data(as_text=True)
    assert db.query(Note).count() == 0


def test_an_allowed_file_is_stored_and_downloaded_as_attachment(client_for, make_sample, db):
    el = make_sample("ana", name="Acme")
    client = client_for("ana")
    upload(client, el, "../../etc/logo.png", PNG)
    note = db.query(Note).one()
    assert (note.filename, note.content_type, note.size) == ("logo.png", "image/png", len(PNG))
    response = client.get(f"/s/samples/{el.id}/notes/{note.id}")
    assert response.status_code == 200 and response.data == PNG
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "image/png"


@pytest.mark.parametrize(("filename", "data", "message"), [
    ("run.exe", b"MZ\x90\x00", "Files of this type are not allowed"),
    ("page.html", b"<script>alert(1)</script>", "Files of this type are not allowed"),
    ("fake.pdf", b"MZ\x90\x00 not a pdf", "does not match its extension .pdf"),
    ("fake.png", PDF, "does not match its extension .png"),
    ("fake.txt", b"\x00\x01binary", "does not match its extension .txt"),
    ("fake.docx", zipped({"other/file": b"x"}), "does not match its extension .docx"),
])
def test_disallowed_types_are_refused_and_nothing_is_stored(client_for, make_sample, db, filename, data, message):
    el = make_sample("ana", name="Acme")
    html = upload(client_for("ana"), el, filename, data, text="with file").get_data(as_text=True)
    assert message in html
    assert db.query(Note).count() == 0


@pytest.mark.crm(extra_plugins={"sample": sample}, settings={"CRM_UPLOAD_MAX_BYTES": 1024})
def test_a_file_over_the_size_limit_is_refused_with_413(client_for, make_sample, db):
    el = make_sample("ana", name="Acme")
    response = upload(client_for("ana"), el, "big.txt", b"a" * 1025)
    assert response.status_code == 413
    assert "The file is larger than the limit of 1 kB." in response.get_data(as_text=True)
    assert db.query(Note).count() == 0


def test_office_files_are_recognised_by_their_content():
    assert check_file("a.docx", zipped({"word/document.xml": b"x"}), 10_000).endswith("wordprocessingml.document")
    assert check_file("a.xlsx", zipped({"xl/workbook.xml": b"x"}), 10_000).endswith("spreadsheetml.sheet")
    assert check_file("a.odt", zipped({"mimetype": b"application/vnd.oasis.opendocument.text"}), 10_000)
    assert check_file("a.csv", "name;city\nÁna;León\n".encode(), 10_000) == "text/csv"
    with pytest.raises(BusinessRuleError):
        check_file("a.odt", zipped({"mimetype": b"application/zip"}), 10_000)


def test_an_office_zip_bomb_is_refused_and_nothing_is_stored(client_for, make_sample, db):
    from tests.core.test_archives import bomb

    el = make_sample("ana", name="Acme")
    data = bomb("content.xml", 64 * 1024 * 1024, {"mimetype": b"application/vnd.oasis.opendocument.text"})
    html = upload(client_for("ana"), el, "report.odt", data, text="with file").get_data(as_text=True)
    assert "This archive cannot be accepted: a file inside is compressed suspiciously well" in html
    assert db.query(Note).count() == 0


def test_download_is_checked_through_the_element(client_for, make_sample, db):
    el = make_sample("ana", name="Acme")
    upload(client_for("ana"), el, "doc.pdf", PDF)
    note = db.query(Note).one()
    assert client_for("bob").get(f"/s/samples/{el.id}/notes/{note.id}").status_code == 404
    other = make_sample("bob", name="Bob's")
    assert client_for("bob").get(f"/s/samples/{other.id}/notes/{note.id}").status_code == 404
    assert client_for("leader").get(f"/s/samples/{el.id}/notes/{note.id}").status_code == 200


def test_only_the_author_deletes_a_note(client_for, make_sample, db, users):
    el = make_sample("ana", name="Acme")
    upload(client_for("leader"), el, text="leader's remark")
    note = db.query(Note).one()
    ana = client_for("ana")
    html = ana.get(f"/s/samples/{el.id}?tab=notes").get_data(as_text=True)
    assert f"/notes/{note.id}/delete" not in html
    refused = ana.post(f"/s/samples/{el.id}/notes/{note.id}/delete", follow_redirects=True)
    assert "Only the author of a note may delete it." in refused.get_data(as_text=True)
    assert db.query(Note).count() == 1
    client_for("leader").post(f"/s/samples/{el.id}/notes/{note.id}/delete")
    assert db.query(Note).count() == 0


def test_view_only_users_read_notes_but_cannot_add(guest_client, guest, client_for, make_sample, db):
    el = make_sample("ana", name="Acme")
    upload(client_for("ana"), el, text="visible note")
    el.owner_id = guest.id
    db.commit()
    html = guest_client.get(f"/s/samples/{el.id}?tab=notes").get_data(as_text=True)
    assert "visible note" in html and 'id="note-form"' not in html
    assert guest_client.post(f"/s/samples/{el.id}/notes", data={"text": "x"}).status_code == 403


def test_deleting_an_element_deletes_its_notes(client_for, make_sample, db):
    el = make_sample("ana", name="Acme")
    client = client_for("ana")
    upload(client, el, text="bye")
    client.post(f"/s/samples/{el.id}/delete")
    assert db.query(Note).count() == 0


@pytest.mark.crm(extra_plugins={"sample": sample}, settings={"CRM_UPLOAD_MAX_BYTES": 1024})
def test_an_upload_far_over_the_limit_gets_a_clear_413(crm_app, client_for, make_sample, db):
    el = make_sample("ana", name="Acme")
    response = upload(client_for("ana"), el, "huge.txt", b"a" * (crm_app.config["MAX_CONTENT_LENGTH"] + 10))
    assert response.status_code == 413
    assert "The file is larger than the limit of 1 kB." in response.get_data(as_text=True)
    assert db.query(Note).count() == 0
