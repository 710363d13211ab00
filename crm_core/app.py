"""The application factory.

``CrmState`` and ``crm_state`` live in :mod:`crm_core.extensions`; they are re-exported here
for code written against contract 1.x.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask
from flask.templating import DispatchingJinjaLoader
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from marshmallow import ValidationError

from crm_core import i18n, web
from crm_core.admin import field_settings
from crm_core.bootstrap import grant_on_first_request
from crm_core.checks import check_client_templates, check_plugin_modules, raise_if_any
from crm_core.config import load_settings, plugin_list
from crm_core.core_settings import CoreSettings
from crm_core.customer import CustomerConfig, load_customer
from crm_core.db import Database, close_session
from crm_core.errors import ConfigError
from crm_core.extensions import EXTENSION_KEY, CrmState, crm_state
from crm_core.plugins import build_plugin_manager
from crm_core.registry import build_registry, collect
from crm_core.request_input import IdConverter
from crm_core.security import setup_security
from crm_core.services import audit

__all__ = ["CrmState", "create_app", "crm_state"]


def _customer(settings: Mapping[str, Any]) -> CustomerConfig:
    name = settings["CRM_CUSTOMER"]
    if not name:
        return CustomerConfig(name="default")
    return load_customer(Path(settings["CRM_OVERRIDES_DIR"]), name)


#: ``[settings.client]`` of customer.toml: the client folder's own settings, validated by the
#: ``settings_schema`` of its ``overrides.py`` meta and read with ``crm_state().setting("client", key)``.
CLIENT_SETTINGS = "client"


def _validate_plugin_settings(state: CrmState) -> None:
    raw = state.customer.settings
    overrides = [name for name, plugin in state.plugins.items() if plugin.is_override]
    known = set(state.plugins) | {"core"} | ({CLIENT_SETTINGS} if overrides else set())
    for plugin in raw:
        if plugin not in known:
            raise ConfigError(f"{state.customer.where('settings.' + plugin)}: no such enabled plugin")
    for name, plugin in state.plugins.items():
        if plugin.is_override:
            name = CLIENT_SETTINGS  # ``[settings.client]``: the client folder's own, checked by its meta
        schema = plugin.meta.settings_schema
        if schema is None:
            state.settings[name] = dict(raw.get(name, {}))
            continue
        try:
            state.settings[name] = schema().load(raw.get(name, {}))
        except ValidationError as exc:
            field_name, messages = next(iter(exc.normalized_messages().items()))
            raise ConfigError(
                f"{state.customer.where(f'settings.{name}.{field_name}')}: {messages}"
            ) from exc
    try:
        state.settings["core"] = CoreSettings().load(raw.get("core", {}))
    except ValidationError as exc:
        field_name, messages = next(iter(exc.normalized_messages().items()))
        raise ConfigError(f"{state.customer.where(f'settings.core.{field_name}')}: {messages}") from exc


def create_app(
    config: Mapping[str, Any] | None = None,
    *,
    extra_plugins: Mapping[str, ModuleType] | None = None,
    instance_path: str | None = None,
) -> Flask:
    """Build a CRM app. ``config`` overrides settings (tests); ``extra_plugins`` registers plugin
    modules that are not installed as entry points (partner plugins under test)."""
    app = Flask("crm_core", instance_path=instance_path, instance_relative_config=True)
    app.url_map.converters["int"] = IdConverter  # before any route: ids past the id columns are 404s
    settings = load_settings(Path(app.instance_path), config)
    app.config.update(settings)
    app.config.update(
        SECRET_KEY=settings["CRM_SECRET_KEY"],
        TESTING=settings["CRM_ENV"] == "testing",
        MAX_CONTENT_LENGTH=settings["CRM_UPLOAD_MAX_BYTES"] + 64 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings["CRM_SECURE_COOKIES"],
        REMEMBER_COOKIE_SECURE=settings["CRM_SECURE_COOKIES"],
        REMEMBER_COOKIE_HTTPONLY=True,
        BOOTSTRAP_SERVE_LOCAL=True,
        WTF_CSRF_TIME_LIMIT=None,
    )
    for key, value in (config or {}).items():
        if key.isupper() and not key.startswith("CRM_"):
            app.config[key] = value  # plain Flask settings from tests (e.g. WTF_CSRF_ENABLED)
    customer = _customer(settings)
    enabled = plugin_list(settings["CRM_PLUGINS"])
    if enabled is None:
        enabled = customer.plugins
    pm, plugins = build_plugin_manager(enabled, customer, dict(extra_plugins or {}))
    hook_names = {name for name in dir(pm.hook) if getattr(getattr(pm.hook, name), "spec", None)}
    raise_if_any(
        check_plugin_modules({n: p.module for n, p in plugins.items()}, hook_names)
        + check_client_templates(customer.templates_dir)
    )
    registry = build_registry(pm, customer)
    state = CrmState(pm=pm, plugins=plugins, registry=registry, customer=customer)
    _validate_plugin_settings(state)
    app.extensions[EXTENSION_KEY] = state
    app.extensions["crm_db"] = Database(settings["CRM_DATABASE_URL"], float(settings["CRM_DATABASE_CONNECT_RETRY"]),
                                        settings["CRM_DATABASE_READ_URL"])
    app.teardown_appcontext(close_session)
    _templates(app, customer)
    audit.install()  # changes to audited models are recorded at every flush (CORE-15)

    i18n.init_app(app, state)
    setup_security(app)
    web.init_app(app, state)
    for _plugin, bp in collect(pm, "crm_register_blueprints", app=app):
        app.register_blueprint(bp)
    grant_on_first_request(app)
    field_settings.load_at_start(app)  # the administrator's field declarations (EXT-16)
    app.before_request(_fields_current)
    return app


def _fields_current() -> None:
    """Another process saved field declarations (Configuration → Fields): apply them here too."""
    field_settings.reload_if_changed()


def _templates(app: Flask, customer: CustomerConfig) -> None:
    """Templates resolve client → plugin → core, so a client restyles one page without a fork."""
    loaders: list[Any] = []
    if customer.templates_dir is not None:
        loaders.append(FileSystemLoader(str(customer.templates_dir)))
    loaders.append(DispatchingJinjaLoader(app))
    # "parent:<name>" is the plugin's or core's template a client template replaces.
    loaders.append(PrefixLoader({"parent": DispatchingJinjaLoader(app)}, delimiter=":"))
    app.jinja_options = {**app.jinja_options, "loader": ChoiceLoader(loaders)}

