"""Shared test configuration. The fixtures themselves come from ``crm_core.testing``."""
