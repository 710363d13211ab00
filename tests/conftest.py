"""Shared test configuration. The fixtures come from the CRM test kit (``crm_core.testing``);
importing the sample session here puts its table in the metadata before the kit builds the
test database."""

from tests.support import sample  # noqa: F401
