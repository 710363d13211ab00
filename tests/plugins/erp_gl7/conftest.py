"""The ``gl7`` fixture: a GL7 double on loopback, with the plugin's settings pointing at it."""

from __future__ import annotations

import pytest

from crm_core.app import crm_state
from plugins.erp_gl7.client import Gl7Settings
from tests.plugins.erp_gl7.gl7_double import running_gl7


@pytest.fixture
def gl7(crm_app):
    with running_gl7() as double:
        crm_state(crm_app).settings["erp_gl7"] = Gl7Settings().load(
            {"base_url": double.url, "api_token": "secret-token", "timeout_seconds": 0.5}
        )
        yield double
