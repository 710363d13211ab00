"""Generic screens served from session declarations (grid, detail, listing, import, export).

A thin module: the blueprint (:mod:`crm_core.screens.blueprint`) and the imports that attach
each screen's routes to it.
"""

from __future__ import annotations

from crm_core.screens import board, bulk, cell, detail, export, grid, importer, listing, saved_views, tabs  # noqa: F401  (routes register on import)
from crm_core.screens.blueprint import bp

__all__ = ["bp"]
