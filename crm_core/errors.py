"""Errors the core raises; screens and the API turn each into one clear message."""

from __future__ import annotations


class CrmError(Exception):
    """Base class: ``str(error)`` is a message fit for the user."""


class ConfigError(CrmError):
    """Bad configuration (customer.toml, settings, plugin set). Stops start-up."""


class PluginError(ConfigError):
    """A plugin cannot be loaded; the message names the plugin."""


class PermissionDenied(CrmError):
    """The user's group lacks the permission for this session and action (HTTP 403)."""


class NotFound(CrmError):
    """No such element, or not one this user may see (HTTP 404: existence is not leaked).

    ``session_name`` names the session whose element was asked for, so the error page links back to
    its list.
    """

    def __init__(self, message: str, session_name: str | None = None) -> None:
        super().__init__(message)
        self.session_name = session_name


class Conflict(CrmError):
    """Someone saved the element first (optimistic locking, HTTP 409)."""


class BusinessRuleError(CrmError):
    """A business rule refused the operation (e.g. qualify a lead that is not active).

    ``field`` names the input field at fault, when there is one, so forms show it in place.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
