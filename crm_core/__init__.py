"""CRM core: the platform that knows no business area. Everything else is a plugin."""

__version__ = "0.1.0"

from crm_core.app import create_app

__all__ = ["__version__", "create_app"]
