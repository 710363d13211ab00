"""Static files under content-hashed names, cached for a year (issue 17, item 13)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from crm_core.static_files import IMMUTABLE, MissingStaticFile, static_url

ROOT = Path(__file__).resolve().parents[2]
ASSET = re.compile(r'(?:href|src)="(/assets/[^"]+)"')
HASHED = re.compile(r"^/assets/[a-z_]+/.+\.[0-9a-f]{12}\.(css|js|svg|png|ico)$")


def test_a_page_links_every_stylesheet_and_script_by_a_hashed_name_served_immutable(client_for):
    client = client_for("ana")
    html = client.get("/").get_data(as_text=True)
    links = ASSET.findall(html)
    assert {"core", "bootstrap"} <= {u.split("/")[2] for u in links}
    assert not re.search(r'(?:href|src)="/(?:static|bootstrap/static)/', html), "a file linked without its hash"
    for url in links:
        assert HASHED.match(url), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert response.headers["Content-Type"].split(";")[0] in ("text/css", "text/javascript", "image/svg+xml", "image/png", "image/x-icon")


def test_a_changed_file_gets_a_new_name_and_the_old_name_is_gone(crm_app, tmp_path, monkeypatch):
    shutil.copytree(crm_app.static_folder, tmp_path, dirs_exist_ok=True)  # the 404 page's own files
    monkeypatch.setattr(crm_app, "static_folder", str(tmp_path))
    (tmp_path / "x.css").write_text("a {}")
    client = crm_app.test_client()
    with crm_app.test_request_context():
        old = static_url("x.css")
        (tmp_path / "x.css").write_text("a { color: red }")
        new = static_url("x.css")
    assert old != new
    assert client.get(new).get_data(as_text=True) == "a { color: red }"
    assert client.get(old).status_code == 404


def test_unhashed_names_revalidate_and_unknown_places_are_refused(crm_app):
    client = crm_app.test_client()
    plain = client.get("/assets/bootstrap/css/bootstrap.min.css.map")
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "no-cache"
    assert client.get("/assets/core/../app.py").status_code == 404
    assert client.get("/assets/core/%2e%2e/app.000000000000.py").status_code == 404
    assert client.get("/assets/nobody/x.000000000000.css").status_code == 404


def test_a_missing_library_names_the_command_that_installs_it(crm_app):
    with crm_app.test_request_context(), pytest.raises(MissingStaticFile, match="run scripts/assets"):
        static_url("vendor/nothing/nothing.js")


def test_templates_name_static_files_only_through_the_helper():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("crm_core", "plugins", "customer_overrides", "examples")
        for path in (ROOT / folder).rglob("*.html")
        if re.search(r"url_for\(\s*['\"][\w.]*static['\"]|bootstrap\.load_(css|js)", path.read_text())
    ]
    assert not offenders


def test_kept_urls_are_the_helpers_answer_and_follow_the_file_and_the_site_root(crm_app, tmp_path, monkeypatch):
    """``static_url`` keeps its answers per file and site root: the same as working it out again
    for every file a page names, under each root; a file rewritten with the same size (a new
    time) or removed is seen on the next call."""
    import os

    from crm_core.static_files import _hashed_url

    names = [("theme.js", "core"), ("crm.css", "core"), ("crm.js", "core"), ("css/bootstrap.min.css", "bootstrap"),
             ("umd/popper.min.js", "bootstrap"), ("js/bootstrap.min.js", "bootstrap")]
    for root in ("", "/crm", "/other"):
        with crm_app.test_request_context(base_url=f"http://localhost{root}/"):
            for _ in range(2):
                for filename, owner in names:
                    folder = crm_app.static_folder if owner == "core" else crm_app.blueprints[owner].static_folder
                    assert static_url(filename, owner) == _hashed_url(folder, filename, owner)
                    assert static_url(filename, owner).startswith(f"{root}/assets/{owner}/")
    shutil.copytree(crm_app.static_folder, tmp_path, dirs_exist_ok=True)
    monkeypatch.setattr(crm_app, "static_folder", str(tmp_path))
    target = tmp_path / "y.css"
    target.write_text("a {}")
    with crm_app.test_request_context():
        first = static_url("y.css")
        target.write_text("b {}")  # the same size
        stat = target.stat()
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        second = static_url("y.css")
        assert second != first and second == _hashed_url(str(tmp_path), "y.css", "core")
        target.unlink()
        with pytest.raises(MissingStaticFile):
            static_url("y.css")
