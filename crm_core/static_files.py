"""Static files under content-hashed names with a long, immutable cache lifetime (issue 17, item 13).

Templates and plugins name a static file through one helper, :func:`static_url`
(``{{ static_url('crm.css') }}``, ``static_url('activities.css', 'activities')``); it answers
``/assets/<owner>/<name>.<hash>.<ext>``, where ``owner`` is ``core`` (``crm_core/static``) or a
blueprint with a static folder (a plugin's, ``bootstrap``) and ``hash`` the first 12 hex digits of
the file's SHA-256. A changed file gets a new name, so browsers keep each name for a year without
asking again (``Cache-Control: public, max-age=31536000, immutable``) and a navigation sends no
revalidation requests for its CSS and scripts.

A name without a hash (a library's relative reference, e.g. a source map) is served with
``no-cache``; a stale hash answers 404 rather than another content under an immutable name.
A missing file fails loudly when the page is rendered: the front-end libraries under
``vendor/`` come from npm (``scripts/assets``), never from the repository.
"""

from __future__ import annotations

import hashlib
import os
import re
from stat import S_ISREG

from flask import Blueprint, Flask, abort, current_app, has_request_context, request, send_from_directory, url_for
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

#: How long a hashed name may be cached: a year, never revalidated.
IMMUTABLE = "public, max-age=31536000, immutable"
CORE = "core"
#: The product's icon (crm_core/static); a client's logo takes its place (crm_core/branding.py).
FAVICON = "favicon.svg"
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<ext>\.[A-Za-z0-9]+)$")
_digests: dict[str, tuple[int, int, str]] = {}
#: Static URLs kept per app (:func:`static_url`); past this many, they start over.
KEPT_URLS = 512

bp = Blueprint("assets", __name__)


class MissingStaticFile(RuntimeError):
    """A template names a static file that is not there (a front-end library not installed)."""


def _folder(owner: str) -> str | None:
    if owner == CORE:
        return current_app.static_folder
    blueprint = current_app.blueprints.get(owner)
    return blueprint.static_folder if blueprint is not None else None


def file_digest(path: str) -> str:
    """The file's content hash, recomputed only when its size or modification time changes."""
    stat = os.stat(path)
    cached = _digests.get(path)
    if cached and cached[:2] == (stat.st_mtime_ns, stat.st_size):
        return cached[2]
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()[:12]
    _digests[path] = (stat.st_mtime_ns, stat.st_size, digest)
    return digest


def static_url(filename: str, owner: str = CORE) -> str:
    """The content-hashed URL of ``filename`` in ``owner``'s static folder (``core`` or a
    blueprint's name). Raises :class:`MissingStaticFile` when the file is not there.

    Every page names about ten files: the answer is kept per app, file and site root and given
    again while the file's size and modification time are the ones it was made from (one
    ``stat`` instead of two, a path check and a ``url_for`` each — a tenth of the Python every
    page pays, issue 13 target 6); a changed file gets its new name on the next page."""
    folder = _folder(owner)
    root = request.script_root if has_request_context() else None
    key = (owner, filename, root)
    kept = current_app.extensions.setdefault("crm_static_urls", {})
    known = kept.get(key)
    if known is not None and known[0] == folder:
        try:
            stat = os.stat(known[1])
        except OSError:
            stat = None
        if stat is not None and S_ISREG(stat.st_mode) and (stat.st_mtime_ns, stat.st_size) == known[2]:
            return known[3]  # type: ignore[no-any-return]
    url = _hashed_url(folder, filename, owner)
    if root is not None:
        if len(kept) >= KEPT_URLS:  # a site root comes from the request (a proxy's prefix)
            kept.clear()
        path = safe_join(folder, filename)  # checked by _hashed_url; its digest's size and time:
        kept[key] = (folder, path, _digests[path][:2], url)  # type: ignore[index]
    return url


def _hashed_url(folder: str | None, filename: str, owner: str) -> str:
    path = safe_join(folder, filename) if folder else None
    if path is None or not os.path.isfile(path):
        hint = " (the front-end libraries come from npm: run scripts/assets)" if filename.startswith("vendor/") else ""
        raise MissingStaticFile(f"static file {filename!r} of {owner!r} not found{hint}")
    stem, dot, ext = filename.rpartition(".")
    if not dot or "/" in ext:
        raise MissingStaticFile(f"static file {filename!r} of {owner!r} has no extension to hash before")
    hashed = f"{stem}.{file_digest(path)}.{ext}"
    return url_for("assets.static", owner=owner, filename=hashed)


@bp.route("/assets/<owner>/<path:filename>", endpoint="static")
def serve(owner: str, filename: str) -> Response:
    """A file by its hashed name (immutable), or by its plain name (revalidated); the endpoint is
    named like Flask's static endpoints, which the security headers and checks treat alike."""
    name = filename
    folder = _folder(owner)
    if folder is None:
        abort(404)
    match = _HASHED.match(name)
    if match is None:
        response = send_from_directory(folder, name, max_age=0)
        response.headers["Cache-Control"] = "no-cache"
        return response
    filename = match["stem"] + match["ext"]
    path = safe_join(folder, filename)
    if path is None or not os.path.isfile(path) or file_digest(path) != match["digest"]:
        abort(404)
    response = send_from_directory(folder, filename, max_age=31536000)
    response.headers["Cache-Control"] = IMMUTABLE
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["static_url"] = static_url

