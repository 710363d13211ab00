"""Fixtures shared by the core's tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from crm_core.app import create_app
from crm_core.migrate import upgrade
from crm_core.testing.database import create_pg_database, drop_pg_database
from crm_core.testing.plugin import base_settings


@pytest.fixture(scope="module")
def migrated_pg(pg_url: str) -> Iterator[Any]:
    """A scratch PostgreSQL database migrated for every bundled plugin (skipped without one)."""
    name = f"crm_scratch_{uuid.uuid4().hex[:12]}"
    url = create_pg_database(pg_url, name)
    app = create_app(base_settings(url, CRM_PLUGINS=None))
    try:
        upgrade(app)
        yield app
    finally:
        app.extensions["crm_db"].engine.dispose()
        drop_pg_database(pg_url, name)
