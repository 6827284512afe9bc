"""Answers against a compiled definition: typed values, one message per field, hidden fields dropped.

    result = validate(compiled, answers, lang="zh", refs=TenantReferences())
    result.cleaned   # what is stored: visible fields with an answer, as JSON values
    result.errors    # {"amount": [{"code": "max_value", "message": "…"}], "items.2.qty": […]}

Fields are taken in order. A section or field whose `visible_when` does not hold is
hidden: its answer is ignored and never stored, and later conditions see it as empty.
A field is required when `required` is set or its `required_when` holds (and it is
visible). An answer that is not valid counts as empty for later conditions. A field
whose key is absent from the answers gets its default; one answered empty over a default
is stored as null, so that reading it again does not bring the default back.

Stored values: text → str; number, money → JSON number (money rounded to cents); date →
"YYYY-MM-DD"; time → "HH:MM"; datetime → "YYYY-MM-DDTHH:MM" (the organisation's local
time); choice → str; multichoice → [str]; boolean → bool; user, department, room → id;
file → [{"key", "name", "size", "type"}]; table → [{column: value}].
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from lowcode.forms import conditions
from lowcode.forms.definition import NUMERIC, REFERENCES, CompiledForm, Field, condition_value

CENT = Decimal("0.01")
MAX_TEXT = 10_000
MAX_NUMBER = Decimal("1e15")
MAX_DIGITS = 15
# Only the documented forms: Python's fromisoformat also takes "12.30", "1230Z", week dates…
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TIME = re.compile(r"[0-9]{2}:[0-9]{2}(:[0-9]{2})?")
DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?")


class Invalid(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Result:
    cleaned: dict = dc_field(default_factory=dict)
    errors: dict[str, list[dict]] = dc_field(default_factory=dict)
    visible: list[str] = dc_field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, key: str, code: str, message: str) -> None:
        self.errors.setdefault(key, []).append({"code": code, "message": message})


class NoReferences:
    """References checked by nobody: every id exists (for previews and pure tests)."""

    def existing(self, kind: str, ids: set) -> set:
        return set(ids)


def _store_number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def _text(field: Field, raw, *, single_line: bool) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise Invalid("invalid", _("Enter text."))
    value = raw.strip()
    if single_line:
        value = " ".join(value.split())
    if not value:
        return None
    lo, hi = field.get("min_length"), field.get("max_length", MAX_TEXT)
    if len(value) > _count(hi):
        raise Invalid(
            "max_length",
            _("At most %(n)s characters (this has %(len)s).") % {"n": _count(hi), "len": len(value)},
        )
    if lo is not None and len(value) < _count(lo):
        raise Invalid("min_length", _("At least %(n)s characters.") % {"n": _count(lo)})
    if field.pattern is not None and not field.pattern.fullmatch(value):
        raise Invalid("pattern", _("Not in the expected format."))
    return value


def _number(field: Field, raw):
    if raw is None or raw == "":
        return None
    number = conditions._number(raw)
    if number is None or isinstance(raw, bool) or abs(number) >= MAX_NUMBER:
        raise Invalid("invalid", _("Enter a number."))
    if len(number.normalize().as_tuple().digits) > MAX_DIGITS:
        # JSON numbers are read back as binary floats: more digits would not survive.
        raise Invalid("invalid", _("Use at most %(n)s digits.") % {"n": MAX_DIGITS})
    if field.type == "money":
        if number != number.quantize(CENT, rounding=ROUND_HALF_UP):
            raise Invalid("invalid", _("An amount has at most two decimals."))
        number = number.quantize(CENT)
    lo, hi = field.get("min"), field.get("max")
    if lo is not None and number < conditions._number(lo):
        raise Invalid("min_value", _("At least %(n)s.") % {"n": lo})
    if hi is not None and number > conditions._number(hi):
        raise Invalid("max_value", _("At most %(n)s.") % {"n": hi})
    return _store_number(number)


def _date(raw):
    if raw is None or raw == "":
        return None
    try:
        if not isinstance(raw, str) or not DATE.fullmatch(raw):
            raise ValueError
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        raise Invalid("invalid", _("Enter a date (YYYY-MM-DD).")) from None


def _time(raw):
    if raw is None or raw == "":
        return None
    try:
        if not isinstance(raw, str) or not TIME.fullmatch(raw):
            raise ValueError
        return dt.time.fromisoformat(raw).isoformat(timespec="minutes")
    except ValueError:
        raise Invalid("invalid", _("Enter a time (HH:MM).")) from None


def _datetime(raw):
    if raw is None or raw == "":
        return None
    try:
        if not isinstance(raw, str) or not DATETIME.fullmatch(raw):
            raise ValueError
        return dt.datetime.fromisoformat(raw).isoformat(timespec="minutes")
    except ValueError:
        raise Invalid("invalid", _("Enter a date and time (YYYY-MM-DD HH:MM).")) from None


def _choice(field: Field, raw):
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or raw not in field.option_values:
        raise Invalid("invalid_choice", _("Choose one of the options."))
    return raw


def _multichoice(field: Field, raw):
    if raw is None or raw == []:
        return None
    if not isinstance(raw, list) or any(not isinstance(v, str) or v not in field.option_values for v in raw):
        raise Invalid("invalid_choice", _("Choose among the options."))
    chosen = [v for v in field.option_values if v in raw]  # the options' order, once each
    lo, hi = field.get("min"), field.get("max")
    if lo is not None and len(chosen) < _count(lo):
        raise Invalid("too_few", _("Choose at least %(n)s.") % {"n": _count(lo)})
    if hi is not None and len(chosen) > _count(hi):
        raise Invalid("too_many", _("Choose at most %(n)s.") % {"n": _count(hi)})
    return chosen


def _boolean(raw):
    if raw is None or raw == "":
        return None
    if not isinstance(raw, bool):
        raise Invalid("invalid", _("Answer yes or no."))
    return raw


def _reference(raw):
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise Invalid("invalid", _("Choose from the list."))
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 19:
        raw = int(raw)
    if not isinstance(raw, int) or raw <= 0:
        raise Invalid("invalid", _("Choose from the list."))
    return raw


def _files(field: Field, raw):
    if raw is None or raw == []:
        return None
    if not isinstance(raw, list) or any(
        not isinstance(item, dict) or not isinstance(item.get("key"), str) for item in raw
    ):
        raise Invalid("invalid", _("Upload the file again."))
    hi = field.get("max")
    if hi is not None and len(raw) > _count(hi):
        raise Invalid("too_many", _("At most %(n)s files.") % {"n": _count(hi)})
    return [
        {
            "key": item["key"],
            "name": str(item.get("name") or "")[:200],
            "size": _size(item.get("size")),
            "type": str(item.get("type") or "")[:100],
        }
        for item in raw
    ]


def _size(raw) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < 2**53:
        return raw
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 16:
        return int(raw)
    return 0


def _count(value) -> int:
    """A checked count bound (min/max rows, selections, files, lengths) as an int."""
    return int(conditions._number(value))


def clean_value(field: Field, raw):
    """The stored value of one answer (None: empty), or Invalid."""
    kind = field.type
    if kind == "text":
        return _text(field, raw, single_line=True)
    if kind == "textarea":
        return _text(field, raw, single_line=False)
    if kind in NUMERIC:
        return _number(field, raw)
    if kind == "date":
        return _date(raw)
    if kind == "time":
        return _time(raw)
    if kind == "datetime":
        return _datetime(raw)
    if kind == "choice":
        return _choice(field, raw)
    if kind == "multichoice":
        return _multichoice(field, raw)
    if kind == "boolean":
        return _boolean(raw)
    if kind in REFERENCES:
        return _reference(raw)
    if kind == "file":
        return _files(field, raw)
    raise Invalid("invalid", _("Unsupported field."))


def _table(field: Field, raw, result: Result, references: list):
    if raw is None or raw == []:
        return None
    if not isinstance(raw, list) or any(not isinstance(row, dict) for row in raw):
        result.add(field.key, "invalid", _("Rows are missing or malformed."))
        return None
    rows = []
    failed = False
    for index, row in enumerate(raw):  # errors name the row as the person sees it
        cleaned_row, problems = {}, {}
        for column in field.columns:
            try:
                value = clean_value(column, row.get(column.key))
            except Invalid as exc:
                problems[column.key] = (exc.code, exc.message)
                continue
            if value is not None:
                cleaned_row[column.key] = value
        if not cleaned_row and not problems:
            continue  # a blank row (blank once cleaned: spaces count as nothing)
        for column in field.columns:
            if column.get("required", False) and column.key not in cleaned_row and column.key not in problems:
                problems[column.key] = ("required", _("This column is required."))
        for column in field.columns:
            where = f"{field.key}.{index}.{column.key}"
            if column.key in problems:
                result.add(where, *problems[column.key])
                failed = True
            elif column.type in REFERENCES and column.key in cleaned_row:
                references.append((column.type, cleaned_row[column.key], where))
        rows.append(cleaned_row)
    lo, hi = field.get("min"), field.get("max")
    if hi is not None and len(rows) > _count(hi):
        result.add(field.key, "too_many", _("At most %(n)s rows.") % {"n": _count(hi)})
        return None
    if rows and lo is not None and len(rows) < _count(lo):
        result.add(field.key, "too_few", _("At least %(n)s rows.") % {"n": _count(lo)})
        return None
    if failed:
        return None
    return rows or None


def validate(compiled: CompiledForm, answers, *, lang: str = "zh", refs=None) -> Result:
    """Validate `answers` (a dict from JSON) against a compiled definition."""
    with translation.override("en" if lang.startswith("en") else "zh-hans"):
        return _validate(compiled, answers if isinstance(answers, dict) else {}, refs or NoReferences())


def _validate(compiled: CompiledForm, answers: dict, refs) -> Result:
    result = Result()
    seen: dict = {}  # key → condition value of the visible, valid answers so far
    references: list[tuple[str, object, str]] = []
    for section in compiled.sections:
        section_visible = conditions.evaluate(section.spec.get("visible_when"), seen)
        for field in section.fields:
            if not section_visible or not conditions.evaluate(field.spec.get("visible_when"), seen):
                continue
            result.visible.append(field.key)
            required = bool(field.spec.get("required")) or (
                field.spec.get("required_when") is not None
                and conditions.evaluate(field.spec.get("required_when"), seen)
            )
            raw = answers[field.key] if field.key in answers else field.spec.get("default")
            if field.type == "table":
                errors_before = len(result.errors)
                value = _table(field, raw, result, references)
                if len(result.errors) != errors_before:
                    continue
            else:
                try:
                    value = clean_value(field, raw)
                except Invalid as exc:
                    result.add(field.key, exc.code, exc.message)
                    continue
            if value is None:
                if required:
                    result.add(field.key, "required", _("Please answer this."))
                elif field.key in answers and field.spec.get("default") is not None:
                    result.cleaned[field.key] = None  # cleared on purpose: the default must not come back
                continue
            if field.type in REFERENCES:
                references.append((field.type, value, field.key))
            elif field.type == "file":
                references += [("file", item["key"], field.key) for item in value]
            result.cleaned[field.key] = value
            seen[field.key] = condition_value(field, value)
    _check_references(references, refs, result)
    if result.errors:
        result.cleaned = {}
    return result


FACET_TYPES = {
    "choice",
    "multichoice",
    "number",
    "money",
    "boolean",
    "user",
    "department",
    "room",
    "date",
    "time",
    "datetime",
}
FACET_TEXT = 200


def facets(compiled: CompiledForm, cleaned: dict) -> dict:
    """The short answers of a submission, for filtering: everything but long texts, files and
    tables; texts up to 200 characters."""
    found = {}
    for field in compiled.fields:
        value = cleaned.get(field.key)
        if value is None:
            continue
        if field.type in FACET_TYPES:
            found[field.key] = value
        elif field.type == "text":
            found[field.key] = value[:FACET_TEXT]
    return found


def _check_references(references, refs, result: Result) -> None:
    wanted: dict[str, set] = {}
    for kind, value, _where in references:
        wanted.setdefault(kind, set()).add(value)
    found = {kind: refs.existing(kind, ids) for kind, ids in wanted.items()}
    for kind, value, where in references:
        if value not in found[kind]:
            result.add(where, "not_found", _("It no longer exists, or you may not choose it."))
