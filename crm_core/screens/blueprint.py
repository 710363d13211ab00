"""The ``screens`` blueprint, on its own so each screen module attaches routes to it without
importing the package that imports them (which would be an import cycle)."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("screens", __name__, url_prefix="/s")


@bp.before_request
@login_required
def _logged_in() -> None:
    return None
