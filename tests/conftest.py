"""Shared test configuration. The fixtures come from the CRM test kit (``crm_core.testing``);
importing the sample session here puts its table in the metadata before the kit builds the
test database."""

import pytest

pytest.register_assert_rewrite("tests.core.hook_exercises")  # their asserts explain failures too

from tests.support import sample  # noqa: E402, F401
