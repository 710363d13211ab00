from __future__ import annotations

import pytest

from crm_core.db import unit_of_work
from crm_core.errors import Conflict, NotFound
from crm_core.services import elements
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def test_generic_create_update_audit_and_ownership(crm_app, db, access_for):
    from crm_core.app import crm_state
    from crm_core.security.access import get_element

    sdef = crm_state().registry.session("samples")
    ana, bob = access_for("ana"), access_for("bob")
    with unit_of_work():
        el = elements.create(db, sdef, ana, {"name": "Acme", "email": "a@acme.test"})
    assert el.owner_id == ana.user.id and el.kind == "sale"
    with pytest.raises(NotFound):
        get_element(db, sdef, bob, el.id)
    with unit_of_work():
        changes = elements.update(db, sdef, ana, el, {"company": "Acme SL"}, expected_version=el.version)
    assert changes == {"company": ["", "Acme SL"]}
    with pytest.raises(Conflict):
        elements.update(db, sdef, ana, el, {"company": "X"}, expected_version=1)
