"""The generic import of delimited text files (CORE-11, NF-02, EXT-03).

``reader`` turns bytes into rows (encoding, separator, line numbers), ``lines`` turns rows into
field values (mapping, conversions, line refusals, duplicate index), ``engine`` validates and
writes them through :mod:`crm_core.services.elements`, ``jobs`` runs an import in the
background and keeps its progress. Nothing here knows a business session.
"""
