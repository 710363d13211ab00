"""Where the running app keeps the core's state: ``crm_state()`` and :class:`CrmState`.

This module sits at the bottom of the core (it imports only :mod:`crm_core.errors` at run
time) so models, services, screens and plugins can reach the registry, the plugin manager and
the settings of the current app without importing the app factory — importing
``crm_core.app`` from below would tie every layer to every other one (an import cycle).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

from crm_core.errors import ConfigError

if TYPE_CHECKING:
    import pluggy

    from crm_core.customer import CustomerConfig
    from crm_core.plugins import LoadedPlugin
    from crm_core.registry import Registry

#: The key of :class:`CrmState` in ``app.extensions``.
EXTENSION_KEY = "crm"


@dataclass
class CrmState:
    """Everything the core knows about this app (``app.extensions['crm']``)."""

    pm: pluggy.PluginManager
    plugins: dict[str, LoadedPlugin]
    registry: Registry
    customer: CustomerConfig
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    def setting(self, plugin: str, key: str, default: Any = None) -> Any:
        return self.settings.get(plugin, {}).get(key, default)

    def row_filters(self, sdef: Any, user: Any) -> list[Any]:
        return [c for part in self.pm.hook.crm_row_filters(sdef=sdef, user=user) for c in part or []]

    def outbox_handlers(self) -> dict[str, Any]:
        handlers: dict[str, Any] = {}
        for part in self.pm.hook.crm_register_outbox_handlers():
            for topic, fn in (part or {}).items():
                if topic in handlers:
                    raise ConfigError(f"outbox topic {topic!r} is registered twice")
                handlers[topic] = fn
        return handlers


def crm_state(app: Flask | None = None) -> CrmState:
    """The state of ``app`` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION_KEY]
