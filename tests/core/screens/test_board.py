"""The generic pipeline board (EXT-04) for the test-only samples session: a ``Board``
declaration checked at start-up, figures per column, a move through the declared action (its
``available``, schema and rules), bad input and the one-click stage buttons on the detail."""

from __future__ import annotations

import dataclasses

import pytest

from crm_core.checks import board_problems, model_columns
from crm_core.declarations import Board
from tests.support import sample
from tests.support.sample import SAMPLES, Sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})
JSON = {"Accept": "application/json"}


@pytest.mark.parametrize(
    ("board", "problem"),
    [
        (Board(field="stge", action="set_stage"), "board field 'stge' is not a column"),
        (Board(field="stage", action="set_stage", amount="amont"), "board amount 'amont' is not a column"),
        (Board(field="status", action="set_stage"), "board field 'status' has no choices"),
        (Board(field="stage", action="move"), "board action 'move' is not a declared action"),
        (Board(field="stage", action="close"), "board action 'close' does not take the field 'stage'"),
    ],
)
def test_a_wrong_board_declaration_is_reported_at_start_up(board, problem):
    sdef = dataclasses.replace(SAMPLES, board=board)
    problems = board_problems(sdef, model_columns(sdef))
    assert any(problem in p for p in problems), problems


def test_the_samples_board_declaration_is_sound():
    assert board_problems(SAMPLES, model_columns(SAMPLES)) == []


def test_columns_follow_the_choices_with_their_figures(client_for, make_sample):
    make_sample("ana", name="Uno", amount="100.00", probability=10)
    make_sample("ana", name="Dos", amount="300.00")
    ana = client_for("ana")
    html = ana.get("/s/samples/board").get_data(as_text=True)
    assert html.index(">New <") < html.index(">Offer <") < html.index(">Deal <")
    figures = ana.get("/s/samples/board/totals").json
    # a card without a probability weighs nothing
    assert figures["new"] == {"count": 2, "amount": "400.00", "weighted": "10.00"}
    assert figures["deal"] == {"count": 0, "amount": "0.00", "weighted": "0.00"}


def test_a_rule_of_the_action_refuses_the_move_with_its_message(client_for, make_sample, db):
    uno = make_sample("ana", name="Uno")
    answer = client_for("ana").post(f"/s/samples/board/{uno.id}/move", data={"to": "deal"}, headers=JSON)
    assert answer.status_code == 409 and answer.json["message"] == "a deal needs an amount"
    db.expire_all()
    assert db.get(Sample, uno.id).stage == "new"


def test_a_move_is_audited_under_the_action(client_for, make_sample, db):
    from crm_core.services.audit import history

    uno = make_sample("ana", name="Uno")
    answer = client_for("ana").post(f"/s/samples/board/{uno.id}/move", data={"to": "offer"}, headers=JSON)
    assert answer.status_code == 200 and answer.json == {"ok": True, "message": "Uno moved to Offer.", "field": "stage"}
    db.expire_all()
    assert history(db, "test_sample", uno.id)[0].action == "set_stage"


def test_a_view_only_group_sees_the_board_without_move_menus_and_cannot_move(guest_client, make_sample, guest, db):
    uno = make_sample("admin", name="Uno", owner_id=guest.id)
    html = guest_client.get("/s/samples/board").get_data(as_text=True)
    assert "Uno" in html and f'id="move-{uno.id}"' not in html and "crm-movable" not in html
    answer = guest_client.post(f"/s/samples/board/{uno.id}/move", data={"to": "offer"}, headers=JSON)
    assert answer.status_code == 409
    db.expire_all()
    assert db.get(Sample, uno.id).stage == "new"


@pytest.mark.parametrize("data", [{}, {"to": ""}, {"to": "x" * 500}, {"to": "new\u0000"}])
def test_bad_move_input_is_refused_and_changes_nothing(client_for, make_sample, db, data):
    uno = make_sample("ana", name="Uno")
    answer = client_for("ana").post(f"/s/samples/board/{uno.id}/move", data=data, headers=JSON)
    assert answer.status_code in (400, 409)
    db.expire_all()
    assert db.get(Sample, uno.id).stage == "new" and db.get(Sample, uno.id).version == uno.version


def test_a_board_of_a_session_without_one_is_not_found(client_for):
    assert client_for("ana").get("/s/locked_samples/board").status_code == 404
