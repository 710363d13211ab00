"""REST API generated from the session declarations (CORE-16).

``/api/v1/<session>`` serves every session with a model; the OpenAPI document is at
``/api/v1/openapi.json``. Callers authenticate with a personal bearer token or the browser
session (see :mod:`crm_core.api.auth`); importable sessions also take import jobs
(:mod:`crm_core.api.imports`); errors are JSON (see :mod:`crm_core.api.errors`). The
blueprint itself is :mod:`crm_core.api.blueprint`.
"""

from __future__ import annotations

from crm_core.api import bulk, errors, imports, openapi, resources, views  # routes register on bp
from crm_core.api.blueprint import bp

errors.register(bp)

__all__ = ["bp", "bulk", "imports", "openapi", "resources", "views"]
