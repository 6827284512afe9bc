"""runtime.js and designer.js in Chromium, on pages built in the test (no server).

The shared cases (lowcode/forms/tests/shared_cases.json) run here through
FacilisForms.visibleKeys and in lowcode/forms/tests/test_shared_cases.py through the
Python engine, so the browser shows exactly the fields the server will accept.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "lowcode" / "forms" / "static" / "lowcode" / "forms"
RUNTIME = STATIC / "runtime.js"
DESIGNER = STATIC / "designer.js"
CSS = STATIC / "forms.css"
CASES = json.loads((ROOT / "lowcode" / "forms" / "tests" / "shared_cases.json").read_text(encoding="utf-8"))
EVIL = "<img src=x onerror=alert(1)><script>window.pwned=1</script>"


@pytest.fixture
def runtime_page(page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}") or dialog.dismiss())
    page.set_content("<html><body><div id=c></div></body></html>")
    page.add_style_tag(path=str(CSS))
    page.add_script_tag(path=str(RUNTIME))
    yield page
    assert errors == []


def field(key, kind, **settings):
    spec = {"key": key, "type": kind, "label": {"zh": key.upper(), "en": key.title()}}
    spec.update(settings)
    return spec


REPAIR = {
    "sections": [
        {
            "key": "basics",
            "title": {"zh": "基本信息", "en": "Basics"},
            "fields": [
                field(
                    "category",
                    "choice",
                    required=True,
                    options=[
                        {"value": "repair", "label": {"zh": "维修", "en": "Repair"}},
                        {"value": "renovation", "label": {"zh": "改造", "en": "Renovation"}},
                    ],
                ),
                field(
                    "amount",
                    "money",
                    min=0,
                    max=100000,
                    visible_when={"field": "category", "op": "eq", "value": "renovation"},
                ),
                field(
                    "approver_note",
                    "textarea",
                    required_when={"field": "amount", "op": "gt", "value": 5000},
                    visible_when={"field": "category", "op": "eq", "value": "renovation"},
                ),
                field("urgent", "boolean"),
                field(
                    "items",
                    "table",
                    columns=[field("name", "text", required=True), field("qty", "number", min=1)],
                ),
            ],
        },
        {
            "key": "later",
            "title": {"zh": "跟进", "en": "Follow-up"},
            "visible_when": {"field": "urgent", "op": "eq", "value": True},
            "fields": [field("callback", "text", help={"zh": "电话", "en": "Phone"})],
        },
    ]
}


def test_shared_cases_give_the_same_visible_fields_in_the_browser(runtime_page):
    got = runtime_page.evaluate(
        "cases => cases.map(c => FacilisForms.visibleKeys(c.definition, c.answers))", CASES
    )
    mismatches = [
        {"name": case["name"], "python": case["visible"], "browser": keys}
        for case, keys in zip(CASES, got, strict=True)
        if keys != case["visible"]
    ]
    assert mismatches == []
    assert len(CASES) >= 40


def test_clean_mirrors_the_server_codes(runtime_page):
    checks = [
        ({"type": "number"}, "12a", {"error": "invalid"}),
        ({"type": "number", "max": 10}, "11", {"error": "max_value"}),
        ({"type": "number", "min": 10}, 9.99, {"error": "min_value"}),
        ({"type": "money"}, "1.005", {"error": "invalid"}),
        ({"type": "money"}, "1.50", {"value": 1.5}),
        ({"type": "text", "max_length": 2}, "a  b", {"error": "max_length"}),
        ({"type": "text", "min_length": 3}, "  ab ", {"error": "min_length"}),
        ({"type": "text", "pattern": "[0-9]{3}"}, "1234", {"error": "pattern"}),
        ({"type": "text"}, "  a \t b ", {"value": "a b"}),
        ({"type": "time"}, "09:30:15", {"value": "09:30"}),
        ({"type": "datetime"}, "2024-01-01 09:30", {"value": "2024-01-01T09:30"}),
        ({"type": "date"}, "2023-02-29", {"error": "invalid"}),
        ({"type": "choice", "options": [{"value": "a"}]}, "b", {"error": "invalid_choice"}),
        (
            {"type": "multichoice", "options": [{"value": "a"}, {"value": "b"}], "max": 1},
            ["a", "b"],
            {"error": "too_many"},
        ),
        (
            {"type": "multichoice", "options": [{"value": "a"}, {"value": "b"}], "min": 2},
            ["a"],
            {"error": "too_few"},
        ),
        (
            {"type": "multichoice", "options": [{"value": "a"}, {"value": "b"}]},
            ["b", "a", "b"],
            {"value": ["a", "b"]},
        ),
        ({"type": "boolean"}, 1, {"error": "invalid"}),
        ({"type": "user"}, "12", {"value": 12}),
        ({"type": "user"}, -3, {"error": "invalid"}),
        ({"type": "file", "max": 1}, [{"key": "a"}, {"key": "b"}], {"error": "too_many"}),
    ]
    got = runtime_page.evaluate(
        """checks => checks.map(([spec, raw]) => {
            const out = FacilisForms.clean(Object.assign({key: "f", label: "F"}, spec), raw);
            return out.error ? {error: out.error} : {value: out.value};
        })""",
        [[spec, raw] for spec, raw, _ in checks],
    )
    assert got == [expected for _, _, expected in checks]
    table = runtime_page.evaluate(
        """FacilisForms.clean({key: "items", type: "table", columns: [
            {key: "name", type: "text", required: true}, {key: "qty", type: "number", min: 1}]},
            [{name: "", qty: ""}, {name: "chair", qty: "0"}, {qty: 2}])"""
    )
    # Rows are named as the person sees them: the blank first row still counts.
    assert table["error"] == "min_value"
    assert table["errors"] == {
        "items.1.qty": [{"code": "min_value", "params": {"n": 1}}],
        "items.2.name": [{"code": "required", "params": {}}],
    }


def test_tenant_text_is_shown_as_text_never_as_markup(runtime_page):
    definition = {
        "sections": [
            {
                "key": "s",
                "title": {"zh": EVIL, "en": EVIL},
                "fields": [
                    {
                        "key": "evil",
                        "type": "choice",
                        "label": {"zh": EVIL, "en": EVIL},
                        "help": {"zh": EVIL, "en": EVIL},
                        "placeholder": {"zh": EVIL, "en": EVIL},
                        "options": [{"value": "x", "label": {"zh": EVIL, "en": EVIL}}],
                    },
                    {
                        "key": "rows",
                        "type": "table",
                        "label": EVIL,
                        "columns": [{"key": "c", "type": "text", "label": EVIL}],
                    },
                    {"key": "files", "type": "file", "label": EVIL},
                ],
            }
        ]
    }
    runtime_page.evaluate(
        """([d, evil]) => FacilisForms.render(document.getElementById("c"), d, {
            lang: "en", values: {files: [{key: "k", name: evil}]},
            errors: {evil: [{code: "x", message: evil}], "rows.0.c": [{code: "x", message: evil}], other: [{message: evil}]}})""",
        [definition, EVIL],
    )
    container = runtime_page.locator("#c")
    assert container.locator(".ff-field[data-key=evil] .ff-label__text").text_content() == EVIL
    assert container.locator(".ff-field[data-key=evil] .ff-help").text_content() == EVIL
    assert container.locator(".ff-section__title").text_content() == EVIL
    assert container.locator(".ff-field[data-key=evil] option[value=x]").text_content() == EVIL
    assert container.locator(".ff-field[data-key=evil] .ff-errors li").text_content() == EVIL
    assert container.locator(".ff-file__name").text_content() == EVIL
    assert container.locator(".ff-table th").first.text_content() == EVIL
    assert runtime_page.evaluate("typeof window.pwned") == "undefined"
    assert container.locator("img, script").count() == 0


def test_choosing_an_option_shows_a_field_and_an_amount_makes_another_required(runtime_page):
    runtime_page.set_content(
        "<html><body><form id=f onsubmit='event.preventDefault()'>"
        "<input type=hidden name=answers value=''><div id=c></div><button id=go>Go</button>"
        "</form></body></html>"
    )
    runtime_page.add_script_tag(path=str(RUNTIME))
    runtime_page.evaluate(
        """d => { window.form = FacilisForms.render(document.getElementById("c"), d, {
            lang: "en", values: {items: [{name: "chair", qty: "2"}]},
            errors: {"items.0.qty": [{code: "max_value", message: "Too many chairs"}]}}); }""",
        REPAIR,
    )
    amount = runtime_page.locator(".ff-field[data-key=amount]")
    note = runtime_page.locator(".ff-field[data-key=approver_note]")
    later = runtime_page.locator("fieldset.ff-section[data-key=later]")
    assert amount.is_hidden() and note.is_hidden() and later.is_hidden()
    assert amount.get_attribute("hidden") is not None
    # The server's error on a table cell is shown under that cell.
    cell = runtime_page.locator(".ff-field[data-key=items] tr.ff-row").first.locator("td[data-col=qty]")
    assert cell.locator(".ff-errors[role=alert] li").text_content() == "Too many chairs"

    runtime_page.select_option("select[name=category]", "renovation")
    assert amount.is_visible() and note.is_visible()
    marker = note.locator(".ff-required")
    assert marker.is_hidden()
    runtime_page.fill("input[name=amount]", "6000")
    assert marker.is_visible()
    assert note.locator("textarea").get_attribute("aria-required") == "true"
    runtime_page.fill("input[name=amount]", "4000")
    assert marker.is_hidden()

    runtime_page.check(".ff-field[data-key=urgent] input[value=true]")
    assert later.is_visible()
    runtime_page.fill("input[name=callback]", "  555 0100 ")
    runtime_page.click(".ff-add-row")
    rows = runtime_page.locator(".ff-field[data-key=items] tr.ff-row")
    assert rows.count() == 2
    runtime_page.fill("input[name='items.1.name']", "desk")
    runtime_page.fill("input[name='items.1.qty']", "1")
    runtime_page.click("#go")
    posted = json.loads(runtime_page.locator("input[name=answers]").input_value())
    assert posted == {
        "category": "renovation",
        "amount": "4000",
        "approver_note": None,
        "urgent": True,
        "items": [{"name": "chair", "qty": "2"}, {"name": "desk", "qty": "1"}],
        "callback": "  555 0100 ",
    }
    # Hidden fields are left out; the browser's validate() agrees with the server's codes.
    runtime_page.select_option("select[name=category]", "repair")
    runtime_page.fill("input[name='items.0.qty']", "0")
    errors = runtime_page.evaluate("window.form.validate()")
    assert set(errors) == {"items.0.qty"}
    assert "amount" not in runtime_page.evaluate("window.form.answers()")
    runtime_page.click(".ff-remove-row >> nth=0")
    assert rows.count() == 1
    assert runtime_page.locator("input[name='items.0.name']").input_value() == "desk"


def test_server_errors_and_required_markers_on_render(runtime_page):
    runtime_page.evaluate(
        """d => FacilisForms.render(document.getElementById("c"), d, {lang: "zh",
            values: {category: "renovation", amount: 9000},
            errors: {category: [{code: "required"}], amount: [{code: "max_value", message: "太多"}]}})""",
        REPAIR,
    )
    category = runtime_page.locator(".ff-field[data-key=category]")
    assert category.locator(".ff-errors li").text_content() == "请填写此项。"
    assert category.locator(".ff-label .ff-required").is_visible()
    assert runtime_page.locator(".ff-field[data-key=approver_note] .ff-required").is_visible()
    amount_input = runtime_page.locator("input[name=amount]")
    assert amount_input.get_attribute("inputmode") == "decimal"
    assert amount_input.get_attribute("aria-invalid") == "true"
    # Typing in the field drops its stale server error.
    amount_input.fill("100")
    assert runtime_page.locator(".ff-field[data-key=amount] .ff-errors").count() == 0
    label_for = category.locator("label.ff-label").get_attribute("for")
    assert runtime_page.locator(f"#{label_for}").get_attribute("name") == "category"


def test_fields_are_full_width_on_a_phone(runtime_page):
    runtime_page.set_viewport_size({"width": 360, "height": 740})
    runtime_page.evaluate(
        "d => FacilisForms.render(document.getElementById('c'), d, {lang: 'en', values: {category: 'renovation'}})",
        REPAIR,
    )
    widths = runtime_page.evaluate(
        """() => [...document.querySelectorAll('.ff-field:not([hidden]) .ff-input')]
            .filter(n => n.offsetParent).map(n => n.getBoundingClientRect().right)"""
    )
    assert widths and max(widths) <= 360
    section = runtime_page.evaluate("document.querySelector('.ff-section').getBoundingClientRect().width")
    assert section >= 300


def test_auto_initialisation_from_json_script(page):
    config = {"definition": REPAIR, "values": {"category": "repair"}, "errors": {}, "lang": "en", "refs": {}}
    script = json.dumps(config).replace("<", "\\u003c")
    page.set_content(
        "<html><body><form><input type=hidden name=csrfmiddlewaretoken value=tok>"
        "<input type=hidden name=answers value=''><div data-facilis-form=cfg id=body></div></form>"
        f"<script type=application/json id=cfg>{script}</script>"
        "</body></html>"
    )
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_script_tag(path=str(RUNTIME))
    page.evaluate("FacilisForms.autoInit()")  # a second time: nothing happens
    assert page.locator("#body .ff-form").count() == 1
    assert page.locator("#body .ff-field[data-key=category] select").input_value() == "repair"
    assert errors == []
    assert json.loads(page.locator("input[name=answers]").input_value())["category"] == "repair"


def test_designer_adds_a_field_and_the_preview_shows_it(page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    draft = {
        "sections": [
            {
                "key": "main",
                "title": {"zh": "主要", "en": "Main"},
                "fields": [
                    field("category", "choice", options=[{"value": "a", "label": {"zh": "甲", "en": "A"}}])
                ],
            }
        ]
    }
    page.set_content(
        "<html><body><form id=designer-form><div class=ff-designer-layout>"
        "<div data-form-designer=draft data-preview=preview data-lang=en data-messages=msgs id=designer></div>"
        "<aside><div id=preview class=ff-preview></div></aside></div>"
        "<textarea id=draft name=draft></textarea></form>"
        '<script type="application/json" id=msgs>{"addField": "Add a field"}</script></body></html>'
    )
    page.locator("#draft").fill(json.dumps(draft))
    page.add_style_tag(path=str(CSS))
    page.add_script_tag(path=str(RUNTIME))
    page.add_script_tag(path=str(DESIGNER))
    assert page.locator("#preview .ff-field[data-key=category]").is_visible()

    section = page.locator(".fd-section[data-key=main]")
    assert section.locator(".fd-add__type option[value=asset]").is_disabled()
    section.locator(".fd-add__type").select_option("money")
    section.get_by_role("button", name="Add a field").click()
    card = section.locator(".fd-field[data-type=money]")
    card.get_by_label("Label (English)").fill("Estimated cost")
    card.get_by_label("Label (中文)").fill("预计费用")
    card.get_by_label("Maximum").fill("100000")
    card.locator(".fd-condition[data-prop=visible_when]").get_by_role("button", name="Add condition").click()

    saved = json.loads(page.locator("#draft").input_value())
    fields = saved["sections"][0]["fields"]
    assert [f["key"] for f in fields] == ["category", "estimated_cost"]
    cost = fields[1]
    assert cost["type"] == "money"
    assert cost["label"] == {"zh": "预计费用", "en": "Estimated cost"}
    assert cost["max"] == 100000
    assert cost["visible_when"] == {"field": "category", "op": "eq", "value": "a"}
    preview_field = page.locator("#preview .ff-field[data-key=estimated_cost]")
    assert preview_field.count() == 1
    assert preview_field.locator(".ff-label__text").text_content() == "Estimated cost"
    # The preview follows the condition: hidden until category is "a".
    assert preview_field.is_hidden()
    page.select_option("#preview select[name=category]", "a")
    assert preview_field.is_visible()
    # The preview's inputs are not posted with the designer's form.
    assert page.evaluate("[...new FormData(document.getElementById('designer-form')).keys()]") == ["draft"]

    # Move it above "category": its condition now reads a later field, shown as such.
    card.get_by_role("button", name="Move up").click()
    saved = json.loads(page.locator("#draft").input_value())
    assert [f["key"] for f in saved["sections"][0]["fields"]] == ["estimated_cost", "category"]
    assert errors == []


def test_files_are_uploaded_with_the_csrf_token_and_kept_as_items(page):
    seen = []

    def upload(route):
        request = route.request
        seen.append((request.headers.get("x-csrftoken"), b'name="file"' in (request.post_data_buffer or b"")))
        number = len(seen)
        route.fulfill(
            json={"key": f"uploads/{number}", "name": f"photo{number}.jpg", "size": 3, "type": "image/jpeg"}
        )

    page.route("http://forms.test/upload/", upload)
    page.route(
        "http://forms.test/",
        lambda route: route.fulfill(
            content_type="text/html",
            body="<html><body><form><input type=hidden name=answers><div id=c></div></form></body></html>",
        ),
    )
    page.goto("http://forms.test/")
    page.add_script_tag(path=str(RUNTIME))
    definition = {
        "sections": [
            {
                "key": "s",
                "fields": [
                    field("photos", "file", max=3),
                    field("why", "text", visible_when={"field": "photos", "op": "not_empty"}),
                ],
            }
        ]
    }
    page.evaluate(
        """d => { window.form = FacilisForms.render(document.getElementById("c"), d,
            {lang: "en", uploadUrl: "/upload/", csrfToken: "tok-123"}); }""",
        definition,
    )
    why = page.locator(".ff-field[data-key=why]")
    assert why.is_hidden()
    page.set_input_files(
        "input[type=file][name=photos]",
        [
            {"name": "a.jpg", "mimeType": "image/jpeg", "buffer": b"abc"},
            {"name": "b.jpg", "mimeType": "image/jpeg", "buffer": b"def"},
        ],
    )
    names = page.locator(".ff-field[data-key=photos] .ff-file__name")
    names.nth(1).wait_for()
    assert names.all_text_contents() == ["photo1.jpg", "photo2.jpg"]
    assert seen == [("tok-123", True), ("tok-123", True)]
    assert why.is_visible()
    page.get_by_role("button", name="Remove photo1.jpg").click()
    answers = page.evaluate("window.form.answers()")
    assert answers["photos"] == [{"key": "uploads/2", "name": "photo2.jpg", "size": 3, "type": "image/jpeg"}]
    assert json.loads(page.locator("input[name=answers]").input_value())["photos"][0]["key"] == "uploads/2"


def test_designer_drags_a_field_into_another_section(page):
    draft = {
        "sections": [
            {"key": "one", "title": "One", "fields": [field("a", "text"), field("b", "text")]},
            {"key": "two", "title": "Two", "fields": [field("c", "text")]},
        ]
    }
    page.set_content(
        "<html><body><div data-form-designer=draft data-preview=preview data-lang=en></div>"
        "<div id=preview></div><textarea id=draft></textarea></body></html>"
    )
    page.locator("#draft").fill(json.dumps(draft))
    page.add_style_tag(path=str(CSS))
    page.add_script_tag(path=str(RUNTIME))
    page.add_script_tag(path=str(DESIGNER))
    page.drag_and_drop(
        ".fd-field[data-key=a] .fd-handle",
        ".fd-field[data-key=c] .fd-field__head",
        target_position={"x": 40, "y": 2},
    )
    saved = json.loads(page.locator("#draft").input_value())
    assert [[f["key"] for f in s["fields"]] for s in saved["sections"]] == [["b"], ["a", "c"]]
    assert page.locator("#preview fieldset[data-key=two] .ff-field").evaluate_all(
        "nodes => nodes.map(n => n.dataset.key)"
    ) == ["a", "c"]


def test_a_form_built_in_the_designer_passes_the_server_check(page):
    from lowcode.forms.definition import check, compile_form
    from lowcode.forms.validation import validate

    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_content(
        "<html><body><div data-form-designer=draft data-preview=preview data-lang=en></div>"
        "<div id=preview></div><textarea id=draft></textarea></body></html>"
    )
    page.add_script_tag(path=str(RUNTIME))
    page.add_script_tag(path=str(DESIGNER))

    def add(section, kind, label):
        box = page.locator(".fd-section").nth(section)
        box.locator(".fd-add__type").last.select_option(kind)
        box.locator(".fd-add__button").last.click()
        card = box.locator(".fd-fields > .fd-field").last
        card.get_by_label("Label (中文)").first.fill(label.upper())
        card.get_by_label("Label (English)").first.fill(label)
        return card

    add(0, "choice", "Kind")
    amount = add(0, "number", "Amount")
    amount.get_by_label("Minimum").fill("0")
    visible = amount.locator(".fd-condition[data-prop=visible_when]")
    visible.get_by_role("button", name="Add condition").click()  # kind is option_1
    visible.get_by_role("button", name="Add condition").click()
    second = visible.locator(".fd-cond-row").nth(1)
    second.locator(".fd-cond-op").select_option("in")
    second.get_by_label("Option 2").check()
    visible.locator(".fd-join").select_option("any")
    items = add(0, "table", "Items")
    items.locator(".fd-columns .fd-add__type").select_option("number")
    items.locator(".fd-columns .fd-add__button").click()
    column = items.locator(".fd-field--column").last
    column.get_by_label("Label (English)").fill("Quantity")
    column.get_by_label("Label (中文)").fill("数量")
    page.get_by_role("button", name="Add section").click()
    note = add(1, "text", "Note")
    note_condition = note.locator(".fd-condition[data-prop=visible_when]")
    note_condition.get_by_label("Advanced (JSON)").check()
    note_condition.locator("textarea").fill('{"not": {"field": "kind", "op": "eq", "value": "option_2"}}')

    saved = json.loads(page.locator("#draft").input_value())
    assert [p.as_dict() for p in check(saved)] == []
    fields = [f for s in saved["sections"] for f in s["fields"]]
    assert [f["key"] for f in fields] == ["kind", "amount", "items", "note"]
    assert fields[1]["visible_when"] == {
        "any": [
            {"field": "kind", "op": "eq", "value": "option_1"},
            {"field": "kind", "op": "in", "value": ["option_2"]},
        ]
    }
    assert [c["key"] for c in fields[2]["columns"]] == ["item", "quantity"]
    compiled = compile_form(saved)
    assert validate(compiled, {"kind": "option_2", "amount": "3"}).visible == ["kind", "amount", "items"]
    page.select_option("#preview select[name=kind]", "option_2")
    assert page.locator("#preview .ff-field:not([hidden])").evaluate_all(
        "nodes => nodes.map(n => n.dataset.key)"
    ) == ["kind", "amount", "items"]
    assert errors == []


# ---------------------------------------------------------------------------------------
# The real pages: the portal's fill page and the console's designer, on the live server
# ---------------------------------------------------------------------------------------


@pytest.fixture
def published_form(url, tenants, tenant_admin):
    """A published form in tenant A; removed afterwards (committed_db does not empty forms)."""
    import uuid

    from kernel.context import tenant_schema
    from lowcode.forms import actions
    from lowcode.forms.models import FormDefinition

    admin = tenant_admin(tenants.a)
    with tenant_schema(tenants.a.schema_name):
        form = FormDefinition.objects.create(
            code=f"e2e-{uuid.uuid4().hex[:8]}", name="报修", name_en="Repair"
        )
        actions.save_draft(form, REPAIR, user=admin)
        actions.publish(form, user=admin)
    yield form
    with tenant_schema(tenants.a.schema_name):
        form.submissions.all().delete()
        FormDefinition.objects.filter(pk=form.pk).update(current_version=None)
        form.versions.all().delete()
        form.delete()


def _login(page, url, path_login, username, button):
    from tests.fixtures import PASSWORD

    page.goto(url("a.localhost", path_login))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click(button)
    page.wait_for_load_state()


def test_the_portal_fill_page_posts_the_answers_and_shows_the_server_errors(
    page, url, published_form, tenants
):
    from kernel.context import tenant_schema

    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _login(page, url, "/accounts/login/", "admin@ta.test", "main button[type=submit]")
    page.goto(url("a.localhost", f"/forms/{published_form.code}/"))
    page.select_option("select[name=category]", "renovation")
    page.fill("input[name=amount]", "6000")
    note = page.locator(".ff-field[data-key=approver_note]")
    assert note.locator(".ff-required").is_visible()
    page.fill("input[name='items.0.name']", "椅子")
    page.fill("input[name='items.0.qty']", "0")
    page.click("button[value=submit]")
    page.wait_for_load_state()
    # The server refused: its errors show under the field and under the table cell.
    assert note.locator(".ff-errors[role=alert] li").count() == 1
    assert page.locator("td[data-col=qty] .ff-errors li").count() == 1
    assert page.locator("input[name=amount]").input_value() == "6000"
    page.fill("textarea[name=approver_note]", "需要更换门窗")
    page.fill("input[name='items.0.qty']", "3")
    page.click("button[value=submit]")
    page.wait_for_url("**/forms/submissions/**")
    with tenant_schema(tenants.a.schema_name):
        submission = published_form.submissions.get()
    assert submission.data == {
        "category": "renovation",
        "amount": 6000,
        "approver_note": "需要更换门窗",
        "items": [{"name": "椅子", "qty": 3}],
    }
    assert errors == []


def test_the_console_designer_saves_a_new_field(page, url, published_form, tenants):
    from kernel.context import tenant_schema
    from lowcode.forms.models import FormDefinition

    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _login(page, url, "/console/login/", "admin@ta.test", "button[type=submit]")
    page.goto(url("a.localhost", f"/console/forms/definitions/{published_form.pk}/design/"))
    assert page.locator("#form-preview .ff-field[data-key=category]").count() == 1
    section = page.locator(".fd-section").first
    section.locator(":scope > .fd-add .fd-add__type").select_option("date")
    section.locator(":scope > .fd-add .fd-add__button").click()
    card = section.locator(".fd-fields > .fd-field").last
    card.locator("input.fd-key").fill("visit_on")
    card.locator(".fd-field__body input[type=text]").nth(1).fill("上门日期")
    assert page.locator("#form-preview .ff-field[data-key=visit_on] input[type=date]").count() == 1
    page.click("button[name=then][value=save]")
    page.wait_for_load_state()
    with tenant_schema(tenants.a.schema_name):
        draft = FormDefinition.objects.get(pk=published_form.pk).draft
    keys = [f["key"] for f in draft["sections"][0]["fields"]]
    assert keys[-1] == "visit_on"
    assert draft["sections"][0]["fields"][-1]["label"]["zh"] == "上门日期"
    assert errors == []
