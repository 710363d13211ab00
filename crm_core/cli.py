"""The ``crm`` command: ``crm init``, ``crm db upgrade``, ``crm demo``, ``crm user create``,
``crm plugins list``, ``crm serve``, ``crm run`` … Plugins add commands through ``crm_register_cli``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
from sqlalchemy import select

from crm_core.devserver import run_command
from crm_core.errors import ConfigError
from crm_core.fields_cli import fields
from crm_core.i18n_cli import i18n
from crm_core.scaffold import new_plugin
from crm_core.serve import serve

# Each command imports what it needs inside its function: ``crm --help``, ``crm plugin new``
# and ``crm i18n`` then start without loading the app, its models and its plugins.


def _create_app():  # type: ignore[no-untyped-def]
    from crm_core.app import create_app

    return create_app()


class CrmGroup(FlaskGroup):
    """Flask's group, plus the commands of the enabled plugins."""

    _crm_commands_loaded = False

    def _load_crm_commands(self, ctx: click.Context) -> None:
        if self._crm_commands_loaded:
            return
        self._crm_commands_loaded = True
        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except ConfigError:
            return
        app.extensions["crm"].pm.hook.crm_register_cli(cli=self)

    def get_command(self, ctx: click.Context, name: str):  # type: ignore[no-untyped-def]
        self._load_crm_commands(ctx)
        return super().get_command(ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_crm_commands(ctx)
        return super().list_commands(ctx)


cli = CrmGroup(create_app=_create_app, add_version_option=False, help="CRM administration.")
cli.add_command(run_command)  # replaces Flask's ``run``: no server version in the headers
cli.add_command(serve)
cli.add_command(i18n)
cli.add_command(fields)


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply the migrations of the core and every enabled plugin."""
    from crm_core.migrate import upgrade

    upgrade(current_app)
    click.echo("database is up to date")


@db.command("revision")
@click.option("--branch", required=True, help="crm_core or a plugin name")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(branch: str, message: str) -> None:
    """Autogenerate a migration for one branch (developers)."""
    from crm_core.migrate import revision

    revision(current_app, branch, message)


@db.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="replace the file if it exists")
@with_appcontext
def db_backup(path: Path, force: bool) -> None:
    """Write a backup of the database to PATH (PostgreSQL: pg_dump custom format; SQLite: a
    consistent copy through the online backup API). The app may keep running."""
    from crm_core.backup import BackupError, backup

    try:
        size = backup(current_app.config["CRM_DATABASE_URL"], path, replace=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup written to {path} ({size:,} bytes)")


@db.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="replace the content of a database that is not empty")
@click.option("--yes", is_flag=True, help="with --force: do not ask for confirmation")
@with_appcontext
def db_restore(path: Path, force: bool, yes: bool) -> None:
    """Restore the backup PATH into the configured database (stop the app and workers first).

    An empty database is filled; one that holds tables is refused unless --force, which asks
    for confirmation (or --yes) and then replaces everything in it, in one transaction."""
    from flask_babel import gettext as _

    from crm_core.backup import BackupError, check_backup_file, restore, table_names

    url = current_app.config["CRM_DATABASE_URL"]
    try:
        check_backup_file(url, path)
        tables = table_names(url)
        if tables and not force:
            raise BackupError(_("The target database is not empty: pass --force to replace its content."))
        if tables and not yes:
            click.confirm(_("Replace all the data of %(db)s (%(count)d tables) by %(path)s? This cannot be undone.",
                            db=_shown_url(url), count=len(tables), path=str(path)), abort=True)
        current_app.extensions["crm_db"].dispose()
        restore(url, path, replace=bool(tables))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored {path} into {_shown_url(url)}; run 'crm db upgrade' if it came from an older version")


def _shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@db.group("pair", cls=click.Group)  # no app needed: plain click, not Flask's AppGroup
def db_pair() -> None:
    """A local PostgreSQL primary + synchronous standby on loopback ports (docs/operations.md)."""


def _pair_command(action):  # type: ignore[no-untyped-def]
    from crm_core.pgpair import PairError

    try:
        return action()
    except PairError as exc:
        raise click.ClickException(str(exc)) from exc


@db_pair.command("up")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--port", default=5433, show_default=True, help="the primary's port (the standby takes the next)")
@click.option("--standby-port", type=int, default=None, help="the standby's port (default: --port + 1)")
def db_pair_up(folder: Path, port: int, standby_port: int | None) -> None:
    """Create and start a primary and its synchronous standby in FOLDER (new or empty)."""
    from crm_core import pgpair

    pair = _pair_command(lambda: pgpair.up(folder, port, standby_port or port + 1))
    click.echo(f"primary 127.0.0.1:{pair.primary_port}, synchronous standby 127.0.0.1:{pair.standby_port}")
    click.echo(f"CRM_DATABASE_URL={pair.url()}")


@db_pair.command("status")
@click.argument("folder", type=click.Path(path_type=Path))
def db_pair_status(folder: Path) -> None:
    """What each server of the pair in FOLDER is now: primary, standby or stopped."""
    from crm_core import pgpair

    pair = _pair_command(lambda: pgpair.Pair.load(folder))
    for name, state in pgpair.status(pair).items():
        port = pair.primary_port if name == "primary" else pair.standby_port
        click.echo(f"{name} (127.0.0.1:{port}): {state}")


@db_pair.command("promote")
@click.argument("folder", type=click.Path(path_type=Path))
def db_pair_promote(folder: Path) -> None:
    """Promote the standby of the pair in FOLDER to primary (after the primary failed)."""
    from crm_core import pgpair

    _pair_command(lambda: pgpair.promote(pgpair.Pair.load(folder)))
    click.echo("the standby is now the primary")


@db_pair.command("down")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--keep", is_flag=True, help="stop the servers but keep their data")
def db_pair_down(folder: Path, keep: bool) -> None:
    """Stop both servers of the pair in FOLDER and delete it (unless --keep)."""
    from crm_core import pgpair

    _pair_command(lambda: pgpair.down(pgpair.Pair.load(folder), remove=not keep))
    click.echo("pair stopped" + ("" if keep else " and removed"))


def _init() -> str | None:
    from crm_core.bootstrap import ensure_admin, ensure_groups
    from crm_core.db import unit_of_work
    from crm_core.migrate import upgrade

    upgrade(current_app)
    with unit_of_work() as s:
        groups = ensure_groups(s, current_app.extensions["crm"].registry)
        return ensure_admin(s, groups)


@cli.command("init")
@click.option("--reset-admin-password", is_flag=True, help="give 'admin' a new random password (development)")
@with_appcontext
def init(reset_admin_password: bool) -> None:
    """Create or upgrade the database, default groups and the first administrator."""
    password = _init()
    if password is None and reset_admin_password:
        password = _reset_admin()
    if password:
        click.echo("=" * 60)
        click.echo(f"  administrator login: user 'admin', password '{password}'")
        click.echo("=" * 60)
    else:
        click.echo("already initialised (an administrator exists)")


def _reset_admin() -> str | None:
    import secrets

    from crm_core.db import unit_of_work
    from crm_core.models.auth import User
    from crm_core.security.passwords import hash_password
    from crm_core.security.sessions import end_sessions

    with unit_of_work() as s:
        admin = s.scalar(select(User).where(User.username == "admin"))
        if admin is None:
            return None
        password = secrets.token_urlsafe(12)
        admin.password_hash = hash_password(password)
        admin.active = True
        end_sessions(admin)  # like any password reset: sessions opened with the old one end
        return password


@cli.command("demo")
@with_appcontext
def demo() -> None:
    """Load realistic demo data for the enabled plugins (demo users have password 'demo1234')."""
    from crm_core.demo import load_demo

    created = load_demo()
    click.echo(f"demo data loaded ({created})")


@cli.group()
def user() -> None:
    """Users."""


@user.command("create")
@click.argument("username")
@click.option("--group", "group_name", default="Executives", show_default=True)
@click.option("--admin", is_flag=True, help="make the user an administrator")
@click.option("--full-name", default="")
@click.option("--email", default="")
@click.password_option()
@with_appcontext
def user_create(username: str, group_name: str, admin: bool, full_name: str, email: str, password: str) -> None:
    """Create a user."""
    from flask_babel import gettext as _

    from crm_core.admin.services import check_user
    from crm_core.db import unit_of_work
    from crm_core.errors import BusinessRuleError
    from crm_core.models.auth import Group, User

    try:
        with unit_of_work() as s:
            group = s.scalar(select(Group).where(Group.name == group_name))
            if group is None:
                raise BusinessRuleError(_("There is no group named “%(name)s”.", name=group_name))
            new = User(username=username, full_name=full_name, email=email, is_admin=admin, group_id=group.id,
                       password_hash="", timezone="UTC")
            check_user(s, new, password, creating=True, acting=None)
            s.add(new)
    except BusinessRuleError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"user {username!r} created in group {group_name!r}")


@cli.command("check")
def check() -> None:
    """Check plugins, declarations, customer.toml and client templates without serving.

    Runs the same start-up checks as the app and prints every problem found; exit status 2
    when there is one (as every command), so a consultant (or CI) can check a client folder
    before deploying.
    """
    from crm_core.app import create_app

    try:
        app = create_app()
    except ConfigError as exc:
        click.echo(f"configuration error: {exc}", err=True)
        sys.exit(2)
    state = app.extensions["crm"]
    plugins = [n for n, p in state.plugins.items() if p.origin != "core"]
    click.echo(
        f"ok: customer {state.customer.name!r}, {len(plugins)} plugin(s) ({', '.join(plugins) or 'none'}), "
        f"{len(state.registry.sessions)} session(s) checked"
    )


@cli.group()
def plugins() -> None:
    """Plugins."""


plugins.add_command(new_plugin)
cli.add_command(plugins, name="plugin")  # `crm plugin new NAME` reads better than `plugins new`


@plugins.command("list")
@with_appcontext
def plugins_list() -> None:
    """Every installed or enabled plugin: name, version, enabled, requires, hook contract range,
    origin (bundled / installed package / client folder / extra), description, and the hooks
    of the enabled ones."""
    from crm_core.plugins import LoadedPlugin, discover, from_entry_point, hooks_implemented

    state = current_app.extensions["crm"]
    listed: list[tuple[LoadedPlugin | None, str, str]] = []
    found = discover()
    for name, ep in sorted(found.items()):
        if name in state.plugins:
            listed.append((state.plugins[name], "yes", name))
            continue
        try:
            listed.append((from_entry_point(name, ep, ep.load()), "no", name))
        except Exception as exc:  # noqa: BLE001 - listing must go on
            listed.append((None, f"no (import failed: {exc!r})", name))
    listed += [(p, "yes", n) for n, p in state.plugins.items() if p.origin != "core" and n not in found]
    rows = [("plugin", "version", "enabled", "requires", "contract", "origin", "description")]
    for plugin, enabled, name in listed:
        if plugin is None:
            rows.append((name, "?", enabled, "", "", "", ""))
            continue
        meta = plugin.meta
        requires, contract = ", ".join(meta.requires) or "-", meta.requires_contract or "(none)"
        rows.append((name, plugin.version, enabled, requires, contract, plugin.source, str(meta.description)))
    widths = [max(len(row[i]) for row in rows) + 2 for i in range(6)]
    for row, (plugin, enabled, name) in zip(rows, [(None, "", ""), *listed], strict=True):
        click.echo("".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + row[6])
        if plugin is not None and enabled == "yes":
            click.echo(f"    hooks: {', '.join(hooks_implemented(state.pm, name)) or '-'}")


def main() -> None:
    try:
        cli.main(prog_name="crm")
    except ConfigError as exc:
        click.echo(f"configuration error: {exc}", err=True)
        sys.exit(2)
