"""Purchasing reuses the sales fixtures: the same sessions factory, so the same helpers."""

from tests.plugins.sales.conftest import action, create, sdef  # noqa: F401 - fixtures
