"""Form submissions as report datasets: the builder's counts and sums equal hand-written SQL
on generated submissions; drafts never count; a submitter-only viewer sees only their own."""

import random

import pytest
from django.db import connection

from identity.models import DataScope
from lowcode.forms import actions
from lowcode.forms.tests.conftest import t
from lowcode.reports.compiler import ReportError, run
from lowcode.reports.datasets import all_datasets

pytestmark = pytest.mark.django_db

EXPENSES = {
    "sections": [
        {
            "key": "main",
            "title": t("报销", "Expenses"),
            "fields": [
                {"key": "title", "type": "text", "label": t("事由", "Purpose"), "max_length": 50},
                {
                    "key": "kind",
                    "type": "choice",
                    "label": t("类别", "Kind"),
                    "required": True,
                    "options": [
                        {"value": "travel", "label": t("差旅", "Travel")},
                        {"value": "meals", "label": t("餐费", "Meals")},
                        {"value": "supplies", "label": t("耗材", "Supplies")},
                    ],
                },
                {"key": "amount", "type": "money", "label": t("金额", "Amount"), "min": 0},
                {"key": "people", "type": "number", "label": t("人数", "People"), "min": 1},
                {"key": "urgent", "type": "boolean", "label": t("加急", "Urgent")},
                {"key": "notes", "type": "textarea", "label": t("备注", "Notes")},
            ],
        }
    ]
}


def sql(query, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


@pytest.fixture
def expenses(tenants, in_tenant, make_form, person, role, department):
    """40 submissions of a published form by three people in two departments, plus drafts."""
    role(tenants.a, "own_forms", ["forms.view"], DataScope.OWN)
    finance = department(tenants.a, "FIN")
    works = department(tenants.a, "WORKS")
    people = [
        person(tenants.a, "ann", "own_forms", department=finance),
        person(tenants.a, "bob", "own_forms", department=works),
        person(tenants.a, "cai", "own_forms", department=works),
    ]
    form = make_form(tenants.a, EXPENSES, code="expenses", name="报销单", name_en="Expenses")
    rng = random.Random(9)
    with in_tenant(tenants.a):
        for i in range(40):
            answers = {
                "title": f"trip {i}",
                "kind": rng.choice(["travel", "meals", "supplies"]),
                "amount": f"{rng.randint(0, 200000) / 100:.2f}",
                "urgent": rng.random() < 0.3,
            }
            if rng.random() < 0.7:
                answers["people"] = rng.randint(1, 9)
            actions.submit(form, answers, user=people[i % 3])
        # Drafts are not submissions yet: they never count.
        actions.save_submission_draft(form, {"kind": "travel", "amount": "99999"}, user=people[0])
        actions.save_submission_draft(form, {"kind": "meals"}, user=people[1])
    return {"form": form, "people": people, "finance": finance, "works": works}


def test_a_dataset_per_published_form_with_its_short_fields(tenants, in_tenant, expenses, make_form):
    make_form(tenants.a, EXPENSES, code="unpublished", publish=False)
    with in_tenant(tenants.a):
        found = all_datasets()
        assert "forms.expenses" in found
        assert "forms.unpublished" not in found
        dataset = found["forms.expenses"]
        keys = [dimension.key for dimension in dataset.dimensions]
        assert keys == [
            "submitted",
            "department",
            "approval",
            "field.title",
            "field.kind",
            "field.amount",
            "field.people",
            "field.urgent",
        ]  # the long text is not a dimension
        assert dataset.dimension("field.amount").kind == "number"
        assert dataset.dimension("field.urgent").kind == "boolean"
        assert [measure.key for measure in dataset.measures] == [
            "count",
            "sum.amount",
            "avg.amount",
            "sum.people",
            "avg.people",
        ]


def test_counts_by_choice_and_money_sums_equal_hand_written_sql(tenants, in_tenant, expenses, tenant_admin):
    admin = tenant_admin(tenants.a)
    form = expenses["form"]
    with in_tenant(tenants.a):
        result = run(
            {
                "dataset": "forms.expenses",
                "group_by": ["field.kind"],
                "measures": ["count", "sum.amount", "avg.people"],
            },
            principal=admin,
        )
        expected = sql(
            "SELECT data->>'kind', count(*), coalesce(sum((data->>'amount')::float), 0),"
            " avg((data->>'people')::float) FROM lowcode_forms_submission"
            " WHERE form_id = %s AND status = 'submitted' GROUP BY 1 ORDER BY 1",
            [form.pk],
        )
    assert [column["key"] for column in result.columns] == ["field.kind", "count", "sum.amount", "avg.people"]
    got = [
        (row["field.kind"]["value"], row["count"], row["sum.amount"], row["avg.people"])
        for row in result.rows
    ]
    assert [(kind, count) for kind, count, _s, _a in got] == [
        (kind, count) for kind, count, _s, _a in expected
    ]
    assert sum(count for _k, count, _s, _a in got) == 40  # drafts left out
    for (_k, _c, total, average), (_k2, _c2, want_total, want_average) in zip(got, expected, strict=True):
        assert total == pytest.approx(round(want_total, 2), abs=0.006)
        assert average == pytest.approx(round(want_average, 2), abs=0.006)
    labels = {row["field.kind"]["value"]: row["field.kind"]["label"] for row in result.rows}
    assert labels["travel"] in ("差旅", "Travel")

    # The same with a filter on a number field and a boolean, and the whole total.
    with in_tenant(tenants.a):
        filtered = run(
            {
                "dataset": "forms.expenses",
                "filters": [
                    {"field": "field.amount", "op": "gte", "value": 500},
                    {"field": "field.urgent", "op": "eq", "value": False},
                ],
                "measures": ["count", "sum.amount"],
            },
            principal=admin,
        )
        [(count, total)] = sql(
            "SELECT count(*), coalesce(sum((data->>'amount')::float), 0) FROM lowcode_forms_submission"
            " WHERE form_id = %s AND status = 'submitted' AND (data->>'amount')::float >= 500"
            " AND NOT (data->>'urgent')::boolean",
            [form.pk],
        )
    assert 0 < count < 40
    assert filtered.rows == [{"count": count, "sum.amount": pytest.approx(round(total, 2), abs=0.006)}]


def test_by_department_and_approval(tenants, in_tenant, expenses, tenant_admin):
    admin = tenant_admin(tenants.a)
    with in_tenant(tenants.a):
        result = run(
            {"dataset": "forms.expenses", "group_by": ["department", "approval"], "measures": ["count"]},
            principal=admin,
        )
    counts = {(row["department"]["label"], row["approval"]["value"]): row["count"] for row in result.rows}
    # ann (finance) made submissions 0, 3, 6 … ; bob and cai (works) the others. No workflow: no approval.
    assert counts == {("科室FIN", ""): 14, ("科室WORKS", ""): 26}


def test_a_submitter_only_viewer_counts_only_their_own(tenants, in_tenant, expenses):
    ann = expenses["people"][0]
    with in_tenant(tenants.a):
        mine = run({"dataset": "forms.expenses", "measures": ["count", "sum.amount"]}, principal=ann)
        [(count, total)] = sql(
            "SELECT count(*), coalesce(sum((data->>'amount')::float), 0) FROM lowcode_forms_submission"
            " WHERE form_id = %s AND status = 'submitted' AND submitter_id = %s",
            [expenses["form"].pk, ann.pk],
        )
    assert count == 14
    assert mine.rows == [{"count": 14, "sum.amount": pytest.approx(round(total, 2), abs=0.006)}]


def test_fields_outside_the_whitelist_are_refused(tenants, in_tenant, expenses, tenant_admin):
    admin = tenant_admin(tenants.a)
    with in_tenant(tenants.a):
        for spec, code in [
            ({"dataset": "forms.expenses", "group_by": ["field.notes"]}, "unknown_field"),
            ({"dataset": "forms.expenses", "group_by": ["data__kind"]}, "unknown_field"),
            ({"dataset": "forms.expenses", "measures": ["sum.kind"]}, "unknown_measure"),
            (
                {
                    "dataset": "forms.expenses",
                    "filters": [{"field": "field.kind", "op": "eq", "value": "x' OR 1=1"}],
                },
                None,
            ),
        ]:
            if code is None:
                assert run(spec, principal=admin).rows == [{"count": 0}]
                continue
            with pytest.raises(ReportError) as caught:
                run(spec, principal=admin)
            assert caught.value.code == code
