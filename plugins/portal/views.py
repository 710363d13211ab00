"""The portal's blueprint (``/portal``): its pages, its error pages and its own strict security
headers. The portal runs no script at all, so its CSP allows none."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from crm_core.toolkit import NotFound, PermissionDenied
from plugins.portal import views_auth, views_self

#: No script, no frame, no plugin; styles and images from the CRM itself; forms post only to it.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")

bp = Blueprint("portal", __name__, url_prefix="/portal", template_folder="templates", static_folder="static")
views_auth.register(bp)
views_self.register(bp)


@bp.after_request
def _headers(response: Response) -> Response:
    h = response.headers
    h["Content-Security-Policy"] = CSP
    h["X-Frame-Options"] = "DENY"
    h["Referrer-Policy"] = "no-referrer"  # the invitation and reset links never leak
    h["Cache-Control"] = "no-store"
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    return response


def _page(message: str, status: int):  # type: ignore[no-untyped-def]
    return render_template("portal/error.html", message=message, status=status), status


@bp.errorhandler(NotFound)
def _not_found(exc: NotFound):  # type: ignore[no-untyped-def]
    return _page(str(exc), 404)


@bp.errorhandler(PermissionDenied)
def _denied(exc: PermissionDenied):  # type: ignore[no-untyped-def]
    return _page(str(exc), 403)


@bp.errorhandler(404)
def _http_404(_exc: HTTPException):  # type: ignore[no-untyped-def]
    return _page(_("Page not found."), 404)
