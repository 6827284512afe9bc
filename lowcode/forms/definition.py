"""Form definitions are data: what a definition looks like, and what makes one publishable.

    {"sections": [
        {"key": "basics", "title": {"zh": "基本信息", "en": "Basics"}, "visible_when": null,
         "fields": [
            {"key": "category", "type": "choice", "label": {"zh": "类别", "en": "Category"},
             "help": {"zh": "", "en": ""}, "placeholder": {"zh": "", "en": ""},
             "required": true, "default": null,
             "options": [{"value": "renovation", "label": {"zh": "改造", "en": "Renovation"}}]},
            {"key": "amount", "type": "money", "label": {...}, "min": 0, "max": 100000,
             "required_when": {"field": "category", "op": "eq", "value": "renovation"}},
            {"key": "items", "type": "table", "label": {...}, "min": 1, "max": 20,
             "columns": [{"key": "name", "type": "text", ...}, {"key": "qty", "type": "number", ...}]}
         ]}
    ]}

Keys are lower-case identifiers, unique in the whole form (columns: unique in their
table). A condition (`visible_when` on sections and fields, `required_when` on fields)
may only read fields that come *before* it, so visibility is worked out in one pass, in
the same order, on the server and in the browser. Columns of a table take no conditions.

Field settings by type (all optional): text — min_length, max_length, pattern;
textarea — min_length, max_length; number and money — min, max (money has 2 decimals);
multichoice — min, max (selections); file — max (files); table — min, max (rows);
choice and multichoice — options (required).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lowcode.forms import conditions

FIELD_TYPES = {
    "text": gettext_lazy("Text"),
    "textarea": gettext_lazy("Long text"),
    "number": gettext_lazy("Number"),
    "money": gettext_lazy("Money"),
    "date": gettext_lazy("Date"),
    "time": gettext_lazy("Time"),
    "datetime": gettext_lazy("Date and time"),
    "choice": gettext_lazy("Single choice"),
    "multichoice": gettext_lazy("Multiple choice"),
    "boolean": gettext_lazy("Yes / no"),
    "user": gettext_lazy("Person"),
    "department": gettext_lazy("Department"),
    "room": gettext_lazy("Location (room)"),
    "asset": gettext_lazy("Asset"),
    "file": gettext_lazy("File or photo"),
    "table": gettext_lazy("Repeating rows"),
}
NUMERIC = {"number", "money"}
ORDERED_TYPES = {"number", "money", "date", "time", "datetime"}
REFERENCES = {"user", "department", "room", "asset"}
# Which operators make sense on which field type (publishing refuses the others).
OPERATORS_FOR = {
    "text": {"eq", "ne", "in", "not_in", "contains", "not_contains", "empty", "not_empty"},
    "textarea": {"contains", "not_contains", "empty", "not_empty"},
    "number": {"eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "empty", "not_empty"},
    "money": {"eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "empty", "not_empty"},
    "date": {"eq", "ne", "gt", "gte", "lt", "lte", "empty", "not_empty"},
    "time": {"eq", "ne", "gt", "gte", "lt", "lte", "empty", "not_empty"},
    "datetime": {"gt", "gte", "lt", "lte", "empty", "not_empty"},
    "choice": {"eq", "ne", "in", "not_in", "empty", "not_empty"},
    "multichoice": {"contains", "not_contains", "empty", "not_empty"},
    "boolean": {"eq", "ne", "empty", "not_empty"},
    "user": {"eq", "ne", "in", "not_in", "empty", "not_empty"},
    "department": {"eq", "ne", "in", "not_in", "empty", "not_empty"},
    "room": {"eq", "ne", "in", "not_in", "empty", "not_empty"},
    "asset": {"eq", "ne", "in", "not_in", "empty", "not_empty"},
    "file": {"empty", "not_empty"},
    "table": {"empty", "not_empty"},
}
KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")  # used with fullmatch: no trailing newline slips in
MAX_FIELDS = 200
MAX_OPTIONS = 500
AVAILABLE_REFERENCES = {"user", "department", "room"}  # assets arrive with their module


def text_in(value, lang: str) -> str:
    """A {"zh": …, "en": …} text in `lang`, falling back to the other language."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return ""
    primary = "en" if lang.startswith("en") else "zh"
    other = "zh" if primary == "en" else "en"
    return str(value.get(primary) or value.get(other) or "")


@dataclass
class Problem:
    """Why a definition cannot be published: where, a code, and a sentence."""

    where: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"where": self.where, "code": self.code, "message": self.message}


@dataclass
class Field:
    key: str
    type: str
    spec: dict
    section: str
    columns: list[Field] = field(default_factory=list)
    pattern: re.Pattern | None = None
    option_values: tuple = ()

    def label(self, lang: str) -> str:
        return text_in(self.spec.get("label"), lang) or self.key

    def get(self, name, default=None):
        value = self.spec.get(name)
        return default if value is None else value


@dataclass
class Section:
    key: str
    spec: dict
    fields: list[Field]


@dataclass
class CompiledForm:
    """A definition ready for validation: fields in order, regexes compiled."""

    sections: list[Section]
    fields: list[Field]  # top-level, in order
    by_key: dict[str, Field]


def _field_problems(spec, where: str, *, in_table: bool) -> list[Problem]:
    problems = []
    kind = spec.get("type")
    if not isinstance(kind, str) or kind not in FIELD_TYPES:
        return [Problem(where, "unknown_type", _("Unknown field type “%(type)s”.") % {"type": kind})]
    if kind in REFERENCES and kind not in AVAILABLE_REFERENCES:
        problems.append(Problem(where, "unavailable_type", _("Asset fields arrive with the assets module.")))
    if in_table and kind in ("table", "file"):
        problems.append(Problem(where, "nested_table", _("A table column cannot be a table or a file.")))
    if in_table and (spec.get("visible_when") or spec.get("required_when")):
        problems.append(Problem(where, "column_condition", _("Table columns take no conditions.")))
    if not text_in(spec.get("label"), "zh").strip():
        problems.append(Problem(where, "missing_label", _("Give the field a label.")))
    if kind in ("choice", "multichoice"):
        options = spec.get("options")
        if not isinstance(options, list) or not options:
            problems.append(Problem(where, "missing_options", _("A choice needs at least one option.")))
        else:
            values = [o.get("value") if isinstance(o, dict) else None for o in options]
            if any(not isinstance(v, str) or not v.strip() for v in values):
                problems.append(Problem(where, "bad_option", _("Every option needs a value.")))
            elif len(set(values)) != len(values):
                problems.append(Problem(where, "duplicate_option", _("Two options have the same value.")))
            if len(values) > MAX_OPTIONS:
                problems.append(Problem(where, "too_many_options", _("At most 500 options.")))
    counted = kind in ("multichoice", "file", "table")  # their min/max count selections, files, rows
    for low, high in (("min", "max"), ("min_length", "max_length")):
        lo, hi = spec.get(low), spec.get(high)
        whole = counted or low == "min_length"
        for name, bound in ((low, lo), (high, hi)):
            if bound is None:
                continue
            number = None if isinstance(bound, (bool, str)) else conditions._number(bound)
            if number is None or (whole and (number != number.to_integral_value() or number < 0)):
                message = (
                    _("“%(name)s” must be a whole number, 0 or more.")
                    if whole
                    else _("“%(name)s” must be a number.")
                )
                problems.append(Problem(where, "bad_bound", message % {"name": name}))
                lo = hi = None
        if lo is not None and hi is not None and conditions._number(lo) > conditions._number(hi):
            problems.append(
                Problem(
                    where,
                    "bad_bounds",
                    _("“%(low)s” is larger than “%(high)s”.") % {"low": low, "high": high},
                )
            )
    pattern = spec.get("pattern")
    if pattern:
        if kind != "text":
            problems.append(Problem(where, "bad_pattern", _("Only text fields take a pattern.")))
        else:
            try:
                re.compile(pattern)
            except (re.error, TypeError):
                problems.append(
                    Problem(where, "bad_pattern", _("The pattern is not a valid regular expression."))
                )
    if kind == "table":
        columns = spec.get("columns")
        if not isinstance(columns, list) or not columns:
            problems.append(Problem(where, "missing_columns", _("A table needs at least one column.")))
        else:
            seen = set()
            for index, column in enumerate(columns):
                column_where = f"{where}.columns[{index}]"
                if not isinstance(column, dict):
                    problems.append(Problem(column_where, "bad_field", _("A column must be an object.")))
                    continue
                key = column.get("key")
                if not isinstance(key, str) or not KEY.fullmatch(key):
                    problems.append(Problem(column_where, "bad_key", _key_message(key)))
                elif key in seen:
                    problems.append(
                        Problem(
                            column_where,
                            "duplicate_key",
                            _("Two columns use the key “%(key)s”.") % {"key": key},
                        )
                    )
                else:
                    seen.add(key)
                problems += _field_problems(column, column_where, in_table=True)
    return problems


def _key_message(key) -> str:
    return _(
        "“%(key)s” is not a valid key: start with a letter; use lower-case letters, digits and _ (at most 40)."
    ) % {"key": key}


def _condition_problems(condition, where, earlier: dict[str, str]) -> list[Problem]:
    """A condition reads only earlier fields, with operators and values that suit them."""
    if condition is None:
        return []
    problems = []

    def walk(node, depth):
        if depth > conditions.MAX_DEPTH or not isinstance(node, dict):
            problems.append(
                Problem(where, "bad_condition", _("The condition is malformed or too deeply nested."))
            )
            return
        for group in ("all", "any"):
            if group in node:
                if not isinstance(node[group], list):
                    problems.append(
                        Problem(where, "bad_condition", _("“%(group)s” takes a list.") % {"group": group})
                    )
                    return
                for item in node[group]:
                    walk(item, depth + 1)
                return
        if "not" in node:
            walk(node["not"], depth + 1)
            return
        key, op = node.get("field"), node.get("op")
        if not isinstance(key, str) or key not in earlier:
            problems.append(
                Problem(
                    where,
                    "unknown_field",
                    _("The condition refers to “%(key)s”, which is not a field before this one.")
                    % {"key": key},
                )
            )
            return
        kind = earlier[key]
        if not isinstance(op, str) or op not in OPERATORS_FOR[kind]:
            problems.append(
                Problem(
                    where,
                    "bad_operator",
                    _("“%(op)s” cannot be used on “%(key)s” (%(type)s).")
                    % {"op": op, "key": key, "type": kind},
                )
            )
            return
        if op in ("empty", "not_empty"):
            return
        value = node.get("value")
        values = value if op in ("in", "not_in") else [value]
        if op in ("in", "not_in") and not isinstance(value, list):
            problems.append(Problem(where, "bad_value", _("“%(op)s” takes a list of values.") % {"op": op}))
            return
        for item in values:
            if not _value_suits(kind, item):
                problems.append(
                    Problem(
                        where,
                        "bad_value",
                        _("%(value)s is not a value “%(key)s” can have.") % {"value": repr(item), "key": key},
                    )
                )

    walk(condition, 0)
    return problems


def _value_suits(kind: str, value) -> bool:
    if kind in NUMERIC:
        return not isinstance(value, (bool, str)) and conditions._number(value) is not None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in REFERENCES:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str)


def check(definition) -> list[Problem]:
    """Everything that stops a definition from being published (empty: publishable)."""
    if not isinstance(definition, dict) or not isinstance(definition.get("sections"), list):
        return [Problem("", "bad_definition", _("A definition has a list of sections."))]
    problems: list[Problem] = []
    earlier: dict[str, str] = {}
    seen_sections: set[str] = set()
    count = 0
    for s_index, section in enumerate(definition["sections"]):
        where = f"sections[{s_index}]"
        if not isinstance(section, dict):
            problems.append(Problem(where, "bad_section", _("A section must be an object.")))
            continue
        key = section.get("key")
        if not isinstance(key, str) or not KEY.fullmatch(key):
            problems.append(Problem(where, "bad_key", _key_message(key)))
        elif key in seen_sections:
            problems.append(
                Problem(where, "duplicate_key", _("Two sections use the key “%(key)s”.") % {"key": key})
            )
        if isinstance(key, str):
            seen_sections.add(key)
        problems += _condition_problems(section.get("visible_when"), where + ".visible_when", earlier)
        fields = section.get("fields")
        if not isinstance(fields, list):
            problems.append(Problem(where, "bad_section", _("A section has a list of fields.")))
            continue
        for f_index, spec in enumerate(fields):
            f_where = f"{where}.fields[{f_index}]"
            count += 1
            if not isinstance(spec, dict):
                problems.append(Problem(f_where, "bad_field", _("A field must be an object.")))
                continue
            f_key = spec.get("key")
            if not isinstance(f_key, str) or not KEY.fullmatch(f_key):
                problems.append(Problem(f_where, "bad_key", _key_message(f_key)))
            elif f_key in earlier:
                problems.append(
                    Problem(f_where, "duplicate_key", _("Two fields use the key “%(key)s”.") % {"key": f_key})
                )
            problems += _field_problems(spec, f_where, in_table=False)
            problems += _condition_problems(spec.get("visible_when"), f_where + ".visible_when", earlier)
            problems += _condition_problems(spec.get("required_when"), f_where + ".required_when", earlier)
            kind = spec.get("type")
            if (
                isinstance(f_key, str)
                and f_key not in earlier
                and isinstance(kind, str)
                and kind in FIELD_TYPES
            ):
                earlier[f_key] = spec["type"]
    if count == 0:
        problems.append(Problem("", "no_fields", _("A form needs at least one field.")))
    if count > MAX_FIELDS:
        problems.append(Problem("", "too_many_fields", _("At most 200 fields.")))
    return problems


def _compile_field(spec: dict, section: str) -> Field:
    compiled = Field(key=spec["key"], type=spec["type"], spec=spec, section=section)
    if spec.get("pattern"):
        compiled.pattern = re.compile(spec["pattern"])
    if spec["type"] in ("choice", "multichoice"):
        compiled.option_values = tuple(o["value"] for o in spec.get("options") or ())
    if spec["type"] == "table":
        compiled.columns = [_compile_field(column, section) for column in spec.get("columns") or ()]
    return compiled


def compile_form(definition: dict) -> CompiledForm:
    """A checked definition (see `check`) as objects; raises ValueError on an unchecked one."""
    problems = check(definition)
    if problems:
        raise ValueError(f"definition has problems: {problems[0].message}")
    sections, fields = [], []
    for section in definition["sections"]:
        compiled = [_compile_field(spec, section["key"]) for spec in section["fields"]]
        sections.append(Section(key=section["key"], spec=section, fields=compiled))
        fields += compiled
    return CompiledForm(sections=sections, fields=fields, by_key={f.key: f for f in fields})


def condition_value(field: Field, cleaned):
    """What conditions compare for a field's cleaned answer (see conditions.py)."""
    if cleaned is None:
        return None
    if field.type in NUMERIC:
        return Decimal(str(cleaned))
    if field.type in ("file", "table"):
        return cleaned or None
    return cleaned


def empty_definition() -> dict:
    return {"sections": [{"key": "main", "title": {"zh": "", "en": ""}, "fields": []}]}


def field_keys(definition: dict) -> dict[str, str]:
    """key → type of every top-level field of a definition (checked or not)."""
    found = {}
    for section in definition.get("sections") or ():
        for spec in section.get("fields") or ():
            if isinstance(spec, dict) and isinstance(spec.get("key"), str):
                found.setdefault(spec["key"], spec.get("type"))
    return found


_JSON_TYPES = {
    "text": {"type": "string"},
    "textarea": {"type": "string"},
    "number": {"type": "number"},
    "money": {"type": "number", "multipleOf": 0.01},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
    "datetime": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-2][0-9]:[0-5][0-9]$"},
    "boolean": {"type": "boolean"},
    "user": {"type": "integer", "x-reference": "user"},
    "department": {"type": "integer", "x-reference": "department"},
    "room": {"type": "integer", "x-reference": "room"},
    "asset": {"type": "integer", "x-reference": "asset"},
    "file": {"type": "array", "items": {"type": "object", "required": ["key"]}, "x-upload": True},
}


def _json_schema_of(spec: dict, lang: str) -> dict:
    kind = spec.get("type")
    if kind == "choice":
        schema = {"type": "string", "enum": [o.get("value") for o in spec.get("options") or []]}
    elif kind == "multichoice":
        schema = {
            "type": "array",
            "uniqueItems": True,
            "items": {"type": "string", "enum": [o.get("value") for o in spec.get("options") or []]},
        }
    elif kind == "table":
        columns = spec.get("columns") or []
        schema = {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {c["key"]: _json_schema_of(c, lang) for c in columns},
                "required": [c["key"] for c in columns if c.get("required")],
            },
        }
    else:
        schema = dict(_JSON_TYPES.get(kind, {}))
    schema["title"] = text_in(spec.get("label"), lang)
    if text_in(spec.get("help"), lang):
        schema["description"] = text_in(spec.get("help"), lang)
    schema["x-type"] = kind
    limits = {"min_length": "minLength", "max_length": "maxLength", "pattern": "pattern"}
    if kind in NUMERIC:
        limits.update(min="minimum", max="maximum")
    elif kind in ("multichoice", "table", "file"):
        limits.update(min="minItems", max="maxItems")
    for ours, theirs in limits.items():
        if spec.get(ours) is not None:
            schema[theirs] = spec[ours]
    if spec.get("default") is not None:
        schema["default"] = spec["default"]
    for condition in ("visible_when", "required_when"):
        if spec.get(condition) is not None:
            schema[f"x-{condition.replace('_', '-')}"] = spec[condition]
    return schema


def to_json_schema(definition: dict, lang: str = "zh") -> dict:
    """A JSON Schema (2020-12) description of a published definition, for API clients.

    Conditions stay ours (`x-visible-when`, `x-required-when`: lowcode/forms/conditions.py);
    `required` lists the fields required whenever they are visible.
    """
    properties, required = {}, []
    for section in definition.get("sections") or []:
        for spec in section.get("fields") or []:
            schema = _json_schema_of(spec, lang)
            schema["x-section"] = section.get("key")
            if section.get("visible_when") is not None:
                schema["x-section-visible-when"] = section["visible_when"]
            properties[spec["key"]] = schema
            if spec.get("required"):
                required.append(spec["key"])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
