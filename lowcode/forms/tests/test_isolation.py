"""Tenant B cannot see, fill in or export tenant A's forms and submissions: portal, console.

(The API: tests/api/test_forms_api.py.) A's forms, versions and submissions are numbered
from a million up (far_ids), so an id of A's is never also one of B's own rows: a 404 on B
means B's schema does not hold it, not that the number happened to be free.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from lowcode.forms import actions
from lowcode.forms.models import FormDefinition, Submission
from tests.api.helpers import far_ids

pytestmark = pytest.mark.django_db

SECRET = "甲医院机密答案"


@pytest.fixture
def a_and_b(tenants, in_tenant, make_form, person, simple_definition):
    far_ids(
        tenants.a, "lowcode_forms_formdefinition", "lowcode_forms_formversion", "lowcode_forms_submission"
    )
    a_form = make_form(tenants.a, simple_definition, code="secret-a", name="甲医院机密表单")
    b_form = make_form(tenants.b, simple_definition, code="b-form", name="乙大学表单")
    a_user = person(tenants.a, "a-filler", "end_user")
    b_user = person(tenants.b, "b-filler", "end_user")
    with in_tenant(tenants.a):
        a_row = actions.submit(a_form, {"title": SECRET, "kind": "repair"}, user=a_user)
    with in_tenant(tenants.b):
        b_row = actions.submit(b_form, {"title": "乙的答案", "kind": "repair"}, user=b_user)
    assert a_form.pk >= 1_000_000 and a_row.pk >= 1_000_000
    return {
        "a_form": a_form,
        "a_row": a_row,
        "a_user": a_user,
        "b_form": b_form,
        "b_row": b_row,
        "b_user": b_user,
    }


def counts(in_tenant, tenants):
    found = []
    for tenant in (tenants.a, tenants.b):
        with in_tenant(tenant):
            found.append(Submission.objects.count())
    return found


def test_portal_of_b_knows_nothing_of_a(tenants, in_tenant, a_and_b, login, tenant_admin):
    before = counts(in_tenant, tenants)
    for who in (a_and_b["b_user"], tenant_admin(tenants.b)):
        b = login(tenants.b, who)
        index = b.get("/forms/").content.decode()
        assert "乙大学表单" in index and "甲医院机密表单" not in index and "secret-a" not in index
        assert b.get("/forms/secret-a/").status_code == 404
        response = b.post(
            "/forms/secret-a/", {"answers": json.dumps({"title": "x", "kind": "repair"}), "action": "submit"}
        )
        assert response.status_code == 404
        response = b.post("/forms/secret-a/", {"answers": "{}", "action": "draft"})
        assert response.status_code == 404
        detail = b.get(f"/forms/submissions/{a_and_b['a_row'].pk}/")
        assert detail.status_code == 404 and SECRET not in detail.content.decode()
        assert SECRET not in b.get("/forms/mine/").content.decode()
    assert counts(in_tenant, tenants) == before
    # The same paths answer on A's own domain, so the 404s above are the tenant boundary.
    a = login(tenants.a, a_and_b["a_user"])
    assert a.get("/forms/secret-a/").status_code == 200
    assert SECRET in a.get(f"/forms/submissions/{a_and_b['a_row'].pk}/").content.decode()


def test_console_of_b_knows_nothing_of_a(tenants, in_tenant, a_and_b, login, tenant_admin):
    b = login(tenants.b, tenant_admin(tenants.b))
    a_pk = a_and_b["a_form"].pk
    for path in (
        f"/console/forms/definitions/edit/{a_pk}/",
        f"/console/forms/definitions/{a_pk}/design/",
        f"/console/forms/definitions/{a_pk}/publish/",
        f"/console/forms/definitions/{a_pk}/versions/",
    ):
        response = b.get(path)
        assert response.status_code == 404, path
        assert "甲医院机密表单" not in response.content.decode()
    assert b.post(f"/console/forms/definitions/{a_pk}/publish/").status_code == 404
    assert b.post(f"/console/forms/definitions/{a_pk}/migrate/").status_code == 404
    response = b.post(f"/console/forms/definitions/{a_pk}/design/", {"draft": json.dumps({"sections": []})})
    assert response.status_code == 404
    with in_tenant(tenants.a):
        assert FormDefinition.objects.get(pk=a_pk).draft == a_and_b["a_form"].draft

    listing = b.get("/console/forms/definitions/").content.decode()
    assert "b-form" in listing and "secret-a" not in listing
    for query in ("", f"?form={a_pk}", f"?form={a_pk}&f.title=机密"):
        page = b.get(f"/console/form-submissions/{query}")
        assert page.status_code == 200
        html = page.content.decode()
        assert SECRET not in html and "甲医院机密表单" not in html
    # An id of A's names no form here: the list falls back to B's own form, with B's rows only.
    assert (
        f"/console/form-submissions/{a_and_b['b_row'].pk}/"
        in b.get(f"/console/form-submissions/?form={a_pk}").content.decode()
    )


def test_exports_of_b_never_contain_a(tenants, a_and_b, login, tenant_admin):
    b = login(tenants.b, tenant_admin(tenants.b))
    a_pk = a_and_b["a_form"].pk
    for fmt in ("csv", "xlsx"):
        response = b.get(f"/console/form-submissions/export.{fmt}?form={a_pk}")
        assert response.status_code == 200
        assert "secret-a" not in response["Content-Disposition"]
        assert SECRET.encode() not in response.content
    rows = list(
        csv.reader(
            io.StringIO(
                b.get(f"/console/form-submissions/export.csv?form={a_pk}").content.decode("utf-8-sig")
            )
        )
    )
    assert [row[0] for row in rows[1:]] == [str(a_and_b["b_row"].pk)]
    assert "乙的答案" in rows[1]
    # A's own export does contain it (the check above can fail).
    a = login(tenants.a, tenant_admin(tenants.a))
    assert SECRET in a.get(f"/console/form-submissions/export.csv?form={a_pk}").content.decode("utf-8-sig")
