"""Generic screens served from session declarations (grid, detail, listing, import, export).

A thin module: the blueprint, and the imports that attach each screen's routes to it.
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("screens", __name__, url_prefix="/s")


@bp.before_request
@login_required
def _logged_in() -> None:
    return None


from crm_core.screens import detail, export, grid, importer, listing, tabs  # noqa: E402, F401  (routes register on import)
