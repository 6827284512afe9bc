"""Workflow definitions are data: a list of steps, checked before publishing.

    {"steps": [
        {"key": "leader", "kind": "approval", "name": {"zh": "科室负责人审批", "en": "Head of department"},
         "mode": "one", "approvers": [{"type": "requester_head", "levels": 1}],
         "fallback": "admin", "on_reject": "requester"},
        {"key": "route", "kind": "branch",
         "branches": [{"when": {"field": "amount", "op": "gt", "value": 5000}, "goto": "director"}],
         "otherwise": "end"},
        {"key": "director", "kind": "approval", "mode": "n_of_m", "n": 2,
         "approvers": [{"type": "role", "code": "director"}], "fallback": "fail"},
        {"key": "tell_desk", "kind": "notify", "recipients": [{"type": "workgroup", "code": "desk"}]}
    ]}

Steps run in order. A branch jumps **forward** to a later step or to "end" (so every
instance finishes: no loops). A rejection ends the instance (`on_reject: "requester"`)
or sends it **back** to an earlier approval step (`on_reject: "<key>"`, a new round).

Approval modes: `one` (the first person resolved decides), `any` (或签: any one of them),
`all` (会签: every one must approve), `n_of_m` (`n` approvals of those resolved).

Approvers (resolved when the step starts): `user` (id), `role` (code), `workgroup` (code),
`department` (id: its members), `department_head` (id), `requester_head` (`levels`: 1 is
the requester's own department's head, 2 the one above…), `field` (a person chosen in a
form field: `key`), `subject_owner` (the subject's department head), `previous_choice`
(the person the previous approver named). `fallback` when nobody resolves: `skip`,
`admin` (the organisation's administrators) or `fail` (the instance stops with a reason).
Automatic actions (`kind: "action"`): `set_field` (`field`, `value`) in the context,
`emit_event` (`event`: an outbox event `workflows.custom.<event>`), `create_task` (a to-do
for the people of `assignees` — the same rules as approvers — titled `title` {"zh","en"};
it does not hold the workflow up, and outlives it until someone marks it done).
Conditions are lowcode.forms.conditions, on the instance's context (form answers and
`amount`, `category`, `requester_department`, `requester_roles`…).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from lowcode.forms.conditions import OPERATORS, referenced_fields

KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
KINDS = {"approval", "notify", "branch", "action"}
MODES = {"one", "any", "all", "n_of_m"}
APPROVER_TYPES = {
    "user",
    "role",
    "workgroup",
    "department",
    "department_head",
    "requester_head",
    "field",
    "subject_owner",
    "previous_choice",
}
FALLBACKS = {"skip", "admin", "fail"}
ACTIONS = {"set_field", "emit_event", "create_task"}
TIMEOUTS = {"notify_supervisor", "reassign", "approve", "reject"}
END = "end"
MAX_STEPS = 50


@dataclass
class Problem:
    where: str
    code: str
    message: str


def _approver_problems(specs, where: str) -> list[Problem]:
    problems = []
    if not isinstance(specs, list) or not specs:
        return [Problem(where, "no_approvers", _("Name who approves (at least one rule)."))]
    for index, spec in enumerate(specs):
        here = f"{where}[{index}]"
        kind = spec.get("type") if isinstance(spec, dict) else None
        if not isinstance(kind, str) or kind not in APPROVER_TYPES:
            problems.append(Problem(here, "bad_approver", _("Unknown kind of approver.")))
            continue
        needs = {
            "user": ("id", int),
            "department": ("id", int),
            "department_head": ("id", int),
            "role": ("code", str),
            "workgroup": ("code", str),
            "field": ("key", str),
        }.get(kind)
        if needs and not (
            isinstance(spec.get(needs[0]), needs[1]) and not isinstance(spec.get(needs[0]), bool)
        ):
            problems.append(
                Problem(here, "bad_approver", _("This approver needs “%(name)s”.") % {"name": needs[0]})
            )
        if kind == "requester_head":
            levels = spec.get("levels", 1)
            if not isinstance(levels, int) or isinstance(levels, bool) or not 1 <= levels <= 10:
                problems.append(Problem(here, "bad_approver", _("Levels go from 1 to 10.")))
    return problems


def _condition_problems(condition, where: str) -> list[Problem]:
    def walk(node, depth) -> bool:
        if depth > 8 or not isinstance(node, dict):
            return False
        for group in ("all", "any"):
            if group in node:
                return isinstance(node[group], list) and all(walk(c, depth + 1) for c in node[group])
        if "not" in node:
            return walk(node["not"], depth + 1)
        return (
            isinstance(node.get("field"), str) and isinstance(node.get("op"), str) and node["op"] in OPERATORS
        )

    if not walk(condition, 0):
        return [Problem(where, "bad_condition", _("The condition is malformed."))]
    if not referenced_fields(condition):
        return [Problem(where, "bad_condition", _("The condition reads no field."))]
    return []


def check(definition) -> list[Problem]:
    """Everything that stops a definition from being published (empty: publishable)."""
    if not isinstance(definition, dict) or not isinstance(definition.get("steps"), list):
        return [Problem("", "bad_definition", _("A workflow has a list of steps."))]
    steps = definition["steps"]
    problems: list[Problem] = []
    if not steps:
        problems.append(Problem("", "no_steps", _("A workflow needs at least one step.")))
    if len(steps) > MAX_STEPS:
        problems.append(Problem("", "too_many_steps", _("At most 50 steps.")))
    keys: list[str] = []
    for index, step in enumerate(steps):
        where = f"steps[{index}]"
        key = step.get("key") if isinstance(step, dict) else None
        if not isinstance(key, str) or not KEY.fullmatch(key) or key == END:
            problems.append(
                Problem(
                    where, "bad_key", _("A step needs a key: a lower-case letter, then letters, digits or _.")
                )
            )
            keys.append("")
            continue
        if key in keys:
            problems.append(
                Problem(where, "duplicate_key", _("Two steps use the key “%(key)s”.") % {"key": key})
            )
        keys.append(key)
    for index, step in enumerate(steps):
        if not isinstance(step, dict) or not keys[index]:
            continue
        where = f"steps[{index}]"
        kind = step.get("kind")
        if not isinstance(kind, str) or kind not in KINDS:
            problems.append(Problem(where, "bad_kind", _("Unknown kind of step.")))
            continue
        later = set(keys[index + 1 :]) | {END}
        earlier_approvals = {
            keys[i] for i in range(index) if isinstance(steps[i], dict) and steps[i].get("kind") == "approval"
        }
        if kind == "approval":
            mode = step.get("mode", "one")
            if not isinstance(mode, str) or mode not in MODES:
                problems.append(Problem(where, "bad_mode", _("Choose one, any, all or N of M.")))
            if mode == "n_of_m":
                n = step.get("n")
                if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                    problems.append(Problem(where, "bad_mode", _("N of M needs N, 1 or more.")))
            problems += _approver_problems(step.get("approvers"), where + ".approvers")
            fallback = step.get("fallback", "admin")
            if not isinstance(fallback, str) or fallback not in FALLBACKS:
                problems.append(
                    Problem(where, "bad_fallback", _("When nobody is found: skip, administrators or fail."))
                )
            limit = step.get("time_limit_hours")
            if limit is not None and (
                isinstance(limit, bool) or not isinstance(limit, (int, float)) or not 0 < limit <= 2000
            ):
                problems.append(Problem(where, "bad_time", _("A time limit is 1 to 2,000 working hours.")))
            before = step.get("remind_before_hours")
            if before is not None and (
                isinstance(before, bool) or not isinstance(before, (int, float)) or before < 0
            ):
                problems.append(
                    Problem(where, "bad_time", _("Remind a number of working hours before, 0 or more."))
                )
            if step.get("on_timeout", "notify_supervisor") not in TIMEOUTS:
                problems.append(
                    Problem(
                        where,
                        "bad_time",
                        _("After the limit: notify the supervisor, reassign, approve or reject."),
                    )
                )
            on_reject = step.get("on_reject", "requester")
            if on_reject != "requester" and on_reject not in earlier_approvals | {keys[index]}:
                problems.append(
                    Problem(
                        where,
                        "bad_reject",
                        _("A rejection goes to the requester or back to an earlier approval."),
                    )
                )
        elif kind == "notify":
            problems += _approver_problems(step.get("recipients"), where + ".recipients")
        elif kind == "branch":
            branches = step.get("branches")
            if not isinstance(branches, list) or not branches:
                problems.append(Problem(where, "bad_branch", _("A branch needs at least one way out.")))
                branches = []
            for b_index, branch in enumerate(branches):
                here = f"{where}.branches[{b_index}]"
                if not isinstance(branch, dict):
                    problems.append(Problem(here, "bad_branch", _("A way out is an object.")))
                    continue
                problems += _condition_problems(branch.get("when"), here + ".when")
                if branch.get("goto") not in later:
                    problems.append(
                        Problem(here, "bad_goto", _("A branch goes forward: to a later step or to the end."))
                    )
            otherwise = step.get("otherwise")
            if otherwise is not None and otherwise not in later:
                problems.append(
                    Problem(where, "bad_goto", _("A branch goes forward: to a later step or to the end."))
                )
        elif kind == "action":
            action = step.get("action")
            if not isinstance(action, str) or action not in ACTIONS:
                problems.append(Problem(where, "bad_action", _("Unknown automatic action.")))
            elif action == "set_field" and not (
                isinstance(step.get("field"), str) and KEY.fullmatch(step["field"])
            ):
                problems.append(Problem(where, "bad_action", _("Name the field to set.")))
            elif action == "emit_event" and not (
                isinstance(step.get("event"), str) and KEY.fullmatch(step["event"])
            ):
                problems.append(
                    Problem(where, "bad_action", _("Name the event (lower-case letters, digits, _)."))
                )
            elif action == "create_task":
                title = step.get("title")
                texts = title.values() if isinstance(title, dict) else [title]
                if not any(isinstance(text, str) and text.strip() for text in texts):
                    problems.append(Problem(where, "bad_action", _("Say what is to be done (a title).")))
                problems += _approver_problems(step.get("assignees"), where + ".assignees")
    return problems
