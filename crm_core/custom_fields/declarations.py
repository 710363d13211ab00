"""``[fields.<session>.<field>]`` of customer.toml (and the administrator's stored rows) as
:class:`FieldDecl`: shape-checked here, checked against the session's schema by
:func:`crm_core.custom_fields.apply.apply_fields`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: The types of a custom field, by the name a consultant writes.
TYPES = (
    "text", "long_text", "integer", "decimal", "money", "date", "datetime", "boolean",
    "choice", "multi_choice", "lookup", "email", "phone", "url",
)
#: Keys a built-in field accepts (its type and storage are the plugin's).
BUILTIN_KEYS = frozenset({"label", "help", "required", "position", "hidden", "vocabulary", "parent"})
CUSTOM_KEYS = BUILTIN_KEYS | {
    "type", "default", "choices", "lookup", "max_length", "searchable", "sortable", "listable",
    "importable", "exportable",
}
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class FieldDecl:
    """One declared field of one session. ``type`` is ``None`` for a built-in field's settings;
    ``label`` and ``help`` map language codes to text; ``choices`` maps each stored code to its
    labels per language (in order)."""

    session_name: str
    name: str
    type: str | None = None
    label: Mapping[str, str] = field(default_factory=dict)
    help: Mapping[str, str] = field(default_factory=dict)
    required: bool | None = None
    position: int | None = None
    hidden: bool = False
    default: Any = None
    choices: tuple[tuple[str, Mapping[str, str]], ...] = ()
    lookup: str | None = None
    #: the administrators' list the values come from (Configuration → Vocabularies), instead of
    #: ``choices``; ``parent`` names the field whose value each value must belong to.
    vocabulary: str | None = None
    parent: str | None = None
    max_length: int = 255
    searchable: bool = False
    sortable: bool = True
    listable: bool = False
    importable: bool = True
    exportable: bool = True
    #: where it was declared: ``customer.toml`` (read-only on the screen) or ``database``.
    source: str = "customer.toml"

    @property
    def custom(self) -> bool:
        return self.type is not None


class DeclError(ValueError):
    """A declaration problem: ``key`` (relative to the field) and the message."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _texts(value: Any, key: str) -> dict[str, str]:
    """A label: one string (every language) or ``{en = "...", es = "..."}``."""
    if isinstance(value, str):
        return {"": value} if value.strip() else {}
    if isinstance(value, Mapping) and value and all(
        isinstance(k, str) and re.fullmatch(r"[a-z]{2}", k) and isinstance(v, str) and v.strip()
        for k, v in value.items()
    ):
        return dict(value)
    raise DeclError(
        key, "must be a text or a table of texts by language code, e.g. {en = \"Segment\", es = \"Segmento\"}"
    )


def _flag(spec: Mapping[str, Any], key: str, default: bool) -> bool:
    value = spec.get(key, default)
    if not isinstance(value, bool):
        raise DeclError(key, "must be true or false")
    return value


def parse_decl(session_name: str, name: str, spec: Any, source: str = "customer.toml") -> FieldDecl:
    """One field's table; raises :class:`DeclError`."""
    if not isinstance(spec, Mapping):
        raise DeclError("", "must be a table")
    if not NAME.match(name):
        raise DeclError("", "a field name is lower-case letters, digits and _ (at most 40), starting with a letter")
    kind = spec.get("type")
    allowed = CUSTOM_KEYS if kind is not None else BUILTIN_KEYS
    for key in spec:
        if key not in allowed:
            hint = " (only custom fields, which have a 'type', take it)" if key in CUSTOM_KEYS else ""
            raise DeclError(key, f"unknown key{hint}; expected one of {sorted(allowed)}")
    if kind is not None and kind not in TYPES:
        raise DeclError("type", f"unknown type {kind!r}; types: {', '.join(TYPES)}")
    required = spec.get("required")
    if required is not None and not isinstance(required, bool):
        raise DeclError("required", "must be true or false")
    position = spec.get("position")
    if position is not None and (not isinstance(position, int) or isinstance(position, bool) or position < 1):
        raise DeclError("position", "must be a whole number from 1")
    max_length = spec.get("max_length", 255)
    if not isinstance(max_length, int) or isinstance(max_length, bool) or not 1 <= max_length <= 10000:
        raise DeclError("max_length", "must be a whole number from 1 to 10000")
    choices: list[tuple[str, Mapping[str, str]]] = []
    raw_choices = spec.get("choices")
    vocabulary, parent = spec.get("vocabulary"), spec.get("parent")
    if vocabulary is not None and not (isinstance(vocabulary, str) and NAME.match(vocabulary)):
        raise DeclError("vocabulary", "must be a vocabulary name (lower-case letters, digits and _)")
    if vocabulary is not None and kind not in (None, "choice", "multi_choice"):
        raise DeclError("vocabulary", "only choice and multi_choice fields (or built-in fields) take a vocabulary")
    if parent is not None and (vocabulary is None or not isinstance(parent, str) or not NAME.match(parent)):
        raise DeclError("parent", "names the field of the parent value, and needs a vocabulary")
    if kind in ("choice", "multi_choice") and vocabulary is not None:
        if raw_choices is not None:
            raise DeclError("choices", "give either choices or a vocabulary, not both")
    elif kind in ("choice", "multi_choice"):
        if isinstance(raw_choices, list) and raw_choices and all(isinstance(c, str) and c for c in raw_choices):
            choices = [(c, {"": c}) for c in raw_choices]
        elif isinstance(raw_choices, Mapping) and raw_choices:
            choices = [(str(code), _texts(labels, f"choices.{code}")) for code, labels in raw_choices.items()]
        else:
            raise DeclError(
                "choices",
                "a choice field needs choices (a list of codes or a table code = {en = ..., es = ...}) or a vocabulary",
            )
    elif raw_choices is not None:
        raise DeclError("choices", "only choice and multi_choice fields take choices")
    lookup = spec.get("lookup")
    if kind == "lookup" and not (isinstance(lookup, str) and lookup):
        raise DeclError("lookup", "a lookup field names the session it points at, e.g. lookup = \"accounts\"")
    if kind != "lookup" and lookup is not None:
        raise DeclError("lookup", "only lookup fields take it")
    return FieldDecl(
        session_name=session_name,
        name=name,
        type=kind,
        label=_texts(spec["label"], "label") if "label" in spec else {},
        help=_texts(spec["help"], "help") if "help" in spec else {},
        required=required,
        position=position,
        hidden=_flag(spec, "hidden", False),
        default=spec.get("default"),
        choices=tuple(choices),
        lookup=lookup,
        vocabulary=vocabulary,
        parent=parent,
        max_length=max_length,
        searchable=_flag(spec, "searchable", False),
        sortable=_flag(spec, "sortable", True),
        listable=_flag(spec, "listable", False),
        importable=_flag(spec, "importable", True),
        exportable=_flag(spec, "exportable", True),
        source=source,
    )


def parse_fields(raw: Any) -> tuple[list[FieldDecl], list[tuple[str, str]]]:
    """``[fields]`` of customer.toml → declarations and ``(key, problem)`` pairs."""
    decls: list[FieldDecl] = []
    problems: list[tuple[str, str]] = []
    if not isinstance(raw, Mapping):
        return [], [("fields", "must hold one table per session, e.g. [fields.leads.segment]")]
    for session_name, table in raw.items():
        if not isinstance(table, Mapping):
            problems.append((f"fields.{session_name}", "must hold one table per field"))
            continue
        for name, spec in table.items():
            try:
                decls.append(parse_decl(session_name, name, spec))
            except DeclError as exc:
                key = f"fields.{session_name}.{name}" + (f".{exc.key}" if exc.key else "")
                problems.append((key, str(exc)))
    return decls, problems
