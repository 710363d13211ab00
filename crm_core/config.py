"""Settings: defaults, then the instance file ``instance/crm.toml``, then ``CRM_*`` environment
variables, then what the caller passes to ``create_app`` (tests). Keys are spelled like the
environment variables: ``CRM_DATABASE_URL``, ``CRM_CUSTOMER``, ``CRM_SECRET_KEY`` …
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crm_core.errors import ConfigError

DEV_SECRET = "dev-only-insecure-secret"
REPO_ROOT = Path(__file__).resolve().parent.parent

#: name → (default, parser for environment strings, help)
SETTINGS: dict[str, tuple[Any, Any, str]] = {
    "CRM_ENV": ("production", str, "development, testing or production"),
    "CRM_DATABASE_URL": ("", str, "SQLAlchemy URL; default SQLite file in the instance folder"),
    "CRM_DATABASE_CONNECT_RETRY": (10.0, float, "seconds a failed database connection is retried (failover)"),
    "CRM_DATABASE_READ_URL": ("", str, "optional standby URL for grid and listing reads (PostgreSQL)"),
    "CRM_SECRET_KEY": ("", str, "signs sessions and CSRF tokens; required outside development"),
    "CRM_CUSTOMER": ("", str, "customer_overrides/<name> to apply; empty = none"),
    "CRM_OVERRIDES_DIR": ("", str, "where customer folders live; default ./customer_overrides"),
    "CRM_PLUGINS": ("", str, "comma-separated plugin list overriding the customer's"),
    "CRM_SECURE_COOKIES": (None, lambda v: v.lower() in {"1", "true", "yes"}, "Secure cookie flag"),
    "CRM_LOGIN_MAX_FAILURES": (5, int, "failures per account or address before throttling"),
    "CRM_LOGIN_WINDOW_SECONDS": (900, int, "window in which failures are counted"),
    "CRM_UPLOAD_MAX_BYTES": (10 * 1024 * 1024, int, "largest note attachment or import file"),
    "CRM_IMPORT_MAX_COLUMNS": (200, int, "most columns an import file may have"),
    "CRM_IMPORT_MAX_LINE_CHARS": (100_000, int, "longest line (characters) of an import file"),
    "CRM_IMPORT_CHUNK_ROWS": (1_000, int, "rows an import validates and writes at a time (progress per chunk)"),
    "CRM_BULK_JOB_THRESHOLD": (500, int, "records a bulk action takes in the request; more run as a background job"),
    "CRM_BULK_CHUNK_RECORDS": (200, int, "records a bulk job handles and commits at a time (progress per chunk)"),
    "CRM_JOB_STALL_SECONDS": (900, int, "an import or bulk job without progress this long is marked interrupted"),
    "CRM_DEFAULT_LANGUAGE": ("en", str, "language before a user picks one"),
    "CRM_PASSWORD_MIN_SCORE": (3, int, "weakest zxcvbn score (0-4) accepted for a new password"),
    "CRM_SERVE_BIND": ("127.0.0.1:8000", str, "crm serve: address:port to listen on"),
    "CRM_SERVE_WORKERS": (2, int, "crm serve: worker processes"),
    "CRM_SERVE_THREADS": (4, int, "crm serve: threads per worker"),
    "CRM_SERVE_ACCESS_LOG": ("-", str, "crm serve: access log file, '-' = standard output, '' = none"),
    "CRM_SERVE_GRACEFUL_TIMEOUT": (30, int, "crm serve: seconds a stopping worker may finish"),
    "CRM_SERVE_TIMEOUT": (60, int, "crm serve: seconds before a silent worker is restarted"),
}
#: Bytes of secret below which a production app refuses to start: HMAC-SHA1 signing of
#: sessions and CSRF tokens is only as strong as the key.
MIN_SECRET_BYTES = 32
ENVIRONMENTS = ("development", "testing", "production")


def load_settings(instance_path: Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Merge the settings sources and validate them; raises ConfigError naming the key."""
    values = {k: default for k, (default, _p, _h) in SETTINGS.items()}
    instance_file = instance_path / "crm.toml"
    if instance_file.is_file():
        try:
            data = tomllib.loads(instance_file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{instance_file}: malformed TOML: {exc}") from exc
        for key, value in data.items():
            if key not in SETTINGS:
                raise ConfigError(f"{instance_file} [{key}]: unknown setting")
            values[key] = value
    for key, (_d, parse, _h) in SETTINGS.items():
        if key in os.environ:
            try:
                values[key] = parse(os.environ[key])
            except ValueError as exc:
                raise ConfigError(f"environment {key}={os.environ[key]!r}: {exc}") from exc
    for key, value in (overrides or {}).items():
        values[key] = value
    if values["CRM_ENV"] not in ENVIRONMENTS:
        raise ConfigError(f"CRM_ENV must be one of {', '.join(ENVIRONMENTS)}, not {values['CRM_ENV']!r}")
    if not values["CRM_SECRET_KEY"] or values["CRM_SECRET_KEY"] == DEV_SECRET:
        if values["CRM_ENV"] != "development":
            raise ConfigError(
                "CRM_SECRET_KEY is not set: refusing to start outside development with the "
                "default secret key (set CRM_SECRET_KEY or CRM_ENV=development)"
            )
        values["CRM_SECRET_KEY"] = DEV_SECRET
    if values["CRM_ENV"] == "production" and len(str(values["CRM_SECRET_KEY"]).encode()) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"CRM_SECRET_KEY is too short: production needs at least {MIN_SECRET_BYTES} bytes "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    if values["CRM_PASSWORD_MIN_SCORE"] not in range(5):
        raise ConfigError(f"CRM_PASSWORD_MIN_SCORE must be 0 to 4, not {values['CRM_PASSWORD_MIN_SCORE']!r}")
    if not isinstance(values["CRM_IMPORT_CHUNK_ROWS"], int) or values["CRM_IMPORT_CHUNK_ROWS"] < 1:
        raise ConfigError(f"CRM_IMPORT_CHUNK_ROWS must be a whole number ≥ 1, not {values['CRM_IMPORT_CHUNK_ROWS']!r}")
    for key in ("CRM_BULK_JOB_THRESHOLD", "CRM_BULK_CHUNK_RECORDS", "CRM_JOB_STALL_SECONDS"):
        if isinstance(values[key], bool) or not isinstance(values[key], int) or values[key] < 1:
            raise ConfigError(f"{key} must be a whole number ≥ 1, not {values[key]!r}")
    retry = values["CRM_DATABASE_CONNECT_RETRY"]
    if isinstance(retry, bool) or not isinstance(retry, int | float) or not 0 <= retry <= 300:
        raise ConfigError(f"CRM_DATABASE_CONNECT_RETRY must be a number of seconds from 0 to 300, not {retry!r}")
    if values["CRM_DATABASE_READ_URL"] and not str(values["CRM_DATABASE_READ_URL"]).startswith("postgresql"):
        raise ConfigError("CRM_DATABASE_READ_URL must be a PostgreSQL URL (a standby of CRM_DATABASE_URL)")
    if not values["CRM_DATABASE_URL"]:
        instance_path.mkdir(parents=True, exist_ok=True)  # a fresh clone has no instance folder
        values["CRM_DATABASE_URL"] = f"sqlite:///{instance_path / 'crm.sqlite3'}"
    if values["CRM_SECURE_COOKIES"] is None:
        values["CRM_SECURE_COOKIES"] = values["CRM_ENV"] == "production"
    if not values["CRM_OVERRIDES_DIR"]:
        local = Path.cwd() / "customer_overrides"
        values["CRM_OVERRIDES_DIR"] = str(local if local.is_dir() else REPO_ROOT / "customer_overrides")
    return values


def plugin_list(value: Any) -> tuple[str, ...] | None:
    """``CRM_PLUGINS`` as a tuple (None when unset: the customer decides)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(",") if p.strip())
    return tuple(value)
