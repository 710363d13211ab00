"""Every message a user reads goes through the catalog (CORE-17).

A message built with an f-string, ``%`` or ``+`` never reaches the catalog, so a Spanish user
reads English. The source of the core and of every bundled plugin is parsed and each call that
shows its argument to a user — exceptions the screens and the API turn into messages, flash
messages, form and API errors, error pages — must receive a translation call, never a literal.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from crm_core.config import REPO_ROOT

#: calls whose argument (position, keyword) is shown to the user.
SINKS: dict[str, tuple[int | None, str | None]] = {
    "abort": (None, "description"),
    "flash": (0, "message"),
    "ValidationError": (0, "message"),
    "json_error": (2, "message"),
    "refused": (0, "message"),
    "_bad_request": (0, "message"),
    "render_template": (None, "message"),
}
#: error classes the screens and the API show as they are, with their subclasses (found below).
#: ``ConfigError``/``PluginError`` stop start-up and are read by operators in the log; errors of
#: outside systems (``Gl7Error``, ``SmsError``) are diagnostics kept on the outbox message.
USER_ERRORS = {"PermissionDenied", "NotFound", "Conflict", "BusinessRuleError", "Unauthenticated", "CsrfRequired"}
TRANSLATORS = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext", "pgettext"}


def _modules() -> list[Path]:
    roots = [REPO_ROOT / "crm_core", REPO_ROOT / "plugins"]
    return sorted(p for root in roots for p in root.rglob("*.py") if "migrations" not in p.parts)


def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in _modules()}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _user_error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """``USER_ERRORS`` and every class of the scanned code deriving from one of them."""
    found = set(USER_ERRORS)
    classes = [n for tree in trees.values() for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    grew = True
    while grew:
        grew = False
        for cls in classes:
            if cls.name not in found and any(_name(b) in found for b in cls.bases):
                found.add(cls.name)
                grew = True
    return found


def _shown(call: ast.Call, position: int | None, keyword: str | None) -> Iterator[ast.expr]:
    if position is not None and len(call.args) > position:
        yield call.args[position]
    yield from (k.value for k in call.keywords if k.arg == keyword)


def _untranslated(node: ast.expr) -> Iterator[ast.expr]:
    """Literal text inside ``node`` that does not pass through a translation call."""
    if isinstance(node, ast.Call) and _name(node.func) in TRANSLATORS:
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str) or isinstance(node, ast.JoinedStr):
        yield node
    elif isinstance(node, ast.BinOp):  # "…" % x, "…" + x
        for side in (node.left, node.right):
            yield from _untranslated(side)
    elif isinstance(node, ast.Dict):  # {field: [messages]}: keys are field names
        for value in node.values:
            yield from _untranslated(value)
    elif isinstance(node, ast.List | ast.Tuple | ast.Set):
        for item in node.elts:
            yield from _untranslated(item)
    elif isinstance(node, ast.ListComp):
        yield from _untranslated(node.elt)
    elif isinstance(node, ast.IfExp):
        yield from _untranslated(node.body)
        yield from _untranslated(node.orelse)


def untranslated_messages(trees: dict[Path, ast.Module]) -> list[str]:
    sinks = {**SINKS, **dict.fromkeys(_user_error_classes(trees), (0, "message"))}
    found = []
    for path, tree in trees.items():
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            spec = sinks.get(_name(call.func) or "")
            if spec is None:
                continue
            for arg in _shown(call, *spec):
                for literal in _untranslated(arg):
                    where = f"{path.relative_to(REPO_ROOT)}:{literal.lineno}"
                    found.append(f"{where}: {_name(call.func)}({ast.unparse(literal)})")
    return found


def formatted_msgids(trees: dict[Path, ast.Module]) -> list[str]:
    """Translation calls whose message is formatted before lookup (``_(f"…")``, ``_("…" % x)``):
    the formatted text is in no catalog. Names (``gettext(template)``) are fine: they hold
    msgids marked elsewhere."""
    found = []
    for path, tree in trees.items():
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            if _name(call.func) in TRANSLATORS and isinstance(call.func, ast.Name) and call.args:
                first = call.args[0]
                formatted = isinstance(first, ast.Call) and _name(first.func) == "format"
                if isinstance(first, ast.JoinedStr | ast.BinOp) or formatted:
                    found.append(f"{path.relative_to(REPO_ROOT)}:{call.lineno}: {ast.unparse(call)[:80]}")
    return found


@pytest.fixture(scope="module")
def trees() -> dict[Path, ast.Module]:
    return _trees()


def test_every_message_shown_to_users_is_translatable(trees):
    found = untranslated_messages(trees)
    assert not found, "wrap these in _() with %(name)s placeholders:\n" + "\n".join(found)


def test_translation_calls_get_literal_msgids(trees):
    found = formatted_msgids(trees)
    assert not found, "_() needs a literal with %(name)s placeholders:\n" + "\n".join(found)


def test_the_scan_finds_f_strings_literals_and_subclasses():
    """The scanner itself: a literal, an f-string, a ``%`` format and an error subclass."""
    source = (
        "class Refused(NotFound):\n    pass\n"
        "def view(x):\n"
        "    flash(f'bad {x}', 'danger')\n"
        "    flash(_('Fine %(x)s', x=x), 'danger')\n"
        "    raise Refused('no such %s' % x)\n"
        "def api(name):\n"
        "    raise ValidationError({name: [f'{name}: wrong']})\n"
        "def page():\n"
        "    abort(400, description='Bad')\n"
    )
    found = untranslated_messages({REPO_ROOT / "x.py": ast.parse(source)})
    assert [f.split(": ", 1)[1] for f in found] == [
        "flash(f'bad {x}')",
        "Refused('no such %s')",
        "ValidationError(f'{name}: wrong')",
        "abort('Bad')",
    ]


def test_template_messages_hold_no_markup():
    """Jinja marks a translated template string safe, so ``<token>`` in a msgid vanishes into
    the HTML; text like that goes in a ``%(name)s`` value, which is escaped."""
    from babel.messages.extract import extract_from_dir

    found = [
        f"{root.name}: {msg[2]}"
        for root in [REPO_ROOT / "crm_core", *sorted((REPO_ROOT / "plugins").iterdir())]
        if root.is_dir()
        for msg in extract_from_dir(str(root), method_map=[("**/templates/**.html", "jinja2")])
        if any(c in (msg[2] if isinstance(msg[2], str) else msg[2][0]) for c in "<>&")
    ]
    assert not found, "move markup-like text into a placeholder value:\n" + "\n".join(found)
