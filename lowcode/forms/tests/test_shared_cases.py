"""The shared cases: the same definitions and answers run here against the Python engine
and in tests/browser/test_forms_runtime.py against runtime.js (FacilisForms.visibleKeys).

Each case is {"name", "definition", "answers", "visible"}: the keys validation.validate
reports as visible, in order. Pure Python: no database, no Redis.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lowcode.forms.definition import check, compile_form
from lowcode.forms.validation import validate

CASES = json.loads((Path(__file__).parent / "shared_cases.json").read_text(encoding="utf-8"))


def test_there_are_enough_cases_with_distinct_names():
    names = [case["name"] for case in CASES]
    assert len(names) >= 40
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_shared_case(case):
    assert [p.as_dict() for p in check(case["definition"])] == []
    result = validate(compile_form(case["definition"]), case["answers"])
    assert list(result.visible) == case["visible"]
