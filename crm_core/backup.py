"""``crm db backup`` / ``crm db restore`` (CORE-20).

PostgreSQL: ``pg_dump`` in its custom format; a restore replays it with ``pg_restore`` piped
into ``psql --single-transaction``, so a bad file changes nothing. SQLite: the online backup
API (a consistent copy while the app runs). A backup is written to a temporary file beside
the target and renamed when complete: a failed backup leaves no half file. A restore refuses a
database that holds tables unless forced (the command then asks for confirmation).
Point-in-time recovery (base backup + WAL archive) is an operations route: docs/operations.md.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, make_url

from crm_core.errors import CrmError
from crm_core.pgpair import find_bindir

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
TOOL_SECONDS = 3600


class BackupError(CrmError):
    """A backup or restore refused or failed; nothing was changed. The message is translated."""


def backend(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in {"sqlite", "postgresql"}:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(name)s.", name=name))
    return name


def backup(url: str, target: Path, replace: bool = False) -> int:
    """Write a backup of the database at ``url`` to ``target``; returns its size in bytes."""
    kind = backend(url)
    target = _check_target(target, replace)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if kind == "sqlite":
            _sqlite_backup(_sqlite_file(url, must_exist=True), tmp)
        else:
            _run_tool([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(tmp),
                       "--dbname", _conninfo(url)], url, _("The backup failed"))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target.stat().st_size


def _check_target(target: Path, replace: bool) -> Path:
    target = target.expanduser().absolute()
    if target.is_dir():
        raise BackupError(_("%(path)s is a folder: give the name of the backup file to write.", path=str(target)))
    if not target.parent.is_dir():
        raise BackupError(_("The folder %(path)s does not exist.", path=str(target.parent)))
    if not os.access(target.parent, os.W_OK):
        raise BackupError(_("The folder %(path)s is not writable.", path=str(target.parent)))
    if target.exists() and not replace:
        raise BackupError(_("%(path)s exists: choose another name or pass --force to replace it.", path=str(target)))
    return target


def check_backup_file(url: str, source: Path) -> Path:
    """The backup file ``source`` after checking it exists and is the right kind for ``url``."""
    source = source.expanduser().absolute()
    if not source.is_file():
        raise BackupError(_("There is no backup file at %(path)s.", path=str(source)))
    with source.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    kind = backend(url)
    magic = SQLITE_MAGIC if kind == "sqlite" else PG_MAGIC
    if not head.startswith(magic):
        raise BackupError(_("%(path)s is not a backup of a %(kind)s database (made by crm db backup).",
                            path=str(source), kind="SQLite" if kind == "sqlite" else "PostgreSQL"))
    return source


def table_names(url: str) -> list[str]:
    """The tables of the database at ``url`` (empty list: an empty database)."""
    if backend(url) == "sqlite" and not Path(_sqlite_file(url, must_exist=False)).exists():
        return []
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = inspect(conn)
            names = [t for schema in found.get_schema_names() if schema not in {"information_schema"}
                     for t in found.get_table_names(schema=schema)]
    except Exception as exc:
        raise BackupError(_("Cannot open the target database: %(error)s", error=_first_line(exc))) from exc
    finally:
        engine.dispose()
    return names


def restore(url: str, source: Path, replace: bool = False) -> None:
    """Replace the content of the database at ``url`` by the backup ``source``.

    Refuses a database that holds tables unless ``replace`` (the caller asked for confirmation).
    All or nothing: on failure the database is as it was.
    """
    source = check_backup_file(url, source)
    if table_names(url) and not replace:
        raise BackupError(_("The target database is not empty: pass --force to replace its content."))
    if backend(url) == "sqlite":
        _sqlite_restore(source, _sqlite_file(url, must_exist=False))
        return
    prefix = ["-c", "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;"] if replace else []
    # The whole dump is turned into SQL first: a damaged file fails here, before psql runs
    # (psql would commit whatever part of a broken stream it received).
    with tempfile.TemporaryDirectory(prefix="crm-restore-") as work:
        script = Path(work) / "restore.sql"
        _run_tool([_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file", str(script), str(source)],
                  url, _("The restore failed; nothing was changed"))
        _run_tool([_pg_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", *prefix,
                   "-f", str(script), "--dbname", _conninfo(url)], url, _("The restore failed; nothing was changed"))


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_file(url: str, must_exist: bool) -> str:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise BackupError(_("An in-memory SQLite database cannot be backed up or restored."))
    if must_exist and not Path(database).is_file():
        raise BackupError(_("There is no database file at %(path)s.", path=database))
    return database


def _sqlite_backup(database: str, tmp: Path) -> None:
    with _sqlite(f"file:{database}?mode=ro", uri=True) as src, _sqlite(str(tmp)) as dst:
        src.backup(dst)


def _sqlite_restore(source: Path, database: str) -> None:
    with _sqlite(f"file:{source}?mode=ro", uri=True) as src:
        check = src.execute("PRAGMA quick_check").fetchone()
        if not check or check[0] != "ok":
            raise BackupError(_("%(path)s is damaged: %(error)s", path=str(source), error=str(check and check[0])))
        with _sqlite(database) as dst:
            dst.execute("PRAGMA busy_timeout=10000")
            src.backup(dst)


@contextmanager
def _sqlite(target: str, uri: bool = False) -> Iterator[sqlite3.Connection]:
    try:
        conn = sqlite3.connect(target, uri=uri)
    except sqlite3.Error as exc:
        raise BackupError(_("Cannot open %(path)s: %(error)s", path=target, error=str(exc))) from exc
    try:
        yield conn
    except sqlite3.Error as exc:
        raise BackupError(_("The SQLite copy failed; nothing was changed: %(error)s", error=str(exc))) from exc
    finally:
        conn.close()


# --- PostgreSQL ------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore``/``psql``: the server's version when found, else ``PATH``."""
    folder = find_bindir()
    if folder is not None and (folder / name).is_file():
        return str(folder / name)
    found = shutil.which(name)
    if found is None:
        raise BackupError(_("%(tool)s is not installed (PostgreSQL client tools are needed).", tool=name))
    return found


def _libpq_params(url: str) -> dict[str, str]:
    """The libpq parameters of a SQLAlchemy URL, multi-host URLs included (the password is
    passed through the environment, not the command line)."""
    parsed: URL = make_url(url)
    engine = create_engine(parsed)
    try:
        _args, params = engine.dialect.create_connect_args(parsed)
    finally:
        engine.dispose()
    # the dialect adds psycopg objects (an adapters ``context``): libpq takes only plain values
    return {k: str(v) for k, v in params.items() if isinstance(v, str | int)}


def _conninfo(url: str) -> str:
    from psycopg.conninfo import make_conninfo

    params = {k: v for k, v in _libpq_params(url).items() if k != "password"}
    return make_conninfo("", **params)


def _env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    password = _libpq_params(url).get("password")
    if password:
        env["PGPASSWORD"] = password
    return env


def _run_tool(command: list[str], url: str, what: str) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=_env(url), timeout=TOOL_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{what}: {_first_line(str(exc))}") from exc
    if done.returncode != 0:
        raise BackupError(f"{what}: {_first_line(done.stderr or done.stdout)}")


def _first_line(error: object) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return "; ".join(lines[:2]) or "?"
