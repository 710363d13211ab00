"""Notes on elements: comments and attached files (CORE-12).

A note has no access rules of its own: whoever may see the element may read its notes, whoever
may modify it may add notes, and only a note's author (or an administrator) may delete it. Files
are limited by size (``CRM_UPLOAD_MAX_BYTES``) and by type, checked on the extension *and* on
the content, so a renamed executable is refused rather than served back to other users. Office
files are zips: they are inspected within bounds (:mod:`crm_core.archives`) so a "zip bomb"
is refused without inflating it in memory.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import undefer

from crm_core.archives import inspect_zip
from crm_core.declarations import SessionDef
from crm_core.errors import BusinessRuleError, NotFound
from crm_core.models.notes import Note
from crm_core.security.access import Access, check_element
from crm_core.services import notifications
from crm_core.uploads import FileTooLarge

MAX_TEXT = 20_000
#: extension → content type served on download.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "txt": "text/plain",
    "csv": "text/csv",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
}
MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
}
#: office formats are zip files; a member proves which one.
ZIP_MARKERS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "odt": "content.xml"}


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _is_zip_of(data: bytes, ext: str) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        archive = inspect_zip(data, keep=frozenset({"mimetype"}) if ext == "odt" else frozenset())
    except zipfile.BadZipFile:
        return False
    if ext == "odt":
        return archive.small.get("mimetype", b"").strip() == CONTENT_TYPES["odt"].encode()
    return ZIP_MARKERS[ext] in archive.names


def check_file(filename: str, data: bytes, max_bytes: int) -> str:
    """The content type of an acceptable attachment; BusinessRuleError explains a refusal."""
    ext = PurePath(filename).suffix.lower().lstrip(".")
    if ext not in CONTENT_TYPES:
        raise BusinessRuleError(
            _("Files of this type are not allowed. Allowed: %(types)s.", types=", ".join(sorted(CONTENT_TYPES))),
            field="file",
        )
    if len(data) > max_bytes:
        raise FileTooLarge(max_bytes)
    if not data:
        raise BusinessRuleError(_("The file is empty."), field="file")
    if ext in MAGIC:
        ok = data.startswith(MAGIC[ext])
    elif ext in ZIP_MARKERS:
        ok = _is_zip_of(data, ext)
    else:
        ok = _is_text(data)
    if not ok:
        raise BusinessRuleError(_("The file's content does not match its extension .%(ext)s.", ext=ext), field="file")
    return CONTENT_TYPES[ext]


def safe_filename(filename: str) -> str:
    name = PurePath(filename.replace("\\", "/")).name.strip().replace("\x00", "")
    return name[:255] or "file"


def notes_of(db: DbSession, sdef: SessionDef, access: Access, element: Any) -> list[Note]:
    check_element(sdef, access, element, "view")
    return list(
        db.scalars(
            select(Note)
            .where(Note.element_type == element.element_type, Note.element_id == element.id)
            .order_by(Note.created_at.desc(), Note.id.desc())
        )
    )


def add_note(
    db: DbSession,
    sdef: SessionDef,
    access: Access,
    element: Any,
    text: str,
    upload: tuple[str, bytes] | None,
    max_bytes: int,
) -> Note:
    """Attach a comment and/or a file (``upload`` = ``(filename, content)``) to ``element``."""
    check_element(sdef, access, element, "modify")
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise BusinessRuleError(_("The note is longer than %(n)d characters.", n=MAX_TEXT), field="text")
    if not text and upload is None:
        raise BusinessRuleError(_("Write a comment or choose a file."), field="text")
    note = Note(element_type=element.element_type, element_id=element.id, text=text, creator_id=access.user.id)
    if upload is not None:
        filename, data = upload
        note.content_type = check_file(filename, data, max_bytes)
        note.filename, note.data, note.size = safe_filename(filename), data, len(data)
    db.add(note)
    db.flush()
    _tell_mentioned(db, sdef, access, element, text)
    return note


def _tell_mentioned(db: DbSession, sdef: SessionDef, access: Access, element: Any, text: str) -> None:
    """``@username`` in the note: each named user who may see the record is told (issue 17
    item 11); a name of someone who may not see it stays plain text (nothing leaks to them)."""
    users = notifications.mentioned(db, text)
    if not users:
        return
    author = access.user
    excerpt = text if len(text) <= 120 else text[:119] + "…"
    notifications.notify(
        db, users, "mention",
        lambda: _("%(actor)s mentioned you on “%(name)s”: %(text)s", actor=author.display_name(),
                  name=element.display_name(), text=excerpt),
        sdef=sdef, element=element, actor=author,
    )


def get_note(db: DbSession, sdef: SessionDef, access: Access, element: Any, note_id: int) -> Note:
    """A note of ``element`` (with its file loaded), only if the user may see the element."""
    check_element(sdef, access, element, "view")
    note = db.scalar(select(Note).options(undefer(Note.data)).where(Note.id == note_id))
    if note is None or note.element_type != element.element_type or note.element_id != element.id:
        raise NotFound(_("No such note."))
    return note


def delete_note(db: DbSession, sdef: SessionDef, access: Access, element: Any, note_id: int) -> None:
    """Authors delete their own notes (administrators any): a note is someone's statement."""
    check_element(sdef, access, element, "modify")
    note = get_note(db, sdef, access, element, note_id)
    if note.creator_id != access.user.id and not access.is_admin:
        raise BusinessRuleError(_("Only the author of a note may delete it."))
    db.delete(note)
    db.flush()


def delete_notes_of(db: DbSession, element: Any) -> None:
    """Remove an element's notes with it (called when the element is deleted)."""
    db.execute(delete(Note).where(Note.element_type == element.element_type, Note.element_id == element.id))
