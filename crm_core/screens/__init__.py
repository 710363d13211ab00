"""Generic screens served from session declarations (grid, detail, listing, import, export)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("screens", __name__, url_prefix="/s")
