"""Listings and exports (CORE-10): criteria parsing, report columns and file formats.

Everything here reads through :func:`crm_core.services.queries.build`, so ownership and
permissions come from the one filter in :mod:`crm_core.security.access`.
"""
