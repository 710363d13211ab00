"""The article schema: validation for the form, the API and imports (EXT-10)."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, pre_load, validate

from plugins.knowledge.models import LANGUAGES

LANGUAGE_LABELS = {
    "en": _l("English"),
    "es": _l("Spanish"),
    "ro": _l("Romanian"),
    "fr": _l("French"),
    "de": _l("German"),
    "it": _l("Italian"),
    "pt": _l("Portuguese"),
}
MAX_TAGS = 20
MAX_TAG = 40
MAX_BODY = 200_000
_TAG = re.compile(r"^[\w][\w .+#/-]*$")


def normalise_tags(raw: Any) -> str:
    """``"Billing,  ROAMING , billing"`` → ``"billing, roaming"``: lower case, trimmed, once each,
    in the order given; a list is accepted too (the API). Raises ``ValidationError``."""
    items = raw if isinstance(raw, list | tuple) else str(raw or "").split(",")
    tags: list[str] = []
    for item in items:
        tag = " ".join(str(item).split()).lower()
        if not tag or tag in tags:
            continue
        if len(tag) > MAX_TAG or not _TAG.match(tag):
            raise ValidationError(_("“%(tag)s” is not a valid tag: letters, digits and spaces, up to %(n)s characters.",
                                    tag=tag[:60], n=MAX_TAG))
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationError(_("At most %(n)s tags.", n=MAX_TAGS))
    return ", ".join(tags)


class ArticleSchema(Schema):
    id = fields.Int(dump_only=True)
    title = fields.Str(required=True, validate=validate.Length(min=1, max=200), metadata={"label": _l("Title")})
    body = fields.Str(
        validate=validate.Length(max=MAX_BODY),
        metadata={"label": _l("Text (Markdown)"), "widget": "textarea"},
    )
    product = fields.Str(validate=validate.Length(max=120), metadata={"label": _l("Product")})
    tags = fields.Str(validate=validate.Length(max=500), metadata={"label": _l("Tags (separated by commas)")})
    language = fields.Str(
        load_default="en",
        validate=validate.OneOf(LANGUAGES),
        metadata={"label": _l("Language"), "choices": lambda: [(c, LANGUAGE_LABELS[c]) for c in LANGUAGES]},
    )
    published = fields.Bool(load_default=False, metadata={"label": _l("Published (agents see it)")})
    public = fields.Bool(load_default=False, metadata={"label": _l("Public (customer portal)")})
    owner_id = fields.Int(metadata={"label": _l("Owner")})
    version = fields.Int(dump_only=True)

    @pre_load
    def _clean(self, data: Any, **_kwargs: Any) -> Any:
        """Tags are stored normalised whatever the path (form, API list or string, import)."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "tags" in data and data["tags"] is not None:
            try:
                data["tags"] = normalise_tags(data["tags"])
            except ValidationError as exc:
                raise ValidationError({"tags": exc.messages}) from exc
        for name in ("title", "product"):
            if isinstance(data.get(name), str):
                data[name] = data[name].strip()
        return data
