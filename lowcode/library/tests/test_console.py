"""The group-templates console screen: publish, withdraw and republish in the HQ; adopt with
per-field errors in the subsidiary; nothing for a tenant outside the group."""

from __future__ import annotations

import pytest

from lowcode.forms import actions as forms
from lowcode.forms.models import FormDefinition
from lowcode.library import actions
from lowcode.library.models import GroupTemplate, GroupTemplateAdoption
from lowcode.library.tests.conftest import make_form

pytestmark = pytest.mark.django_db

INDEX = "/console/group-templates/"


def test_the_hq_publishes_withdraws_and_republishes_from_the_console(tenants, in_tenant, client_for, group):
    hq = client_for(tenants.hq, user=group["hq_admin"], HTTP_ACCEPT_LANGUAGE="en")
    page = hq.get(INDEX)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="publish-form"' in html
    assert f'value="form:{group["form"].pk}"' in html and f'value="report:{group["report"].pk}"' in html
    assert f'value="workflow:{group["flow"].pk}"' in html

    # Nothing chosen: a message on the field, nothing published.
    page = hq.post(INDEX, {"object": "", "description": ""})
    assert 'data-field="object"' in page.content.decode() and not GroupTemplate.objects.exists()
    # Another tenant's id or a made-up one: refused the same way.
    page = hq.post(INDEX, {"object": "form:999999"})
    assert 'data-field="object"' in page.content.decode() and not GroupTemplate.objects.exists()

    response = hq.post(INDEX, {"object": f"form:{group['form'].pk}", "description": "巡查"})
    assert response.status_code == 302
    template = GroupTemplate.objects.get()
    assert (template.kind, template.code, template.version, template.description) == (
        "form",
        "visit",
        1,
        "巡查",
    )
    listed = hq.get(INDEX).content.decode()
    assert f'data-template="{template.pk}"' in listed and "v1" in listed

    # Unchanged: refused with a message, still version 1.
    assert hq.post(f"{INDEX}{template.pk}/republish/").status_code == 302
    template.refresh_from_db()
    assert template.version == 1
    with in_tenant(tenants.hq):
        form = group["form"]
        changed = {**form.draft, "sections": [{**form.draft["sections"][0], "key": "basics"}]}
        forms.save_draft(form, changed, user=group["hq_admin"])
        forms.publish(form, user=group["hq_admin"])
    assert hq.post(f"{INDEX}{template.pk}/republish/").status_code == 302
    template.refresh_from_db()
    assert template.version == 2 and template.payload["definition"]["sections"][0]["key"] == "basics"
    assert hq.post(f"{INDEX}{template.pk}/withdraw/").status_code == 302
    template.refresh_from_db()
    assert template.withdrawn
    assert 'data-status="withdrawn"' in hq.get(INDEX).content.decode()


def test_the_subsidiary_adopts_with_per_field_errors(tenants, in_tenant, client_for, group):
    with in_tenant(tenants.hq):
        template = actions.publish(group["form"], "form", group["hq_admin"])
    with in_tenant(tenants.sub):
        make_form(group["sub_admin"], name="本地巡查")  # `visit` is taken here
    sub = client_for(tenants.sub, user=group["sub_admin"], HTTP_ACCEPT_LANGUAGE="en")
    assert INDEX in sub.get("/console/").content.decode()  # the menu item (under Reports)
    html = sub.get(INDEX).content.decode()
    assert 'id="offered-list"' in html and f'data-template="{template.pk}"' in html
    assert 'id="publish-form"' not in html  # a subsidiary does not publish
    url = f"{INDEX}{template.pk}/adopt/"
    form_page = sub.get(url).content.decode()
    assert 'value="visit"' in form_page  # the template's code, offered to change

    page = sub.post(url, {"code": "visit", "name": "巡查", "name_en": ""})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-field="code"' in html
    assert "choose another code" in html or "请更换编码" in html  # the console speaks the user's language
    assert not GroupTemplateAdoption.objects.exists()

    response = sub.post(url, {"code": "visit-group", "name": "集团巡查", "name_en": "Group visits"})
    assert response.status_code == 302
    with in_tenant(tenants.sub):
        copy = FormDefinition.objects.get(code="visit-group")
        assert copy.name == "集团巡查" and copy.current_version is not None
    listed = sub.get(INDEX).content.decode()
    row = listed.split(f'data-template="{template.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-adopted="1"' in row and "newer-version" not in row

    with in_tenant(tenants.hq):
        form = group["form"]
        forms.save_draft(
            form,
            {**form.draft, "sections": [{**form.draft["sections"][0], "key": "b"}]},
            user=group["hq_admin"],
        )
        forms.publish(form, user=group["hq_admin"])
        form.refresh_from_db()
        actions.publish(form, "form", group["hq_admin"])  # version 2
    row = sub.get(INDEX).content.decode().split(f'data-template="{template.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-adopted="1"' in row and "newer-version" in row and "v2" in row

    # A subsidiary cannot publish, nor withdraw the HQ's template.
    response = sub.post(INDEX, {"object": f"form:{copy.pk}"})
    assert response.status_code in (302, 403)
    assert sub.post(f"{INDEX}{template.pk}/withdraw/").status_code == 404
    assert GroupTemplate.objects.count() == 1 and not GroupTemplate.objects.get().withdrawn


def test_a_tenant_outside_the_group_sees_nothing_and_cannot_adopt_by_id(
    tenants, in_tenant, client_for, group
):
    with in_tenant(tenants.hq):
        template = actions.publish(group["form"], "form", group["hq_admin"])
    outsider = client_for(tenants.a, user=group["a_admin"])
    html = outsider.get(INDEX).content.decode()
    assert 'id="no-group"' in html and group["form"].name not in html
    assert outsider.get(f"{INDEX}{template.pk}/adopt/").status_code == 404
    assert outsider.post(f"{INDEX}{template.pk}/adopt/", {"code": "x", "name": "x"}).status_code == 404
    with in_tenant(tenants.a):
        assert not FormDefinition.objects.filter(code__in=["x", "visit"]).exists()
    assert not GroupTemplateAdoption.objects.exists()
