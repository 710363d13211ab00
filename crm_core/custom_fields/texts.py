"""Texts in several languages, shown in the current user's (per-client labels, help, choices)."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import get_locale


class Texts:
    """A text in several languages (``{"en": ..., "es": ...}``), shown in the current user's
    language; falls back to English, then to the first one given. Works wherever the core
    calls ``str()`` on a label, like a lazy translation."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self.texts = dict(texts)

    def __str__(self) -> str:
        try:
            locale = get_locale()
        except (RuntimeError, KeyError, AttributeError):
            locale = None
        language = locale.language if locale is not None else "en"
        for key in (language, "en", ""):
            if key in self.texts:
                return self.texts[key]
        return next(iter(self.texts.values()), "")

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.texts.items())))

    def __repr__(self) -> str:
        return f"Texts({self.texts!r})"
