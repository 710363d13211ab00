"""Links to a record from anywhere (toolkit ``sdef_of``/``element_path``): the session that
serves it — its model and its fixed ``where`` — and the path from the screens' URL rule, also
outside a request (workers and outbox handlers build e-mail links with it)."""

from __future__ import annotations

import pytest

from crm_core.db import unit_of_work
from crm_core.extensions import crm_state
from crm_core.navigation import element_path, sdef_of
from crm_core.services import elements
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def test_a_record_links_to_the_session_whose_where_it_satisfies(crm_app, db, access_for):
    registry = crm_state().registry
    samples, locked_samples = registry.sdef("samples"), registry.sdef("locked_samples")
    with unit_of_work():
        sale = elements.create(db, samples, access_for("ana"), {"name": "Sold"})
        purchase = elements.create(db, locked_samples, access_for("leader"), {"name": "Bought"})
    with crm_app.app_context():
        assert sdef_of(sale) is samples and sdef_of(purchase) is locked_samples
        assert element_path(sale) == f"/s/samples/{sale.id}"
        assert element_path(purchase) == f"/s/locked_samples/{purchase.id}"
        assert element_path(object()) is None  # nothing serves it
    with crm_app.test_request_context("/"):
        assert element_path(sale) == f"/s/samples/{sale.id}"
