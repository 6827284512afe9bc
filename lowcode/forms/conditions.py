"""Conditions: data, evaluated by this small interpreter (and by lowcode/forms/static/lowcode/forms/runtime.js
with the same semantics). Never `eval`, never a template.

A condition is JSON:

    {"field": "amount", "op": "gt", "value": 5000}
    {"all": [c, c, ...]}      every one holds (an empty list holds)
    {"any": [c, c, ...]}      at least one holds (an empty list does not)
    {"not": c}

Operators, on the *condition value* of the field's answer (`definition.condition_value`):

    eq, ne                  equal / not equal (numbers as numbers, everything else exactly)
    gt, gte, lt, lte        numbers, money, dates, times, date-times
    in, not_in              the answer is / is not one of a list of values
    contains, not_contains  a multiple choice includes the value; a text includes it as a substring
    empty, not_empty        no answer (or a hidden field) / an answer

An empty answer — none given, or the field is hidden — makes `empty` true and every other
operator false (including `ne` and `not_in`: an unknown is neither equal nor unequal).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

OPERATORS = {
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "not_in",
    "contains",
    "not_contains",
    "empty",
    "not_empty",
}
ORDERED = {"gt", "gte", "lt", "lte"}
MAX_DEPTH = 8


def is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _number(value):
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, (int, Decimal)):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, str):
            number = Decimal(value.strip())
        else:
            return None
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _same(answer, expected) -> bool:
    """Numbers (the answers of number and money fields) compare as numbers; everything
    else exactly, and a yes/no only with a yes/no (True is not 1)."""
    if isinstance(answer, Decimal):
        right = _number(expected)
        return right is not None and answer == right
    if isinstance(answer, bool) or isinstance(expected, bool):
        return answer is expected
    return answer == expected


def compare(op: str, answer, expected) -> bool:
    """One comparison; `answer` is already a condition value (see definition.condition_value)."""
    if op == "empty":
        return is_empty(answer)
    if op == "not_empty":
        return not is_empty(answer)
    if is_empty(answer):
        return False
    if op == "eq":
        return _same(answer, expected)
    if op == "ne":
        return not _same(answer, expected)
    if op in ("in", "not_in"):
        if not isinstance(expected, list):
            return False
        found = any(_same(answer, item) for item in expected)
        return found if op == "in" else not found
    if op in ("contains", "not_contains"):
        if isinstance(answer, list):
            found = any(_same(item, expected) for item in answer)
        elif isinstance(answer, str) and isinstance(expected, str):
            found = expected in answer
        else:
            return False
        return found if op == "contains" else not found
    if op in ORDERED:
        if isinstance(answer, Decimal):
            right = _number(expected)
            if right is None:
                return False
            left = answer
        elif isinstance(answer, str) and isinstance(expected, str):
            left, right = answer, expected
        else:
            return False
        if op == "gt":
            return left > right
        if op == "gte":
            return left >= right
        if op == "lt":
            return left < right
        return left <= right
    return False


def evaluate(condition, values: dict) -> bool:
    """Does `condition` hold for `values` (field key → condition value; absent = empty)?

    None (no condition) holds. A malformed condition does not hold; publishing refuses
    malformed conditions, so this only protects against stored data gone wrong.
    """
    if condition is None:
        return True
    return _evaluate(condition, values, 0)


def _evaluate(condition, values, depth) -> bool:
    if depth > MAX_DEPTH or not isinstance(condition, dict):
        return False
    if "all" in condition:
        items = condition["all"]
        return isinstance(items, list) and all(_evaluate(c, values, depth + 1) for c in items)
    if "any" in condition:
        items = condition["any"]
        return isinstance(items, list) and any(_evaluate(c, values, depth + 1) for c in items)
    if "not" in condition:
        return not _evaluate(condition["not"], values, depth + 1)
    op = condition.get("op")
    if not isinstance(op, str) or op not in OPERATORS or not isinstance(condition.get("field"), str):
        return False
    return compare(op, values.get(condition["field"]), condition.get("value"))


def referenced_fields(condition, depth: int = 0) -> list[str]:
    """The field keys a condition reads, in order (for the publish checks)."""
    if not isinstance(condition, dict) or depth > MAX_DEPTH:
        return []
    for group in ("all", "any"):
        if group in condition and isinstance(condition[group], list):
            found = []
            for item in condition[group]:
                found += referenced_fields(item, depth + 1)
            return found
    if "not" in condition:
        return referenced_fields(condition["not"], depth + 1)
    field = condition.get("field")
    return [field] if isinstance(field, str) else []
