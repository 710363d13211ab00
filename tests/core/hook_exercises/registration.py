"""Exercises of the registration hooks: what a plugin declares appears where the docstring says."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import click
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from click.testing import CliRunner
from flask import Blueprint, Flask
from flask.cli import ScriptInfo
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import func, select

from crm_core.cli import CrmGroup
from crm_core.declarations import Action, DemoUser, Kpi, Module, Panel, PeriodicJob, SessionDef, Tab, UserField
from crm_core.demo import DEMO_PASSWORD, load_demo
from crm_core.errors import BusinessRuleError, ConfigError
from crm_core.models.auth import User
from crm_core.models.outbox import OutboxMessage
from crm_core.models.types import utcnow
from crm_core.outbox import DeliveryPolicy, Worker, enqueue, process_batch
from crm_core.testing import make_plugin
from tests.core.hook_exercises import Kit, exercise, record, start
from tests.support.sample import Sample, SampleSchema


def _probe_modules() -> list[Module]:
    return [Module("probe_area", "Probe area", order=5)]


def _probe_page() -> list[SessionDef]:
    return [SessionDef("probe_page", "probe_area", "Probe page", endpoint="home.index")]


@exercise("crm_register_modules", _probe_modules, crm_register_sessions=_probe_page)
def modules_become_menu_entries(kit: Kit) -> None:
    menu = [(m.name, [s.name for s in sessions]) for m, sessions in kit.app.extensions["crm"].registry.menu()]
    assert ("probe_area", ["probe_page"]) in menu
    assert "Probe area" in kit.client_for("ana").get("/").get_data(as_text=True)
    twin = make_plugin("twin", crm_register_modules=_probe_modules)
    with pytest.raises(ConfigError, match="module 'probe_area' is declared by both 'probe' and 'twin'"):
        start("probe,twin", probe=make_plugin("probe", crm_register_modules=_probe_modules), twin=twin)


def _probe_sessions() -> list[SessionDef]:
    return [
        SessionDef("probe_purchases", "probe_area", "Probe purchases", singular="Probe purchase", model=Sample,
                   schema=SampleSchema, columns=("name", "status"), search=("name",), where={"kind": "purchase"},
                   importable=True, import_keys=("email",)),
        *_probe_page(),
    ]


@exercise("crm_register_sessions", _probe_sessions, plugins=("sample",), crm_register_modules=_probe_modules)
def sessions_get_every_generic_screen_and_a_menu_entry(kit: Kit) -> None:
    admin = kit.client_for("admin")
    created = admin.post("/api/v1/probe_purchases", json={"name": "Probe order", "email": "p@example.com"})
    assert created.status_code == 201, created.get_data(as_text=True)
    element_id = created.get_json()["id"]
    assert kit.db.get(Sample, element_id).kind == "purchase"  # ``where`` is set on new elements
    for path in ("", f"/{element_id}", "/listing", "/export", "/import"):
        response = admin.get(f"/s/probe_purchases{path}")
        assert response.status_code == 200, (path, response.status_code)
    assert "Probe order" in admin.get("/s/probe_purchases").get_data(as_text=True)
    assert admin.get(f"/api/v1/probe_purchases/{element_id}").get_json()["name"] == "Probe order"
    menu = {s.name for _m, sessions in kit.app.extensions["crm"].registry.menu() for s in sessions}
    assert {"probe_purchases", "probe_page"} <= menu  # a session without a model gets an entry too


def _probe_blueprints(app: Flask) -> list[Blueprint]:
    record("crm_register_blueprints")(app)
    bp = Blueprint("probe", __name__, url_prefix="/probe")
    bp.add_url_rule("/ping", "ping", lambda: "probe pong")
    return [bp]


@exercise("crm_register_blueprints", _probe_blueprints)
def blueprints_serve_the_plugins_pages(kit: Kit) -> None:
    assert kit.calls("crm_register_blueprints") == [kit.app]
    assert kit.client_for("ana").get("/probe/ping").get_data(as_text=True) == "probe pong"


def _probe_cli(cli: click.Group) -> None:
    @cli.command("probe-hello")
    def hello() -> None:
        click.echo("hello from the probe")


@exercise("crm_register_cli", _probe_cli)
def cli_commands_join_the_crm_group(kit: Kit) -> None:
    group = CrmGroup(create_app=lambda: kit.app, add_version_option=False)
    result = CliRunner().invoke(group, ["probe-hello"], obj=ScriptInfo(create_app=lambda: kit.app))
    assert result.exit_code == 0, result.output
    assert result.output == "hello from the probe\n"


_CATALOGS = tempfile.TemporaryDirectory(prefix="crm-probe-catalogs-")


def _probe_translations() -> list[str]:
    target = Path(_CATALOGS.name) / "es" / "LC_MESSAGES" / "messages.mo"
    if not target.exists():
        catalog = Catalog(locale="es")
        catalog.add("Probe greeting", "Saludo de la sonda")
        target.parent.mkdir(parents=True)
        with target.open("wb") as out:
            write_mo(out, catalog)
    return [_CATALOGS.name]


@exercise("crm_register_translations", _probe_translations)
def translation_directories_translate_the_plugins_strings(kit: Kit) -> None:
    with force_locale("es"):
        assert gettext("Probe greeting") == "Saludo de la sonda"
        assert gettext("Save") == "Guardar"  # the core's catalog still answers
    with force_locale("en"):
        assert gettext("Probe greeting") == "Probe greeting"


def _deliver(payload: dict[str, Any], key: str) -> None:
    if payload.get("fail"):
        raise ConnectionError("remote system is down")
    record("crm_register_outbox_handlers")((payload, key))


@exercise("crm_register_outbox_handlers", lambda: {"probe.echo": _deliver})
def outbox_handlers_deliver_their_topic(kit: Kit) -> None:
    from crm_core.db import unit_of_work

    with unit_of_work() as db:
        enqueue(db, "probe.echo", {"n": 1}, "probe-ok")
        enqueue(db, "probe.echo", {"fail": True}, "probe-fail")
    process_batch(policy=DeliveryPolicy(max_attempts=3, base_delay=60, max_delay=60, lease_seconds=60))
    assert kit.calls("crm_register_outbox_handlers") == [({"n": 1}, "probe-ok")]
    states = dict(kit.db.execute(select(OutboxMessage.idempotency_key, OutboxMessage.status)).all())
    failed = kit.db.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == "probe-fail"))
    assert states["probe-ok"] == "sent"
    assert (failed.status, failed.attempts, failed.last_error) == ("failed", 1, "ConnectionError: remote system is down")
    assert failed.next_attempt_at > utcnow()  # a retry is scheduled


@exercise(
    "crm_register_periodic_jobs",
    lambda: [PeriodicJob("probe.tick", 60, lambda: record("crm_register_periodic_jobs")("tick"))],
)
def periodic_jobs_run_on_their_schedule(kit: Kit) -> None:
    worker = Worker(kit.app)
    assert worker.run_jobs(now=1000.0) == 3  # the probe's and the core's two (notifications, stalled jobs)
    assert worker.run_jobs(now=1030.0) == 0  # its 60 s have not passed
    assert worker.run_jobs(now=1061.0) == 1  # the probe's; the core's run every 5 minutes and 6 hours
    assert kit.calls("crm_register_periodic_jobs") == ["tick", "tick"]


def _stamp(ctx: Any) -> Any:
    ctx.element.company = f"stamped by {ctx.user.username}"
    return ctx.element


def _probe_actions(sdef: SessionDef) -> list[Action]:
    record("crm_element_actions")(sdef.name)
    return [Action("probe_stamp", "Stamp it", _stamp)] if sdef.name == "samples" else []


@exercise("crm_element_actions", _probe_actions, plugins=("sample",))
def element_actions_join_a_sessions_own(kit: Kit) -> None:
    assert "samples" in kit.calls("crm_element_actions")
    assert [a.name for a in kit.sdef("samples").actions] == ["close", "set_stage", "probe_stamp"]
    sample = kit.create("samples", "ana", name="Stampable")
    client = kit.client_for("ana")
    assert "Stamp it" in client.get(f"/s/samples/{sample.id}").get_data(as_text=True)
    response = client.post(f"/api/v1/samples/{sample.id}/actions/probe_stamp", json={})
    assert response.status_code == 200, response.get_data(as_text=True)
    kit.db.expire_all()
    assert kit.db.get(Sample, sample.id).company == "stamped by ana"


def _probe_tabs(sdef: SessionDef) -> list[Tab]:
    render = lambda s, element: escape(f"probe tab of {s.name} #{element.name}")  # noqa: E731
    return [Tab("probe_tab", "Probe tab", render)] if sdef.name == "samples" else []


@exercise("crm_detail_tabs", _probe_tabs, plugins=("sample",))
def detail_tabs_show_on_the_detail_screen(kit: Kit) -> None:
    sample = kit.create("samples", "ana", name="Tabbed")
    client = kit.client_for("ana")
    page = client.get(f"/s/samples/{sample.id}").get_data(as_text=True)
    assert "Probe tab" in page and "probe tab of" not in page  # listed; rendered when opened
    opened = client.get(f"/s/samples/{sample.id}?tab=probe_tab").get_data(as_text=True)
    assert "probe tab of samples #Tabbed" in opened


def _probe_panels(user: Any) -> list[Panel]:
    return [Panel("probe_panel", "Probe panel", lambda u: escape(f"probe panel for {u.username}"))]


@exercise("crm_home_panels", _probe_panels)
def home_panels_show_on_each_users_home_page(kit: Kit) -> None:
    for username in ("ana", "bob"):
        page = kit.client_for(username).get("/").get_data(as_text=True)
        assert "Probe panel" in page and f"probe panel for {username}" in page


def _probe_kpis(user: Any) -> list[Kpi]:
    own = [Kpi("probe_won", "Probe won", 1234.5, kind="amount", goal=2469, link="/s/samples"),
           Kpi("probe_regions", "Probe won per region", 1234.5, kind="amount",
               rows=(("North", 1000), ("South", 234.5)), rows_label="Region")]
    if user.username != "leader":
        return own
    return [*own, Kpi("probe_team", "Probe team calls", 42, scope="team")]


@exercise("crm_kpis", _probe_kpis)
def kpis_show_as_cards_charts_and_tables_on_the_home_page(kit: Kit) -> None:
    ana = kit.client_for("ana").get("/").get_data(as_text=True)
    card = ana.split('id="kpi-mine-probe_won"', 1)[1].split("</div>\n    </div>", 1)[0]
    assert "Probe won" in card and "1,234.50" in card and 'href="/s/samples"' in card
    assert 'aria-valuenow="50"' in card and "50 % of the goal of 2,469.00" in card
    assert 'id="kpi-mine-probe_regions"' not in ana  # a figure with rows is a chart, not a card
    chart = ana.split('id="chart-mine-probe_regions"', 1)[1].split("</figure>", 1)[0]
    assert 'data-chart="bar"' in chart and "<th scope=\"col\">Region</th>" in chart
    assert 'data-value="1000"' in chart and "234.50" in chart
    assert "Probe team calls" not in ana and "vendor/echarts/dist/echarts.min." in ana
    leader = kit.client_for("leader").get("/").get_data(as_text=True)
    assert 'id="kpi-team-probe_team"' in leader and "My team" in leader
    with pytest.raises(ValueError, match="kind must be"):
        Kpi("bad", "Bad", 1, kind="money")


def _probe_row_filters(sdef: SessionDef, user: Any) -> list[Any]:
    hidden = sdef.name == "samples" and user.username == "ana"
    return [Sample.name != "Hidden from ana"] if hidden else []


@exercise("crm_row_filters", _probe_row_filters, plugins=("sample",))
def row_filters_restrict_every_path(kit: Kit) -> None:
    hidden = kit.create("samples", "ana", name="Hidden from ana")
    kit.create("samples", "ana", name="Shown to ana")
    ana, leader = kit.client_for("ana"), kit.client_for("leader")
    grid = ana.get("/s/samples").get_data(as_text=True)
    assert "Shown to ana" in grid and "Hidden from ana" not in grid
    assert [r["name"] for r in ana.get("/api/v1/samples?all=1").get_json()["items"]] == ["Shown to ana"]
    assert ana.get(f"/api/v1/samples/{hidden.id}").status_code == 404
    assert ana.get(f"/s/samples/{hidden.id}").status_code == 404
    assert "Hidden from ana" in leader.get("/s/samples?all=1").get_data(as_text=True)  # the filter is ana's only


def _probe_demo_users() -> list[DemoUser]:
    return [DemoUser("ana", "Someone Else", "Leaders"), DemoUser("dora", "Dora Demo", "Leaders", "es", "UTC")]


@exercise("crm_demo_users", _probe_demo_users, plugins=("sample",))
def demo_users_are_created_once_first_declaration_first(kit: Kit) -> None:
    message = load_demo()
    assert "dora" in message and DEMO_PASSWORD in message
    dora = kit.db.scalar(select(User).where(User.username == "dora"))
    assert (dora.full_name, dora.group.name, dora.language, dora.timezone) == ("Dora Demo", "Leaders", "es", "UTC")
    assert kit.db.scalar(select(User.full_name).where(User.username == "ana")) == kit.users["ana"].full_name
    assert kit.db.scalar(select(func.count()).select_from(User).where(User.username == "dora")) == 1
    load_demo()  # repeatable
    assert kit.db.scalar(select(func.count()).select_from(User).where(User.username == "dora")) == 1


def _probe_demo_data(db: Any, users: dict[str, Any]) -> None:
    record("crm_demo_data")(sorted(users))
    db.add(Sample(name="Probe demo record", owner_id=users["ana"].id, creator_id=users["ana"].id))


@exercise("crm_demo_data", _probe_demo_data, plugins=("sample",))
def demo_data_is_created_with_the_demo_users(kit: Kit) -> None:
    load_demo()
    assert {"ana", "bob", "leader"} <= set(kit.calls("crm_demo_data")[0])
    assert kit.db.scalar(select(Sample.owner_id).where(Sample.name == "Probe demo record")) == kit.users["ana"].id


#: The probe's user-field store: user id → badge number.
BADGES: dict[int, str] = {}


def _save_badge(db: Any, user: Any, value: str) -> None:
    if value and not value.isdigit():
        raise BusinessRuleError("A badge is digits only.")
    record("crm_user_fields")((user.username, value))
    BADGES[user.id] = value


def _probe_user_fields() -> list[UserField]:
    return [
        UserField("probe_badge", "Badge", lambda db, user: BADGES.get(user.id, ""), _save_badge),
        UserField("probe_secret", "Admin only", lambda db, user: "", lambda db, user, value: None, self_service=False),
    ]


@exercise("crm_user_fields", _probe_user_fields)
def user_fields_show_on_my_account_and_the_users_screen(kit: Kit) -> None:
    BADGES.clear()
    ana, admin = kit.client_for("ana"), kit.client_for("admin")
    own = ana.get("/account").get_data(as_text=True)
    assert 'name="probe_badge"' in own and 'name="probe_secret"' not in own  # not self-service
    form = {"full_name": "Ana Changed", "language": "en", "timezone": "UTC", "probe_badge": "x1"}
    refused = ana.post("/account", data=form)
    assert refused.status_code == 400 and "A badge is digits only." in refused.get_data(as_text=True)
    kit.db.expire_all()
    assert kit.users["ana"].full_name != "Ana Changed" and BADGES == {}  # one transaction: nothing saved
    assert ana.post("/account", data={**form, "probe_badge": "4711"}).status_code == 302
    assert BADGES[kit.users["ana"].id] == "4711"
    page = admin.get(f"/config/users/{kit.users['ana'].id}").get_data(as_text=True)
    assert 'name="probe_secret"' in page and 'value="4711"' in page
    assert kit.calls("crm_user_fields")[-1] == ("ana", "4711")


def _probe_scripts() -> list[str]:
    return ["/static/probe-pop.js"]


@exercise("crm_page_scripts", _probe_scripts)
def page_scripts_load_on_every_page_of_a_signed_in_user(kit: Kit) -> None:
    ana = kit.client_for("ana")
    for path in ("/", "/account"):
        assert '<script src="/static/probe-pop.js"></script>' in ana.get(path).get_data(as_text=True)
    assert "probe-pop.js" not in kit.app.test_client().get("/login").get_data(as_text=True)


def _probe_views() -> list[Any]:
    from crm_core.declarations import ReportingView

    return [ReportingView("probe_users", lambda: select(User.username.label("who")), "Probe: the users' names")]


@exercise("crm_reporting_views", _probe_views)
def reporting_views_are_listed_and_installed(kit: Kit) -> None:
    from sqlalchemy import text

    from crm_core.reporting import declared_views, install

    assert [v.name for v in declared_views()] == ["probe_users"]
    group = CrmGroup(create_app=lambda: kit.app, add_version_option=False)
    listed = CliRunner().invoke(group, ["reporting", "list"], obj=ScriptInfo(create_app=lambda: kit.app))
    assert listed.exit_code == 0 and "probe_users: Probe: the users' names" in listed.output
    conn = kit.db.connection()
    install(conn, declared_views())
    name = "reporting.probe_users" if conn.dialect.name == "postgresql" else "reporting_probe_users"
    assert "ana" in set(conn.execute(text(f"SELECT who FROM {name}")).scalars())
    twice = make_plugin("probe2", crm_reporting_views=_probe_views)
    with pytest.raises(ConfigError, match="probe_users"):
        app = start("probe,probe2", probe=make_plugin("probe", crm_reporting_views=_probe_views), probe2=twice)
        with app.app_context():
            declared_views()
