"""The cases blueprint: it serves no page of its own (the core's generic screens serve the
cases session) but makes the plugin's templates (tab, panels) reachable, as Flask finds
templates through blueprints."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases", template_folder="templates")
