"""The workflow designer in Chromium: a tenant administrator builds approval steps, a branch and
approvers without touching JSON, saves, publishes; a definition the designer cannot read is
never overwritten. The screenshot is committed under docs/screenshots/ (README)."""

import contextlib
import json
import uuid

import pytest

from kernel.context import tenant_schema
from tests.browser.test_console_and_portal import SCREENSHOTS, console_login

pytestmark = pytest.mark.browser


@contextlib.contextmanager
def new_workflow(name="设计器测试"):
    """A workflow of tenant A with no steps; deleted afterwards (committed_db does not empty
    the workflow tables)."""
    from lowcode.workflows.models import WorkflowDefinition

    with tenant_schema("ta"):
        workflow = WorkflowDefinition.objects.create(
            code=f"designer-{uuid.uuid4().hex[:8]}", name=name, draft={"steps": []}
        )
    try:
        yield workflow
    finally:
        with tenant_schema("ta"):
            WorkflowDefinition.objects.filter(pk=workflow.pk).update(current_version=None)
            WorkflowDefinition.objects.filter(pk=workflow.pk).delete()


def open_designer(browser, url, workflow):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    console_login(page, url, "a.localhost", "admin@ta.test")
    page.goto(url("a.localhost", f"/console/workflows/definitions/{workflow.pk}/design/"))
    page.locator("#workflow-designer[data-state=ready]").wait_for()
    return context, page


def steps(page):
    return page.locator("#workflow-designer .wd-steps > .wd-step")


def add_step(page, kind):
    """Adds a step at the end; returns a locator of that position (locators are lazy: not .last)."""
    page.select_option("#workflow-designer [data-field=new-kind]", kind)
    page.click("#workflow-designer [data-action=add-step]")
    return steps(page).nth(steps(page).count() - 1)


def add_rule(step, kind):
    step.locator("[data-field=new-rule-type]").select_option(kind)
    step.locator("[data-action=add-rule]").click()
    rules = step.locator(".wd-rule")
    return rules.nth(rules.count() - 1)


def option_values(select):
    return select.locator("option").evaluate_all("options => options.map(o => o.value)")


def submit(page, then):
    """Clicks one of the form's buttons and waits for the next page (not the one still showing)."""
    with page.expect_navigation():
        page.click(f"button[name=then][value={then}]")
    page.locator("#workflow-designer[data-state]").wait_for()


def draft_in_textarea(page):
    return json.loads(page.input_value("#workflow-draft"))


EXPECTED = {
    "steps": [
        {
            "key": "review",
            "kind": "approval",
            "name": {"zh": "科室审核", "en": "Department review"},
            "mode": "all",
            "approvers": [{"type": "role", "code": "approver"}, {"type": "requester_head", "levels": 2}],
            "fallback": "admin",
        },
        {
            "key": "by_amount",
            "kind": "branch",
            "name": {"zh": "按金额", "en": "By amount"},
            "branches": [{"when": {"field": "amount", "op": "gt", "value": 5000}, "goto": "end"}],
        },
        {
            "key": "director",
            "kind": "approval",
            "name": {"zh": "院领导审批", "en": "Director"},
            "mode": "one",
            "approvers": [{"type": "role", "code": "tenant_admin"}],
            "fallback": "admin",
        },
    ]
}


def test_a_workflow_is_built_saved_and_published_without_json(browser, url, tenants):
    from lowcode.workflows.definition import check
    from lowcode.workflows.models import WorkflowDefinition, WorkflowVersion

    with new_workflow() as workflow:
        context, page = open_designer(browser, url, workflow)
        # The server's problems are shown: no steps yet.
        assert page.locator("#workflow-problems").is_visible()
        assert steps(page).count() == 0

        # 1. An approval step: everyone of a role and the requester's head two levels up (会签).
        review = add_step(page, "approval")
        review.locator("[data-field=key]").fill("review")
        review.locator("[data-field=name-zh]").fill("科室审核")
        review.locator("[data-field=name-en]").fill("Department review")
        review.locator("[data-field=mode]").select_option("all")
        assert review.locator("[data-field=n]").count() == 0  # N only for "N of them"
        add_rule(review, "role").locator("[data-field=param]").select_option("approver")
        head = add_rule(review, "requester_head")
        head.locator("[data-field=param]").select_option("2")
        assert review.locator(".wd-rule").count() == 2
        # A rejection can only go back to the requester or to this step (nothing earlier).
        assert option_values(review.locator("[data-field=on_reject]")) == ["requester", "review"]

        # 2. A branch: over 5,000 the workflow ends here.
        branch = add_step(page, "branch")
        branch.locator("[data-field=key]").fill("by_amount")
        branch.locator("[data-field=name-zh]").fill("按金额")
        branch.locator("[data-field=name-en]").fill("By amount")
        branch.locator("[data-action=add-way]").click()
        way = branch.locator(".wd-way").first
        way.locator("[data-field=cond-field]").fill("amount")
        way.locator("[data-field=cond-op]").select_option("gt")
        way.locator("[data-field=cond-value]").fill("5000")
        way.locator("[data-field=goto]").select_option("end")

        # 3. An approval after it; its key follows the English name.
        director = add_step(page, "approval")
        director.locator("[data-field=name-zh]").fill("院领导审批")
        director.locator("[data-field=name-en]").fill("Director")
        assert director.locator("[data-field=key]").input_value() == "director"
        add_rule(director, "role").locator("[data-field=param]").select_option("tenant_admin")

        # A branch offers only later steps (and the end); a rejection only earlier approvals.
        assert option_values(way.locator("[data-field=goto]")) == ["director", "end"]
        assert option_values(branch.locator("[data-field=otherwise]")) == ["", "director", "end"]
        assert option_values(director.locator("[data-field=on_reject]")) == [
            "requester",
            "review",
            "director",
        ]

        # Moving and removing (with a second click): a step added and taken away again.
        extra = add_step(page, "action")
        assert steps(page).count() == 4
        extra.locator("[data-action=up]").click()
        assert steps(page).evaluate_all("els => els.map(e => e.dataset.key)") == [
            "review",
            "by_amount",
            "action_1",
            "director",
        ]
        moved = steps(page).nth(2)
        moved.locator("[data-action=remove]").click()
        assert steps(page).count() == 4  # the first click only asks
        moved.locator("[data-action=remove]").click()
        assert steps(page).count() == 3

        # Every change is in the text box the page posts.
        assert draft_in_textarea(page) == EXPECTED

        submit(page, "save")
        with tenant_schema("ta"):
            saved = WorkflowDefinition.objects.get(pk=workflow.pk)
        assert saved.draft == EXPECTED
        assert check(saved.draft) == []
        assert page.locator("#workflow-problems").count() == 0
        assert steps(page).count() == 3  # read back from the saved draft
        # The console scrolls inside its own container: a tall window, everything at the top.
        page.set_viewport_size({"width": 1400, "height": 1900})
        page.evaluate(
            "() => { window.scrollTo(0, 0);"
            " document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; }); }"
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "workflow-designer.png"))

        # The dry run still works from the same form.
        page.fill("#sample", '{"amount": 8000}')
        submit(page, "preview")
        path = page.locator("#workflow-path")
        assert "by_amount" in path.inner_text() and "director" not in path.inner_text()

        submit(page, "publish")
        with tenant_schema("ta"):
            version = WorkflowVersion.objects.get(workflow_id=workflow.pk, number=1)
            assert WorkflowDefinition.objects.get(pk=workflow.pk).current_version_id == version.pk
        assert version.definition == EXPECTED
        context.close()


def test_a_definition_the_designer_cannot_read_is_left_alone(browser, url, tenants):
    from lowcode.workflows.models import WorkflowDefinition

    with new_workflow() as workflow:
        context, page = open_designer(browser, url, workflow)
        designer = page.locator("#workflow-designer")
        page.click("details.wd-json-box > summary")

        broken = '{"steps": [{"key": "a", "kind": "approval"'
        page.fill("#workflow-draft", broken)
        page.locator("#workflow-designer[data-state=waiting]").wait_for()
        assert designer.locator(".wd-warning").is_visible()
        assert designer.locator("[data-action=add-step]").count() == 0  # nothing to edit it with
        assert page.input_value("#workflow-draft") == broken

        # Saved as it is: the server refuses it, and the page gives the text back untouched.
        submit(page, "save")
        assert page.locator("#workflow-designer[data-state=waiting]").is_visible()
        assert page.input_value("#workflow-draft") == broken
        with tenant_schema("ta"):
            assert WorkflowDefinition.objects.get(pk=workflow.pk).draft == {"steps": []}

        # Valid JSON of another shape is not taken either.
        page.fill("#workflow-draft", '["not", "steps"]')
        page.locator("#workflow-designer[data-state=waiting]").wait_for()
        assert page.input_value("#workflow-draft") == '["not", "steps"]'

        # Fixed by hand: the designer shows it, and edits it from then on.
        fixed = {"steps": [{"key": "a", "kind": "approval", "approvers": [], "x_note": "kept"}]}
        page.fill("#workflow-draft", json.dumps(fixed))
        page.locator("#workflow-designer[data-state=ready]").wait_for()
        assert steps(page).count() == 1
        assert page.input_value("#workflow-draft") == json.dumps(fixed)  # not rewritten until a change
        add_rule(steps(page).first, "requester_head")
        assert draft_in_textarea(page) == {
            "steps": [
                {
                    "key": "a",
                    "kind": "approval",
                    "approvers": [{"type": "requester_head", "levels": 1}],
                    "x_note": "kept",
                }
            ]
        }
        context.close()


def test_every_kind_of_step_shows_and_edits_what_it_has(browser, url, tenants):
    """A draft written by hand, with what the simple editors cannot show: nothing is lost, and
    the designer marks what is wrong."""
    from identity.defaults import root_department
    from identity.models import User
    from lowcode.workflows.models import WorkflowDefinition

    with tenant_schema("ta"):
        admin = User.objects.get(username="admin@ta.test")
        root = root_department()
    by_hand = {
        "steps": [
            {
                "key": "a",
                "kind": "approval",
                "mode": "n_of_m",
                "n": 2,
                "approvers": [
                    {"type": "user", "id": admin.pk},
                    {"type": "department_head", "id": root.pk},
                    {"type": "field", "key": "boss"},
                    {"type": "subject_owner"},
                ],
                "on_reject": "a",
                "time_limit_hours": 24,
                "on_timeout": "reassign",
            },
            {
                "key": "route",
                "kind": "branch",
                "branches": [
                    {"when": {"not": {"field": "x", "op": "empty"}}, "goto": "tell"},
                    {
                        "when": {
                            "any": [
                                {"field": "amount", "op": "gte", "value": 1},
                                {"field": "category", "op": "in", "value": ["a", "b"]},
                            ]
                        },
                        "goto": "end",
                    },
                ],
                "otherwise": "a",
            },
            {"key": "tell", "kind": "notify", "recipients": [{"type": "workgroup", "code": "nope"}]},
            {"key": "act", "kind": "action", "action": "emit_event", "event": "done"},
            {"key": "odd", "kind": "mystery"},
            "not a step",
        ]
    }
    with new_workflow() as workflow:
        with tenant_schema("ta"):
            WorkflowDefinition.objects.filter(pk=workflow.pk).update(draft=by_hand)
        context, page = open_designer(browser, url, workflow)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        with tenant_schema("ta"):
            as_stored = WorkflowDefinition.objects.get(pk=workflow.pk).draft
        # Shown, not rewritten: the text box holds the server's text until something changes.
        assert page.input_value("#workflow-draft") == json.dumps(as_stored, ensure_ascii=False, indent=2)
        assert steps(page).count() == 6
        first, route, tell, act, odd, broken = (steps(page).nth(i) for i in range(6))

        # Approval: N of M, each approver with its own input, this step as the rejection target.
        assert first.locator("[data-field=n]").input_value() == "2"
        params = first.locator(".wd-rule [data-field=param]")
        assert params.nth(0).input_value() == str(admin.pk)
        assert params.nth(1).input_value() == str(root.pk)
        assert params.nth(2).input_value() == "boss"
        assert params.count() == 3  # subject_owner needs nothing
        assert first.locator("[data-field=on_reject]").input_value() == "a"
        assert first.locator("[data-field=on_timeout]").input_value() == "reassign"
        first.locator("[data-field=n]").fill("3")

        # Branch: a "not" only as JSON; any-of with a list; a backward "otherwise" marked, and
        # the server's problem shown on the step.
        ways = route.locator(".wd-way")
        assert ways.nth(0).locator("[data-field=advanced]").is_checked()
        assert json.loads(ways.nth(0).locator("[data-field=condition-json]").input_value()) == {
            "not": {"field": "x", "op": "empty"}
        }
        assert ways.nth(1).locator("[data-field=join]").input_value() == "any"
        assert ways.nth(1).locator("[data-field=cond-value]").nth(1).input_value() == "a, b"
        otherwise = route.locator("[data-field=otherwise]")
        assert "wd-invalid" in otherwise.get_attribute("class")
        assert option_values(otherwise) == ["a", "", "tell", "act", "odd", "end"]
        assert route.locator(".wd-notes").is_visible()
        ways.nth(1).locator("[data-field=cond-value]").nth(1).fill("a, b, 3")

        # Notify: a workgroup that no longer exists stays, marked.
        assert tell.locator("[data-field=param]").input_value() == "nope"
        # Renaming a step: the branch that goes there follows.
        tell.locator("[data-field=key]").fill("tell_desk")

        # Action: switching kinds and back keeps what the step had.
        act.locator("[data-field=kind]").select_option("approval")
        act.locator("[data-field=kind]").select_option("action")
        assert act.locator("[data-field=event]").input_value() == "done"

        assert odd.locator(".wd-warning").is_visible() and broken.locator(".wd-warning").is_visible()
        first.locator("[data-action=toggle]").click()
        assert first.locator(".wd-step__body").count() == 0

        draft = draft_in_textarea(page)
        assert draft["steps"][0]["n"] == 3
        assert draft["steps"][1]["branches"][0]["goto"] == "tell_desk"
        assert draft["steps"][1]["branches"][1]["when"]["any"][1]["value"] == ["a", "b", 3]
        assert draft["steps"][3] == {"key": "act", "kind": "action", "action": "emit_event", "event": "done"}
        assert draft["steps"][4:] == by_hand["steps"][4:]
        assert errors == []
        context.close()
