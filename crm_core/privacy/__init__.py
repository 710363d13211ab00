"""Privacy erase (CORE-21): one client's personal data erased across the core and every plugin.

``plan`` (what plugins report), ``service`` (preview and erase), ``stores`` (the core's own
tables), ``hooks`` (the core's hookimpls), ``views``, ``api`` and ``cli`` (the three ways in).
See docs/privacy.md.
"""
