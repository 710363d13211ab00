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

    sdef = crm_state().registry.sdef("samples")
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


def test_references_only_to_elements_the_user_may_see(crm_app, db, access_for):
    from marshmallow import ValidationError

    from crm_core.app import crm_state

    sdef = crm_state().registry.sdef("samples")
    ana, bob = access_for("ana"), access_for("bob")
    with unit_of_work():
        bobs = elements.create(db, sdef, bob, {"name": "Bob's"})
        anas = elements.create(db, sdef, ana, {"name": "Ana's"})
    with pytest.raises(ValidationError) as err:
        elements.create(db, sdef, ana, {"name": "Child", "parent_id": bobs.id})
    assert "parent_id" in err.value.messages
    with pytest.raises(ValidationError):
        elements.update(db, sdef, ana, anas, {"parent_id": bobs.id})
    db.rollback()
    with unit_of_work():
        child = elements.create(db, sdef, ana, {"name": "Child", "parent_id": anas.id})
    assert child.parent_id == anas.id
