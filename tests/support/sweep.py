"""Tools of the bad-input sweep (tests/core/test_bad_input_sweep.py): a request class that
records which query and form parameters a view reads, and a parser for the forms of a page."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from flask import Request
from werkzeug.datastructures import MultiDict

#: Parameter names read by the views of the request being served (reset before each request).
READ: set[str] = set()


class RecordingMultiDict(MultiDict):
    """A ``MultiDict`` that notes every key a view asks for, present or not."""

    def __getitem__(self, key: Any) -> Any:
        READ.add(key)
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:
        READ.add(key)
        return super().get(key, default, type)

    def getlist(self, key: Any, type: Any = None) -> list[Any]:
        READ.add(key)
        return super().getlist(key, type)

    def __contains__(self, key: object) -> bool:
        READ.add(key)  # type: ignore[arg-type]
        return super().__contains__(key)


class RecordingRequest(Request):
    """``request.args`` and ``request.form`` record the names views read."""

    parameter_storage_class = RecordingMultiDict


@dataclass
class Form:
    method: str
    action: str | None
    fields: list[tuple[str, str]] = field(default_factory=list)


class FormParser(HTMLParser):
    """The forms of a page with the values a browser would submit without typing anything:
    inputs' values, checked boxes, each select's selected (or first non-empty) option,
    textareas' text, the first named button. File inputs are left out."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._textarea: list[str] | None = None
        self._textarea_name = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("method", "get").lower(), a.get("action")))
            return
        if not self.forms:
            return
        form, name = self.forms[-1], a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "file" or (kind in ("checkbox", "radio") and "checked" not in a):
                return
            form.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "button" and name and name not in dict(form.fields):
            form.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            self._select[1].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self._textarea, self._textarea_name = [], name

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            name, options = self._select
            chosen = [v for v, sel in options if sel] or [v for v, _s in options if v] or [""]
            self.forms[-1].fields.append((name, chosen[0]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1].fields.append((self._textarea_name, "".join(self._textarea)))
            self._textarea = None


def forms_of(html: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms
