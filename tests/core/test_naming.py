"""Naming (plugin contract 2.0, item 12): in code, ``session`` is the database's.

A screen area is a ``SessionDef`` and is called ``sdef`` (its key ``session_name``) everywhere;
the bare word ``session`` only ever names the database session accessor ``session()``. This test
reads the source of the core, the bundled plugins, the client folders, the example plugin, the
benchmarks and the tests, so a new ``def hook(session)`` or ``ctx.session`` fails the build.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("crm_core", "plugins", "customer_overrides", "examples", "bench", "tests")
#: keyword arguments of message formatting keep the placeholder of the (translated) text.
GETTEXT = {"_", "_l", "gettext", "lazy_gettext", "ngettext"}


def sources() -> Iterator[Path]:
    for top in CHECKED:
        for path in sorted((ROOT / top).rglob("*.py")):
            if ".venv" not in path.parts and "build" not in path.parts:
                yield path


def misuses(tree: ast.AST) -> Iterator[tuple[int, str]]:
    calls = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.arg == "session":
            yield node.lineno, "a parameter named `session` (use `sdef` or `session_name`)"
        elif isinstance(node, ast.Name) and node.id == "session" and id(node) not in calls:
            yield node.lineno, "`session` used as a value (only `session()` — the database session)"
        elif isinstance(node, ast.Attribute) and node.attr == "session":
            yield node.lineno, "an attribute `.session` (use `.sdef` or `.session_name`)"
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name not in GETTEXT and any(k.arg == "session" for k in node.keywords):
                yield node.lineno, "a keyword argument `session=` (use `sdef=` or `session_name=`)"
        elif isinstance(node, ast.Constant) and str(node.value).startswith("/") and "<session>" in str(node.value):
            yield node.lineno, "a URL rule with `<session>` (use `<session_name>`)"


def test_session_always_means_the_database_session() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in sources()
        for line, what in misuses(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "code",
    [
        "def crm_detail_tabs(session): ...",
        "x = ctx.session",
        "url_for('screens.grid', session='leads')",
        "for session in sessions: pass",
        "bp.route('/<session>/new')",
    ],
)
def test_the_check_catches_each_misuse(code: str) -> None:
    assert list(misuses(ast.parse(code)))


def test_the_check_allows_the_database_session_and_message_placeholders() -> None:
    code = "db = session()\nmessage = _('Your group may not see %(session)s.', session=label)"
    assert not list(misuses(ast.parse(code)))


def test_the_old_names_are_gone_in_contract_2_1() -> None:
    """Deprecation policy: ``Registry.session()`` and ``ActionContext.session`` answered in 2.0
    with a ``DeprecationWarning`` naming the new spelling; contract 2.1 removed them."""
    from crm_core.declarations import ActionContext, SessionDef
    from crm_core.registry import Registry

    sdef = SessionDef(name="cards", label="Cards", module="tools", endpoint="cards.index")
    registry = Registry(sessions={"cards": sdef})
    assert not hasattr(registry, "session") and registry.sdef("cards") is sdef
    ctx = ActionContext(sdef, None, {}, None, None, None)  # type: ignore[arg-type]
    assert not hasattr(ctx, "session") and ctx.sdef is sdef
