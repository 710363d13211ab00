"""Purchasing owns its point of view (PUR-01): sales builds the sessions, purchasing names and
labels them, in its own catalog — sales holds no purchasing word."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from plugins.purchasing.viewpoint import PURCHASE
from plugins.sales.kinds import Viewpoint, register, viewpoint

SALES = Path(__file__).resolve().parents[3] / "plugins" / "sales"


def _literals(path: Path) -> list[tuple[int, str]]:
    """String literals of a module that are not docstrings (the words its code uses)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]


def test_sales_code_names_no_purchasing_session_or_label():
    words = re.compile(r"supplier|purchasing|purchase_opportunities", re.IGNORECASE)
    found = [f"{p.name}:{line}: {text!r}" for p in sorted(SALES.glob("*.py")) for line, text in _literals(p)
             if words.search(text)]
    assert found == []
    assert any(words.search(text) for _line, text in _literals(Path(__file__).parents[3] / "plugins" / "purchasing" / "viewpoint.py"))


@pytest.mark.crm(plugins=["sales", "purchasing"])
def test_purchasing_labels_come_from_its_own_spanish_catalog(crm_app, sdef):
    with crm_app.test_request_context(), force_locale("es"):
        assert str(sdef("suppliers").label) == "Proveedores"
        assert str(sdef("potential_suppliers").singular) == "Proveedor potencial"
        assert str(crm_app.extensions["crm"].registry.modules["purchasing"].label) == "Compras"


def test_a_second_viewpoint_for_a_kind_or_an_incomplete_one_is_refused():
    register(PURCHASE)  # what purchasing's hooks do at start-up; idempotent
    register(PURCHASE)
    assert viewpoint("purchase") is PURCHASE
    with pytest.raises(ValueError, match="already served by module 'purchasing'"):
        register(Viewpoint("purchase", "buying", "Buying", 30, PURCHASE.names, PURCHASE.labels))
    with pytest.raises(ValueError, match="lacks contacts"):
        Viewpoint("rent", "rentals", "Rentals", 40, {k: k for k in ("leads", "opportunities", "accounts")},
                  {k: (k, k) for k in ("leads", "opportunities", "accounts")})
    with pytest.raises(ValueError, match="unknown kind 'rent'"):
        viewpoint("rent")
