"""``[settings.knowledge]`` of customer.toml, validated at start-up (EXT-10).

``suggest_on`` names the sessions whose detail screen gets a "Knowledge" tab of suggested
articles, and which of their fields to read::

    [settings.knowledge.suggest_on.cases]
    text = ["subject", "description"]   # the words to look for
    product = "product"                 # optional: articles of this product first
    language = ""                       # optional: a field holding en, es, ro …

The names are checked against the sessions when the app starts (:func:`check_sources`).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate


class SuggestSource(Schema):
    text = fields.List(fields.Str(), required=True, validate=validate.Length(min=1, max=5))
    product = fields.Str(load_default="")
    language = fields.Str(load_default="")


class KnowledgeSettings(Schema):
    suggest_on = fields.Dict(keys=fields.Str(), values=fields.Nested(SuggestSource), load_default=dict)


def check_sources(sources: dict[str, Any], sessions: dict[str, Any]) -> list[str]:
    """Problems of ``suggest_on``: unknown sessions, sessions without records, unknown fields."""
    problems = []
    for name, source in sources.items():
        sdef = sessions.get(name)
        if sdef is None or sdef.model is None:
            problems.append(f"[settings.knowledge] suggest_on.{name}: no session {name!r} with records")
            continue
        columns = set(sdef.model.__table__.columns.keys()) | set(sdef.model.__mapper__.column_attrs.keys())
        for field in [*source["text"], source["product"], source["language"]]:
            if field and field not in columns:
                problems.append(f"[settings.knowledge] suggest_on.{name}: {sdef.model.__name__} has no field {field!r}")
    return problems
