"""Triage scripts as declared data (EXT-14): ``[settings.cases.triage.<product>]``.

A script is a tree of questions; each answer leads to the next question or to an outcome::

    [settings.cases.triage.router]
    start = "lights"
    types = ["defect"]            # the default: the case types that walk the script
    [settings.cases.triage.router.questions.lights]
    text = "Are the router's lights on?"
    answers = [
      { label = "Yes", next = "cable" },
      { label = "No", outcome = "Power supply fault: replace the adapter" },
    ]

The schema checks the whole tree at start-up (each answer has exactly one of ``next`` and
``outcome``, ``start`` and every ``next`` name a question, no loops, no unreachable question),
so a broken script stops the start naming its key, never an agent mid-call.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

KEY = validate.Regexp(r"^[A-Za-z0-9_-]{1,60}$")


class AnswerSchema(Schema):
    label = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    next = fields.Str(load_default="", validate=validate.Length(max=60))
    outcome = fields.Str(load_default="", validate=validate.Length(max=2000))

    @validates_schema
    def _one_way(self, data: dict[str, Any], **_kw: Any) -> None:
        if bool(data.get("next")) == bool(data.get("outcome")):
            raise ValidationError(_("An answer leads either to a next question or to an outcome."))


class QuestionSchema(Schema):
    text = fields.Str(required=True, validate=validate.Length(min=1, max=2000))
    answers = fields.List(fields.Nested(AnswerSchema), required=True, validate=validate.Length(min=1, max=20))


class ScriptSchema(Schema):
    """One product's script: where it starts and its questions by key."""

    start = fields.Str(required=True, validate=KEY)
    #: The case types walked through the script (a client's own name for defects: "fault").
    types = fields.List(
        fields.Str(validate=validate.Length(min=1, max=40)), load_default=lambda: ["defect"],
        validate=validate.Length(min=1),
    )
    questions = fields.Dict(
        keys=fields.Str(validate=KEY), values=fields.Nested(QuestionSchema), required=True,
        validate=validate.Length(min=1), metadata={"label": _l("Questions")},
    )

    @validates_schema
    def _a_tree(self, data: dict[str, Any], **_kw: Any) -> None:
        questions = data.get("questions") or {}
        start = data.get("start")
        if start not in questions:
            raise ValidationError({"start": [_("No question is called “%(key)s”.", key=start)]})
        for key, question in questions.items():
            for answer in question["answers"]:
                if answer["next"] and answer["next"] not in questions:
                    raise ValidationError(
                        {"questions": [_("“%(key)s”: no question is called “%(next)s”.", key=key, next=answer["next"])]}
                    )
        seen = _walk(questions, start, ())
        unreachable = sorted(set(questions) - seen)
        if unreachable:
            raise ValidationError(
                {"questions": [_("Never asked (no answer leads to them): %(keys)s.", keys=", ".join(unreachable))]}
            )


def _walk(questions: dict[str, Any], key: str, path: tuple[str, ...]) -> set[str]:
    """The questions reachable from ``key``; a path coming back to a question is a loop."""
    if key in path:
        raise ValidationError({"questions": [_("The script loops back to “%(key)s”.", key=key)]})
    seen = {key}
    for answer in questions[key]["answers"]:
        if answer["next"]:
            seen |= _walk(questions, answer["next"], (*path, key))
    return seen


def triage_field() -> fields.Field:
    """The ``triage`` entry of ``[settings.cases]``: scripts by product code."""
    return fields.Dict(
        keys=fields.Str(validate=validate.Length(min=1, max=120)),
        values=fields.Nested(ScriptSchema),
        metadata={"label": _l("Triage scripts")},
    )
