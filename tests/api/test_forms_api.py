"""The forms part of the API: open forms with their definitions and JSON Schemas, submitForm with
per-field error codes, one's own and scoped submissions, node(id), tenants kept apart, and a
page of submissions in a fixed number of queries."""

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from identity import actions as identity
from identity.defaults import root_department
from identity.models import Department
from lowcode.forms import actions
from lowcode.forms.demo import RENOVATION
from lowcode.forms.models import FormDefinition, Submission
from tests.api.helpers import far_ids, gid

pytestmark = pytest.mark.django_db

FORMS = "{ forms(first: 20) { edges { node { id code version definition jsonSchema displayName } } } }"
SUBMIT = """mutation($form: ID!, $answers: GenericScalar!, $draft: Boolean) {
  submitForm(form: $form, answers: $answers, draft: $draft) {
    result { id formCode version data }
    errors { field code message }
  }
}"""
SUBMIT_WITH_STATUS = SUBMIT.replace("version data", "version status data")
MINE = "{ mySubmissions(first: 20) { edges { node { id formCode version status data submittedAt } } } }"
SCOPED = "{ formSubmissions(first: 50) { edges { node { id formCode data } } } }"
NODE = "query($id: ID!) { node(id: $id) { ... on FormSubmission { id formCode status data } } }"


def renovation() -> dict:
    definition = copy.deepcopy(RENOVATION)
    for spec in definition["sections"][0]["fields"]:
        if spec["key"] == "estimated_cost":
            spec["max"] = 100000
    return definition


def publish_form(tenant, in_tenant, definition, *, code="renovation", is_open=True, publish=True):
    with in_tenant(tenant):
        form = actions.save_form(
            FormDefinition(code=code, name=f"表单{code}", name_en=f"Form {code}", is_open=is_open)
        )
        actions.save_draft(form, definition)
        if publish:
            actions.publish(form)
        return FormDefinition.objects.select_related("current_version").get(pk=form.pk)


@pytest.fixture
def form(tenants, in_tenant):
    return publish_form(tenants.a, in_tenant, renovation())


@pytest.fixture
def room_id(places):
    return places["a"]["rooms"][0].pk


def good(room_id) -> dict:
    return {
        "category": "renovation",
        "room": room_id,
        "description": "Repaint",
        "estimated_cost": 6000,
        "reason": "old",
    }


def submit(caller, form, answers, draft=False, query=SUBMIT):
    body = caller(query, {"form": gid("Form", form.pk), "answers": answers, "draft": draft})
    assert "errors" not in body, body
    return body["data"]["submitForm"]


def stored(in_tenant, tenant) -> int:
    with in_tenant(tenant):
        return Submission.objects.count()


class TestForms:
    def test_lists_open_published_forms_with_definition_and_json_schema(
        self, tenants, in_tenant, api, person, form
    ):
        publish_form(tenants.a, in_tenant, renovation(), code="closed", is_open=False)
        publish_form(tenants.a, in_tenant, renovation(), code="unpublished", publish=False)
        caller = api(tenants.a, user=person(tenants.a, "staff", "end_user"))
        body = caller(FORMS)
        nodes = [edge["node"] for edge in body["data"]["forms"]["edges"]]
        assert [node["code"] for node in nodes] == ["renovation"]
        node = nodes[0]
        assert node["id"] == gid("Form", form.pk) and node["version"] == 1
        assert node["definition"] == renovation()
        schema = node["jsonSchema"]
        assert list(schema["properties"]) == [
            "category", "room", "description", "estimated_cost", "reason", "wanted_by", "items", "photos"
        ]  # fmt: skip
        assert schema["required"] == ["category", "room", "description"]
        assert schema["properties"]["category"]["enum"] == ["repair", "renovation", "furniture"]
        assert schema["properties"]["estimated_cost"]["maximum"] == 100000
        assert schema["properties"]["estimated_cost"]["x-required-when"] == {
            "field": "category", "op": "eq", "value": "renovation"
        }  # fmt: skip
        assert schema["properties"]["items"]["items"]["required"] == ["name", "qty"]
        assert caller('{ form(code: "closed") { code } }')["data"]["form"] is None
        assert caller('{ form(code: "renovation") { code } }')["data"]["form"] == {"code": "renovation"}


class TestSubmitForm:
    @pytest.mark.parametrize(
        "answers, expected",
        [
            (
                {"category": "renovation", "estimated_cost": 200000},
                {("room", "REQUIRED"), ("description", "REQUIRED"), ("estimated_cost", "MAX_VALUE")},
            ),
            (
                {
                    "category": "furniture",
                    "room": "ROOM",
                    "description": "chairs",
                    "items": [{"name": "chair", "qty": 0}, {"qty": 2}],
                },
                {("items.0.qty", "MIN_VALUE"), ("items.1.name", "REQUIRED")},
            ),
            ({"category": "spaceship", "room": "ROOM", "description": "x"}, {("category", "INVALID_CHOICE")}),
            ({"category": "repair", "room": "B_ROOM", "description": "x"}, {("room", "NOT_FOUND")}),
            (
                {"category": "repair", "room": "ROOM", "description": "x" * 2001},
                {("description", "MAX_LENGTH")},
            ),
        ],
        ids=["required-and-max", "table-cells", "choice", "room-of-b", "too-long"],
    )
    def test_bad_answers_give_per_field_codes_and_store_nothing(
        self, tenants, in_tenant, api, person, form, places, answers, expected
    ):
        rooms = {"ROOM": places["a"]["rooms"][0].pk, "B_ROOM": places["b"]["rooms"][0].pk}
        answers = {k: rooms.get(v, v) if isinstance(v, str) else v for k, v in answers.items()}
        caller = api(tenants.a, user=person(tenants.a, "staff", "end_user"))
        before = stored(in_tenant, tenants.a)
        payload = submit(caller, form, answers)
        assert payload["result"] is None
        assert {(e["field"], e["code"]) for e in payload["errors"]} == expected
        assert all(e["message"] for e in payload["errors"])
        assert stored(in_tenant, tenants.a) == before

    def test_table_errors_name_the_row_the_caller_sent(self, tenants, api, person, form, room_id):
        """A blank row before a wrong one: the error names the wrong row as the caller sent it."""
        caller = api(tenants.a, user=person(tenants.a, "staff", "end_user"))
        answers = {
            "category": "furniture",
            "room": room_id,
            "description": "chairs",
            "items": [{"name": "", "qty": None}, {"name": "chair", "qty": 0}],
        }
        payload = submit(caller, form, answers)
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("items.1.qty", "MIN_VALUE")]

    def test_nan_is_a_field_error(self, tenants, api, person, form, room_id):
        """NaN in the JSON body (json.loads takes it) is the field's INVALID, not an internal error."""
        caller = api(tenants.a, user=person(tenants.a, "staff", "end_user"))
        body = caller(
            SUBMIT,
            {"form": gid("Form", form.pk), "answers": {**good(room_id), "estimated_cost": float("nan")}},
        )
        assert "errors" not in body, body
        assert [(e["field"], e["code"]) for e in body["data"]["submitForm"]["errors"]] == [
            ("estimated_cost", "INVALID")
        ]

    def test_good_answers_are_stored_and_returned(self, tenants, in_tenant, api, person, form, room_id):
        staff = person(tenants.a, "staff", "end_user")
        payload = submit(api(tenants.a, user=staff), form, {**good(room_id), "items": [{"name": "hidden"}]})
        assert payload["errors"] == []
        result = payload["result"]
        assert (result["formCode"], result["version"]) == ("renovation", 1)
        assert result["data"] == good(room_id)  # items is hidden unless furniture: dropped
        with in_tenant(tenants.a):
            row = Submission.objects.get()
            assert result["id"] == gid("FormSubmission", row.pk)
            assert row.submitter_id == staff.pk and row.data == good(room_id)

    def test_a_draft_is_kept_unchecked(self, tenants, in_tenant, api, person, form):
        payload = submit(
            api(tenants.a, user=person(tenants.a, "staff", "end_user")), form, {"category": "?"}, True
        )
        assert payload["errors"] == [] and payload["result"]["data"] == {"category": "?"}
        with in_tenant(tenants.a):
            assert Submission.objects.get().status == Submission.Status.DRAFT

    @pytest.mark.parametrize("draft, status", [(False, "SUBMITTED"), (True, "DRAFT")])
    def test_the_result_tells_its_status(self, tenants, api, person, form, room_id, draft, status):
        caller = api(tenants.a, user=person(tenants.a, "staff", "end_user"))
        payload = submit(caller, form, good(room_id), draft, query=SUBMIT_WITH_STATUS)
        assert payload["result"]["status"] == status

    def test_an_api_key_is_nobody_and_cannot_submit(self, tenants, in_tenant, api, form, room_id):
        payload = submit(api(tenants.a, role="dispatcher"), form, good(room_id))
        assert payload["result"] is None
        assert [e["code"] for e in payload["errors"]] == ["PERMISSION_DENIED"]
        assert stored(in_tenant, tenants.a) == 0

    def test_a_closed_form_is_not_found(self, tenants, in_tenant, api, person, room_id):
        closed = publish_form(tenants.a, in_tenant, renovation(), code="closed", is_open=False)
        payload = submit(api(tenants.a, user=person(tenants.a, "staff", "end_user")), closed, good(room_id))
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("form", "NOT_FOUND")]
        assert stored(in_tenant, tenants.a) == 0

    def test_a_form_of_a_used_on_b_is_not_found_and_nothing_is_stored(
        self, tenants, in_tenant, api, person, places
    ):
        far_ids(tenants.a, "lowcode_forms_formdefinition")
        a_form = publish_form(tenants.a, in_tenant, renovation(), code="a-only")
        publish_form(tenants.b, in_tenant, renovation(), code="b-own")
        assert a_form.pk >= 1_000_000
        caller = api(tenants.b, user=person(tenants.b, "b-staff", "tenant_admin"))
        answers = {"category": "repair", "room": places["b"]["rooms"][0].pk, "description": "x"}
        payload = submit(caller, a_form, answers)
        assert payload["result"] is None
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("form", "NOT_FOUND")]
        assert stored(in_tenant, tenants.a) == 0 and stored(in_tenant, tenants.b) == 0


@pytest.fixture
def org(tenants, in_tenant, person, form, room_id):
    """MED with MED-CARD below it, SURG beside it; one submission from a person in each."""
    with in_tenant(tenants.a):
        med = identity.create_department(Department(code="MED", name="内科"), parent=root_department())
        card = identity.create_department(Department(code="MED-CARD", name="心内科"), parent=med)
        surg = identity.create_department(Department(code="SURG", name="外科"), parent=root_department())
    people = {
        "med": person(tenants.a, "med-nurse", "end_user", department=med),
        "card": person(tenants.a, "card-nurse", "end_user", department=card),
        "surg": person(tenants.a, "surg-nurse", "end_user", department=surg),
        "approver": person(tenants.a, "med-head", "approver", department=med),
        "dispatcher": person(tenants.a, "desk", "dispatcher", department=surg),
        "admin": person(tenants.a, "boss", "tenant_admin"),
    }
    with in_tenant(tenants.a):
        made = {
            name: actions.submit(form, good(room_id), user=people[name]) for name in ("med", "card", "surg")
        }
        made["draft"] = actions.save_submission_draft(form, {"category": "x"}, user=people["med"])
    return people, made


def ids(body, field):
    return {edge["node"]["id"] for edge in body["data"][field]["edges"]}


class TestReading:
    def test_my_submissions_are_only_mine(self, tenants, api, org):
        people, made = org
        mine = ids(api(tenants.a, user=people["med"])(MINE), "mySubmissions")
        assert mine == {gid("FormSubmission", made[n].pk) for n in ("med", "draft")}
        assert ids(api(tenants.a, user=people["approver"])(MINE), "mySubmissions") == set()
        assert ids(api(tenants.a, role="tenant_admin")(MINE), "mySubmissions") == set()  # a key owns nothing

    def test_form_submissions_follow_forms_view_and_the_data_scope(self, tenants, api, org):
        people, made = org
        assert ids(api(tenants.a, user=people["med"])(SCOPED), "formSubmissions") == set()  # no forms.view
        assert ids(api(tenants.a, user=people["approver"])(SCOPED), "formSubmissions") == {
            gid("FormSubmission", made[n].pk) for n in ("med", "card")
        }
        submitted = {gid("FormSubmission", made[n].pk) for n in ("med", "card", "surg")}
        assert ids(api(tenants.a, user=people["dispatcher"])(SCOPED), "formSubmissions") == submitted
        assert ids(api(tenants.a, role="dispatcher")(SCOPED), "formSubmissions") == submitted  # drafts never

    def test_node_of_someone_elses_submission(self, tenants, api, org):
        people, made = org
        theirs = {"id": gid("FormSubmission", made["surg"].pk)}
        assert api(tenants.a, user=people["med"])(NODE, theirs)["data"]["node"] is None
        assert (
            api(tenants.a, user=people["approver"])(NODE, theirs)["data"]["node"] is None
        )  # another subtree
        seen = api(tenants.a, user=people["admin"])(NODE, theirs)["data"]["node"]
        assert seen["id"] == theirs["id"] and seen["data"]["description"] == "Repaint"
        own_draft = api(tenants.a, user=people["med"])(NODE, {"id": gid("FormSubmission", made["draft"].pk)})
        assert own_draft["data"]["node"]["status"] == "DRAFT"

    def test_node_of_someone_elses_draft_is_null(self, tenants, api, org):
        people, made = org
        variables = {"id": gid("FormSubmission", made["draft"].pk)}
        assert api(tenants.a, user=people["admin"])(NODE, variables)["data"]["node"] is None
        assert api(tenants.a, user=people["dispatcher"])(NODE, variables)["data"]["node"] is None

    def test_a_submission_of_a_is_null_on_b(self, tenants, in_tenant, api, person, room_id):
        far_ids(tenants.a, "lowcode_forms_submission")
        a_form = publish_form(tenants.a, in_tenant, renovation(), code="a-form")
        staff = person(tenants.a, "a-staff", "end_user")
        with in_tenant(tenants.a):
            row = actions.submit(a_form, good(room_id), user=staff)
        assert row.pk >= 1_000_000
        variables = {"id": gid("FormSubmission", row.pk)}
        b_admin = api(tenants.b, user=person(tenants.b, "b-admin", "tenant_admin"))
        assert b_admin(NODE, variables)["data"]["node"] is None
        assert ids(b_admin(SCOPED), "formSubmissions") == set()
        assert api(tenants.a, user=staff)(NODE, variables)["data"]["node"]["id"] == variables["id"]


class TestQueryCount:
    def grow(self, tenants, in_tenant, form, user, room_id, count):
        with in_tenant(tenants.a):
            for _ in range(count):
                actions.submit(form, good(room_id), user=user)

    def count(self, caller, query) -> int:
        with CaptureQueriesContext(connection) as captured:
            body = caller(query)
        assert "errors" not in body, body
        return len(captured.captured_queries), len(body["data"]["mySubmissions"]["edges"])

    def test_my_submissions_page_costs_the_same_for_2_and_15_rows(
        self, tenants, in_tenant, api, person, form, room_id
    ):
        staff = person(tenants.a, "staff", "end_user")
        caller = api(tenants.a, user=staff)
        self.grow(tenants, in_tenant, form, staff, room_id, 2)
        caller(MINE)  # warm the per-process caches
        few = self.count(caller, MINE)
        self.grow(tenants, in_tenant, form, staff, room_id, 13)
        many = self.count(caller, MINE)
        assert (few[1], many[1]) == (2, 15)
        assert few[0] == many[0]

    def test_my_submissions_with_their_form_costs_the_same(
        self, tenants, in_tenant, api, person, form, room_id
    ):
        query = "{ mySubmissions(first: 20) { edges { node { id form { code version } } } } }"
        staff = person(tenants.a, "staff", "end_user")
        caller = api(tenants.a, user=staff)
        self.grow(tenants, in_tenant, form, staff, room_id, 2)
        caller(query)
        few = self.count(caller, query)
        self.grow(tenants, in_tenant, form, staff, room_id, 13)
        many = self.count(caller, query)
        assert (few[1], many[1]) == (2, 15)
        assert few[0] == many[0]
