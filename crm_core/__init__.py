"""CRM core: the platform that knows no business area. Everything else is a plugin.

The package imports nothing, so importing any part of the core (a model, a declaration) does
not build the whole app; the factory is :func:`crm_core.app.create_app`.
"""

__version__ = "0.1.0"
