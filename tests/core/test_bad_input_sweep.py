"""The bad-input sweep (NF-02, NF-03), generated like the permission matrix: every route of an
app with every bundled plugin, its URL variables filled with seeded records, gets NUL bytes,
control characters, integers past 64 bits, extreme dates and LIKE wildcards in every query
parameter it reads and every field of its forms — as an administrator, an executive and
(for the login pages) nobody. Any answer is fine except a server error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_login import FlaskLoginClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from werkzeug.datastructures import MultiDict

from crm_core.app import create_app
from crm_core.declarations import schema_fields
from crm_core.testing import plugin as kit
from crm_core.testing.database import scratch_database
from plugins.inboxes.models import InboxItem
from tests.support import sample, sweep

BAD_VALUES = (
    "a\x00b",
    "\x1b[31m",
    str(2**64),
    str(-(2**63) - 1),
    "9999-12-31",
    "0001-01-01",
    "%_\\",
)
ROOT = Path(__file__).resolve().parents[2]
_APP = create_app(kit.base_settings("sqlite://", CRM_PLUGINS=None), extra_plugins={"sample": sample})
_REGISTRY = _APP.extensions["crm"].registry


def _routes() -> list[tuple[str, str, dict[str, str]]]:
    """``(rule, endpoint, fixed variables)`` for every route; ``<session>`` and ``<name>`` are
    expanded here, the ids are filled from the seeded records at run time."""
    out = []
    for rule in sorted(_APP.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint.endswith("static"):
            continue
        sessions = [s.name for s in _REGISTRY.grid_sessions()] if "session_name" in rule.arguments else [""]
        for name in sessions:
            fixed = {"session_name": name} if name else {}
            if "name" in rule.arguments and not name:  # a name not of a session's actions (Core actions)
                out.append((rule.rule, rule.endpoint, {"name": "sweep"}))
            elif "name" in rule.arguments:
                out += [(rule.rule, rule.endpoint, {**fixed, "name": a.name}) for a in _REGISTRY.sdef(name).actions]
            else:
                out.append((rule.rule, rule.endpoint, fixed))
    return out


ROUTES = _routes()


def _seed(app: Flask) -> dict[str, Any]:
    """Demo data plus one record of each kind a URL can name; returns the ids by variable."""
    from crm_core.api.auth import create_token
    from crm_core.bootstrap import ensure_groups
    from crm_core.db import Base, unit_of_work
    from crm_core.demo import load_demo
    from crm_core.migrate import upgrade
    from crm_core.models.auth import Group, User
    from crm_core.models.imports import ImportJob
    from crm_core.models.menu import FieldSetting
    from crm_core.models.notes import Note
    from crm_core.models.notifications import Notification
    from crm_core.models.views import GridView
    from crm_core.models.vocabularies import VocabularyValue
    from crm_core.outbox import enqueue
    from crm_core.security.passwords import hash_password

    upgrade(app)
    Base.metadata.create_all(app.extensions["crm_db"].engine)
    with app.app_context():
        with unit_of_work() as db:
            groups = ensure_groups(db, _REGISTRY)
            db.add(User(username="admin", email="admin@example.com", password_hash=hash_password("x" * 12),
                        is_admin=True, group_id=groups["Administrators"].id))
        load_demo()
        with unit_of_work() as db:
            users = {u.username: u for u in db.scalars(select(User))}
            ana = users["ana"]
            elements = {}
            for sdef in _REGISTRY.grid_sessions():
                cond = [getattr(sdef.model, k) == v for k, v in sdef.where.items()]
                stmt = select(sdef.model.id).where(*cond).order_by((sdef.model.owner_id == ana.id).desc()
                                                                  if hasattr(sdef.model, "owner_id") else sdef.model.id)
                elements[sdef.name] = db.scalar(stmt.limit(1)) or 1
            token, _secret = create_token(db, users["admin"], "sweep")
            note = Note(element_type="sweep", element_id=1, text="n", creator_id=ana.id)
            job = ImportJob(session_name="samples", user_id=ana.id, filename="x.csv", data=b"name\nx\n")
            db.add_all([note, job])
            message = enqueue(db, "sweep", {}, "sweep-1")
            setting = FieldSetting(session_name="leads", name="sweep_note", spec={"type": "text"})
            value = VocabularyValue(vocabulary="sweep", code="one", labels={"en": "One"})
            view = GridView(user_id=ana.id, session_name="samples", name="Sweep", state={"q": "x"}, is_default=False)
            told = Notification(user_id=ana.id, kind="sweep", text="Sweep", session_name="samples",
                                element_id=elements.get("samples", 1))
            db.add_all([setting, value, view, told])
            db.flush()
            return {
                "users": users,
                "elements": elements,
                "token_id": token.id,
                "note_id": note.id,
                "setting_id": setting.id,
                "value_id": value.id,
                "view_id": view.id,
                "notification_id": told.id,
                "job_id": job.id,
                "message_id": message.id,
                "group_id": db.scalar(select(Group.id).where(Group.name == "Executives")),
                "user_id": ana.id,
                "item_id": db.scalar(select(InboxItem.id).where(InboxItem.group_id.is_not(None)).limit(1)) or 1,
                "case_id": elements.get("cases", 1),
                "account_id": elements.get("accounts", 1),
                "article_id": elements.get("articles", 1),
                "pop_id": 1,
                "activity_id": elements.get("activities", 1),
                "owner": "core",
                "filename": "crm.css",
                "operation": "retry",
                "code": "es",
                "number": "C-2026-000001",  # a case number on the portal (the sweep's users are staff)
                "token": "sweep-token",  # a portal invitation or reset link
                "slug": "sweep",  # a public web form
                "digest": "0" * 12,  # a client's logo or colour file under a stale name
                "ext": "png",
                "step": "won",  # a sales funnel step to drill into
                "field": "name",  # a grid cell's small form (404 where the session declares no inline_edit)
            }


@pytest.fixture(scope="module")
def sweep_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, dict[str, Any]]]:
    """One seeded database per worker; every test runs in a transaction rolled back after it."""
    with scratch_database(str(tmp_path_factory.mktemp("sweep"))) as url:
        app = create_app(kit.base_settings(url, CRM_PLUGINS=None), extra_plugins={"sample": sample})
        ids = _seed(app)
        app.request_class = sweep.RecordingRequest
        app.test_client_class = FlaskLoginClient
        app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is the 500 a user would get
        yield app, ids
        app.extensions["crm_db"].engine.dispose()


@pytest.fixture
def isolated(sweep_app: tuple[Flask, dict[str, Any]]) -> Iterator[tuple[Flask, dict[str, Any]]]:
    app, ids = sweep_app
    real = app.extensions["crm_db"]
    connection = real.engine.connect()
    outer = connection.begin()
    tdb = kit.TestDatabase(real.url, real.engine, connection)
    tdb.factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    app.extensions["crm_db"] = tdb
    try:
        yield app, ids
    finally:
        app.extensions["crm_db"] = real
        outer.rollback()
        connection.close()


def _url(rule: str, fixed: dict[str, str], ids: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        var = match.group(1).split(":")[-1].split("(")[0]
        if var in fixed:
            return fixed[var]
        if var == "element_id":
            return str(ids["elements"][fixed["session_name"]])
        return str(ids[var])

    return re.sub(r"<([^>]+)>", value, rule)


def _send(client: Any, method: str, url: str, **kwargs: Any) -> tuple[int, set[str]]:
    sweep.READ.clear()
    response = client.open(url, method=method, **kwargs)
    response.close()  # ends a streamed download (CSV export) the sweep does not read
    return response.status_code, set(sweep.READ)


def _family(name: str) -> str:
    """Inputs one view reads in a loop share a family: a repeated name (criteria rows) or
    ``<item>:<kind>`` (the menu's and the permission matrix's rows); one of each is attacked."""
    return "*:" + name.rsplit(":", 1)[1] if ":" in name else name


def _json_fields(fixed: dict[str, str]) -> list[str]:
    """The input fields of the API body for a route: the action's or the session's schema."""
    if "session_name" not in fixed:
        return []
    sdef = _REGISTRY.sdef(fixed["session_name"])
    schema = sdef.action(fixed["name"]).schema if "name" in fixed else sdef.schema
    return [n for n, f in schema_fields(schema).items() if not f.dump_only] if schema else []


def _sweep_one(client: Any, methods: set[str], url: str, json_fields: list[str]) -> list[str]:
    """Every bad value in every parameter the route reads, every field of its forms and of
    its JSON body; the requests that gave a 5xx."""
    failures: list[str] = []

    def check(method: str, target: str, **kwargs: Any) -> None:
        status, _read = _send(client, method, target, **kwargs)
        if status >= 500:
            failures.append(f"{method} {target} {kwargs} → {status}")

    forms: list[sweep.Form] = []
    if "GET" in methods:
        sweep.READ.clear()
        response = client.get(url)
        read = set(sweep.READ)
        page = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()
        for name in sorted(read):
            for bad in BAD_VALUES:
                check("GET", url, query_string={name: bad})
        forms = [f for f in sweep.forms_of(page) if (f.action or url).split("?")[0] == url]
    for method in sorted(methods & {"POST", "PATCH"}) if url.startswith("/api/") else ():
        for name in json_fields:
            for bad in (*BAD_VALUES, 2**64, -(2**63) - 1):
                check(method, url, json={name: bad})
    if methods & {"POST", "PATCH", "DELETE"} and not url.startswith("/api/"):
        _status, read = _send(client, "POST", url, data={})
        forms.append(sweep.Form("post", url, [(name, "") for name in sorted(read)]))
    for form in forms:
        method = "GET" if form.method == "get" else "POST"
        first = {_family(name): index for index, (name, _v) in reversed(list(enumerate(form.fields)))}
        for index in first.values():
            name = form.fields[index][0]
            for bad in BAD_VALUES:
                fields = [*form.fields[:index], (name, bad), *form.fields[index + 1:]]
                key = "query_string" if method == "GET" else "data"
                check(method, url, **{key: MultiDict(fields)})
    return failures


@pytest.mark.parametrize(("rule", "endpoint", "fixed"), ROUTES, ids=[f"{r[1]}|{r[0]}|{r[2]}" for r in ROUTES])
def test_bad_input_never_gives_a_server_error(isolated, rule, endpoint, fixed):
    app, ids = isolated
    url = _url(rule, fixed, ids)
    methods = set(next(r for r in app.url_map.iter_rules() if r.rule == rule and r.endpoint == endpoint).methods)
    failures = []
    for username in ("admin", "ana", None):
        if username is None and not endpoint.startswith("auth."):
            continue
        user = ids["users"][username] if username else None
        client = app.test_client(user=user) if user else app.test_client()
        failures += [f"[{username}] {f}" for f in _sweep_one(client, methods, url, _json_fields(fixed))]
    assert not failures, "\n".join(failures[:20])


ARG_NAMES = re.compile(r"""(?<!\w)(?:(?:args|form)\.(?:get|getlist)|int_arg|int_list)\(\s*["']([a-z_0-9]+)["']""")
#: Read only after the step the sweep cannot take; attacked on their route by a dedicated test.
READ_LATER = {
    "next": "the login page reads it after a successful login (test_the_login_target_is_swept)",
    "columns": "the import API reads it from a multipart body, and the sweep posts no API body "
               "(tests/core/api/test_api_imports.py attacks it: not JSON, not strings, wrong count)",
    "limit": "the knowledge API reads it only with a search text (int_arg bounds it; test_search.py)",
    "offset": "the knowledge API reads it only with a search text (int_arg bounds it; test_search.py)",
    "table": "the call figures read it only with a download format (an unknown table is the default one)",
    "idempotency_key": "the Core-action form exists only where a client's adapter offers actions "
                       "(tests/customer_overrides/banco_bp/test_core_actions.py attacks it)",
    "question": "the triage answer form, rendered only on a case with a script (test_triage.py: stale "
                "and invalid answers write nothing)",
}


def test_the_sweep_discovers_every_parameter_the_code_reads(isolated):
    """Every ``args.get("…")``/``form.get("…")``/``int_arg("…")`` name in the source is read by
    some route the sweep visits, or is a field of a form it submits, so the sweep finds the
    parameters to attack without a list to keep up to date."""
    app, ids = isolated
    in_source = set()
    for path in [*ROOT.joinpath("crm_core").rglob("*.py"), *ROOT.joinpath("plugins").rglob("*.py")]:
        in_source |= set(ARG_NAMES.findall(path.read_text(encoding="utf-8")))
    assert {"q", "page", "date", "user", "group"} <= in_source
    seen: set[str] = set()
    for username in ("admin", "ana"):
        client = app.test_client(user=ids["users"][username])
        for rule, endpoint, fixed in ROUTES:
            url = _url(rule, fixed, ids)
            methods = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint).methods
            if "GET" in methods:
                sweep.READ.clear()
                response = client.get(url)
                seen |= sweep.READ
                page = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
                response.close()
                seen |= {name for form in sweep.forms_of(page) for name, _v in form.fields}
            ends_sessions = "logout" in url or "sign-out" in url  # would log the next user out
            if not url.startswith("/api/") and "POST" in methods and "delete" not in url and not ends_sessions:
                seen |= _send(client, "POST", url, data={})[1]
    assert in_source - seen == set(READ_LATER)


def test_the_login_target_is_swept(isolated):
    app, _ids = isolated
    for bad in BAD_VALUES:
        response = app.test_client().post("/login", query_string={"next": bad},
                                          data={"username": "admin", "password": "x" * 12})
        assert response.status_code < 500, bad


INT_ROUTES = [r for r in ROUTES if "<int:" in r[0]]


@pytest.mark.parametrize(("rule", "endpoint", "fixed"), INT_ROUTES, ids=[f"{r[1]}|{r[0]}|{r[2]}" for r in INT_ROUTES])
def test_ids_past_the_id_columns_never_give_a_server_error(isolated, rule, endpoint, fixed):
    """An id in the path that the 32-bit id columns cannot hold (PostgreSQL refuses to compare
    them) or past 64 bits is a record that does not exist, on every method of every route."""
    app, ids = isolated
    methods = set(next(r for r in app.url_map.iter_rules() if r.rule == rule and r.endpoint == endpoint).methods)
    client = app.test_client(user=ids["users"]["admin"])
    failures = []
    for big in (2**31, 2**63, 10**20):
        url = re.sub(r"<int:[^>]+>", str(big), rule)
        url = _url(url, fixed, ids)
        for method in sorted(methods - {"HEAD", "OPTIONS"}):
            status, _read = _send(client, method, url, **({} if method == "GET" else {"data": {}}))
            if status >= 500:
                failures.append(f"{method} {url} → {status}")
    assert not failures, "\n".join(failures[:20])
