"""Pipeline stages read as their visible names — translated defaults or the customer's names, like
status names — on the grid, the account's tab, the stage history and listings (SAL-10, CORE-14)."""

from __future__ import annotations

import csv
import io

import pytest
from marshmallow import ValidationError

from crm_core.app import crm_state
from plugins.sales import services
from plugins.sales.schemas import SalesSettings

pytestmark = pytest.mark.crm(plugins=["sales", "purchasing"])


@pytest.fixture
def opportunity(create):
    account = create("accounts", "ana", code="C0001", name="Distribuciones Levante S.L.")
    return create("opportunities", "ana", name="Horno nuevo", account_id=account.id)


def test_the_grid_and_the_account_tab_show_the_stage_name_in_the_users_language(
    opportunity, client_for, db, users
):
    users["ana"].language = "es"
    db.commit()
    grid = client_for("ana").get("/s/opportunities").get_data(as_text=True)
    assert "<span>Prospección</span>" in grid and "<span>prospecting</span>" not in grid
    detail = client_for("ana").get(f"/s/accounts/{opportunity.account_id}?tab=opportunities").get_data(as_text=True)
    assert "Prospección" in detail and ">prospecting<" not in detail


def test_the_stage_history_and_the_csv_listing_show_stage_names(opportunity, action, client_for):
    action("opportunities", opportunity, "change_stage", "ana", stage="proposal")
    history = client_for("ana").get(f"/s/opportunities/{opportunity.id}?tab=stages").get_data(as_text=True)
    assert ">Prospecting</td>" in history and ">Proposal</td>" in history
    listing = client_for("ana").get("/s/opportunities/listing", query_string={"run": "1", "format": "csv"})
    rows = list(csv.reader(io.StringIO(listing.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][rows[0].index("Stage")] == "Proposal"


def test_the_customer_names_its_stages_like_statuses(app_ctx, monkeypatch):
    settings = SalesSettings().load({"stages": ["pre-approve", "qualify"], "stage_names": {"Pre-approval": "pre-approve"}})
    monkeypatch.setitem(crm_state().settings, "sales", settings)
    assert services.stage_choices() == [("pre-approve", "Pre-approval"), ("qualify", "qualify")]
    assert services.stage_label("pre-approve") == "Pre-approval"


def test_a_name_for_an_unknown_stage_stops_start_up():
    with pytest.raises(ValidationError, match="typo"):
        SalesSettings().load({"stages": ["a"], "stage_names": {"A": "typo"}})


def test_stage_labels_per_language_follow_the_user_language(crm_app, app_ctx, monkeypatch):
    from flask_babel import refresh

    settings = SalesSettings().load({
        "stages": ["pre-approve", "qualify"], "stage_names": {"Pre-approval": "pre-approve"},
        "stage_labels": {"pre-approve": {"en": "Pre-approved", "es": "Preaprobada"}},
    })
    monkeypatch.setitem(crm_state().settings, "sales", settings)
    for language, expected in (("en", "Pre-approved"), ("es", "Preaprobada")):
        with crm_app.test_request_context("/", headers={"Accept-Language": language}):
            refresh()  # the locale is cached on the test's application context
            assert services.stage_choices() == [("pre-approve", expected), ("qualify", "qualify")]


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ({"typo": {"en": "A", "es": "A"}}, "Unknown stages: typo"),
        ({"a": {"en": "A"}}, "Missing the name in: es"),
        ({"a": {"en": "A", "es": "A", "ro": "A"}}, "Must be one of"),
    ],
)
def test_bad_stage_labels_stop_start_up(app_ctx, labels, message):
    with pytest.raises(ValidationError, match=message):
        SalesSettings().load({"stages": ["a"], "stage_labels": labels})
