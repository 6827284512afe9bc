"""Group templates through the actions: the HQ publishes, its subsidiary adopts working copies,
a tenant outside the group sees and adopts nothing, refusals write nothing."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lowcode.forms import actions as forms
from lowcode.forms.models import FormDefinition, Submission
from lowcode.library import actions
from lowcode.library.models import GroupTemplate, GroupTemplateAdoption
from lowcode.library.tests.conftest import FLOW, make_form, make_workflow
from lowcode.reports import compiler
from lowcode.reports.models import SavedReport
from lowcode.workflows.definition import check as check_workflow
from lowcode.workflows.models import WorkflowDefinition

pytestmark = pytest.mark.django_db


def publish_all(tenants, in_tenant, group):
    with in_tenant(tenants.hq):
        return {
            "report": actions.publish(group["report"], "report", group["hq_admin"]),
            "form": actions.publish(group["form"], "form", group["hq_admin"], description="每月巡查"),
            "form_report": actions.publish(group["form_report"], "report", group["hq_admin"]),
            "flow": actions.publish(group["flow"], "workflow", group["hq_admin"]),
        }


def test_the_hq_publishes_self_contained_snapshots(tenants, in_tenant, group):
    published = publish_all(tenants, in_tenant, group)
    report, form, flow = published["report"], published["form"], published["flow"]
    assert report.publisher_id == tenants.hq.pk and report.version == 1 and not report.withdrawn
    assert report.payload["spec"] == group["report"].spec and report.payload["view"] == "bar"
    assert report.code == f"report-{group['report'].pk}"
    assert form.code == "visit" and form.description == "每月巡查"
    assert form.payload["definition"] == group["form"].current_version.definition
    assert flow.payload["definition"] == FLOW and flow.name_en == "Group purchase"
    admin = group["hq_admin"]
    assert form.published_by == (admin.full_name or admin.username) != ""


def test_the_subsidiary_sees_them_and_a_tenant_outside_the_group_sees_none(tenants, in_tenant, group):
    published = publish_all(tenants, in_tenant, group)
    ids = {t.pk for t in published.values()}
    assert {t.pk for t in actions.visible_templates(tenants.sub)} == ids
    assert not actions.visible_templates(tenants.a).exists()
    assert not actions.visible_templates(tenants.b).exists()
    # The HQ does not see its own as offered to it (it has no group above it).
    assert not actions.visible_templates(tenants.hq).exists()
    # Tenant A cannot adopt one by its id, whatever its rights there.
    with in_tenant(tenants.a):
        with pytest.raises(PermissionDenied):
            actions.adopt(published["form"], group["a_admin"], code="visit2")
        assert not FormDefinition.objects.filter(code__in=["visit", "visit2"]).exists()
    assert not GroupTemplateAdoption.objects.exists()


def test_the_subsidiary_adopts_working_copies(tenants, in_tenant, group):
    published = publish_all(tenants, in_tenant, group)
    sub_admin = group["sub_admin"]
    with in_tenant(tenants.sub):
        report = actions.adopt(published["report"], sub_admin)
        assert isinstance(report, SavedReport) and report.owner_id == sub_admin.pk
        assert report.spec == group["report"].spec and report.name == "按工种"
        result = compiler.run(report.spec, principal=sub_admin)  # the copy runs here
        assert [c["key"] for c in result.columns] == ["trade", "count", "cost_total"] and result.rows == []

        form = actions.adopt(published["form"], sub_admin, name="本院巡查", name_en="Our visits")
        form.refresh_from_db()
        assert form.code == "visit" and form.name == "本院巡查" and form.current_version.number == 1
        assert form.current_version.definition == group["form"].current_version.definition
        submission = forms.submit(form, {"title": "三楼", "hours": 2, "kind": "repair"}, user=sub_admin)
        assert Submission.objects.get(pk=submission.pk).data["kind"] == "repair"

        flow = actions.adopt(published["flow"], sub_admin, code="purchase-group")
        flow.refresh_from_db()
        assert flow.code == "purchase-group" and flow.current_version is not None
        assert check_workflow(flow.current_version.definition) == []
        assert flow.current_version.definition == FLOW

        # The report on the form now finds its form here, and runs.
        form_report = actions.adopt(published["form_report"], sub_admin)
        result = compiler.run(form_report.spec, principal=sub_admin)
        assert result.rows and result.rows[0]["count"] == 1
    rows = GroupTemplateAdoption.objects.filter(tenant=tenants.sub)
    assert {(r.template_id, r.version, r.local_id) for r in rows} == {
        (published["report"].pk, 1, report.pk),
        (published["form"].pk, 1, form.pk),
        (published["flow"].pk, 1, flow.pk),
        (published["form_report"].pk, 1, form_report.pk),
    }
    state = actions.adoption_state(tenants.sub, actions.visible_templates(tenants.sub))
    assert all(entry["version"] == 1 and not entry["newer"] for entry in state.values())


def test_editing_the_copy_leaves_the_template_alone(tenants, in_tenant, group):
    published = publish_all(tenants, in_tenant, group)
    sub_admin = group["sub_admin"]
    before = copy.deepcopy(published["form"].payload)
    with in_tenant(tenants.sub):
        form = actions.adopt(published["form"], sub_admin)
        changed = copy.deepcopy(form.draft)
        changed["sections"][0]["fields"][0]["label"] = {"zh": "地点", "en": "Place"}
        forms.save_draft(form, changed, user=sub_admin)
        forms.publish(form, user=sub_admin)
        report = actions.adopt(published["report"], sub_admin)
        report.spec = {**report.spec, "measures": ["count"]}
        report.save()
    template = GroupTemplate.objects.get(pk=published["form"].pk)
    assert template.payload == before and template.version == 1
    assert GroupTemplate.objects.get(pk=published["report"].pk).payload["spec"]["measures"] == [
        "count",
        "cost_total",
    ]
    with in_tenant(tenants.hq):
        hq_form = FormDefinition.objects.get(code="visit")
        assert hq_form.current_version.definition["sections"][0]["fields"][0]["label"]["zh"] == "标题"


def test_a_duplicate_code_is_a_field_error_and_writes_nothing(tenants, in_tenant, group):
    published = publish_all(tenants, in_tenant, group)
    sub_admin = group["sub_admin"]
    with in_tenant(tenants.sub):
        make_form(sub_admin, name="本地巡查")  # the subsidiary already has a form `visit`
        with pytest.raises(ValidationError) as caught:
            actions.adopt(published["form"], sub_admin)
        assert caught.value.error_dict["code"][0].code == "duplicate_code"
        assert "visit" in caught.value.message_dict["code"][0]
        assert FormDefinition.objects.filter(code="visit").get().name == "本地巡查"
        # The seed workflow exists in every tenant: publishing it from the HQ and adopting it
        # under its own code is refused the same way.
        seed = WorkflowDefinition.objects.get(code="purchase-three-level")
        count = WorkflowDefinition.objects.count()
    with in_tenant(tenants.hq):
        seed_template = actions.publish(
            WorkflowDefinition.objects.get(code="purchase-three-level"), "workflow", group["hq_admin"]
        )
    with in_tenant(tenants.sub):
        with pytest.raises(ValidationError) as caught:
            actions.adopt(seed_template, sub_admin)
        assert "code" in caught.value.message_dict
        assert WorkflowDefinition.objects.count() == count
        seed.refresh_from_db()
        # A bad code (not a slug) is a field error too.
        with pytest.raises(ValidationError) as caught:
            actions.adopt(published["form"], sub_admin, code="not a code!")
        assert "code" in caught.value.message_dict
        # With another code it goes through.
        other = actions.adopt(published["form"], sub_admin, code="visit-group")
        assert (
            other.code == "visit-group"
            and FormDefinition.objects.filter(code__startswith="visit").count() == 2
        )
    assert GroupTemplateAdoption.objects.filter(tenant=tenants.sub).count() == 1


def test_a_report_whose_form_is_missing_is_refused_clearly(tenants, in_tenant, group):
    published = publish_all(tenants, in_tenant, group)
    with in_tenant(tenants.sub):
        with pytest.raises(ValidationError) as caught:
            actions.adopt(published["form_report"], group["sub_admin"])
        assert caught.value.code == "missing_dataset" and "visit" in caught.value.messages[0]
        assert not SavedReport.objects.exists()
    assert not GroupTemplateAdoption.objects.exists()


def test_a_failure_half_way_leaves_nothing_behind(tenants, in_tenant, group, monkeypatch):
    published = publish_all(tenants, in_tenant, group)

    def refuse(*args, **kwargs):
        raise ValidationError("publishing refused", code="boom")

    monkeypatch.setattr(forms, "publish", refuse)
    with in_tenant(tenants.sub):
        with pytest.raises(ValidationError):
            actions.adopt(published["form"], group["sub_admin"])
        assert not FormDefinition.objects.filter(code="visit").exists()
    assert not GroupTemplateAdoption.objects.exists()


def test_an_invalid_payload_is_refused_and_writes_nothing(tenants, in_tenant, group):
    published = publish_all(tenants, in_tenant, group)
    flow = published["flow"]
    GroupTemplate.objects.filter(pk=flow.pk).update(
        payload={**flow.payload, "definition": {"steps": [{"key": "x", "kind": "teleport"}]}}
    )
    flow.refresh_from_db()
    form = published["form"]
    GroupTemplate.objects.filter(pk=form.pk).update(payload={**form.payload, "definition": "nonsense"})
    form.refresh_from_db()
    with in_tenant(tenants.sub):
        count = WorkflowDefinition.objects.count()
        with pytest.raises(ValidationError) as caught:
            actions.adopt(flow, group["sub_admin"])
        assert "steps[0]" in " ".join(caught.value.messages)
        assert WorkflowDefinition.objects.count() == count
        with pytest.raises(ValidationError) as caught:
            actions.adopt(form, group["sub_admin"])
        assert caught.value.code == "bad_template"
        assert not FormDefinition.objects.exists()
    assert not GroupTemplateAdoption.objects.exists()


def test_only_a_group_headquarters_publishes_and_only_with_the_rights(tenants, in_tenant, group, person):
    sub_admin = group["sub_admin"]
    with in_tenant(tenants.sub):
        form = make_form(sub_admin, code="sub-form")
        with pytest.raises(ValidationError) as caught:
            actions.publish(form, "form", sub_admin)
        assert caught.value.code == "not_group"
    desk = person(tenants.hq, "hq-desk", "dispatcher")  # reports.add, but not reports.hq
    viewer = person(tenants.hq, "hq-viewer", "hq_viewer")  # reports.hq, but cannot make reports
    with in_tenant(tenants.hq):
        with pytest.raises(PermissionDenied):
            actions.publish(group["report"], "report", desk)
        with pytest.raises(PermissionDenied):
            actions.publish(group["report"], "report", viewer)
        with pytest.raises(ValidationError) as caught:
            actions.publish(group["report"], "nonsense", group["hq_admin"])
        assert "kind" in caught.value.message_dict
    assert not GroupTemplate.objects.exists()


def test_what_names_the_hqs_own_records_is_not_published(tenants, in_tenant, group):
    hq_admin = group["hq_admin"]
    with in_tenant(tenants.hq):
        by_id = {"steps": [{**FLOW["steps"][0], "approvers": [{"type": "user", "id": hq_admin.pk}]}]}
        flow = make_workflow(hq_admin, code="by-person", definition=by_id)
        with pytest.raises(ValidationError) as caught:
            actions.publish(flow, "workflow", hq_admin)
        assert caught.value.error_dict["object"][0].code == "local_reference"
        from lowcode.reports import actions as reports

        report = reports.save_report(
            SavedReport(
                name="某楼",
                spec={
                    "dataset": "workorders.orders",
                    "filters": [{"field": "building", "op": "in", "value": [1]}],
                    "measures": ["count"],
                },
            ),
            user=hq_admin,
        )
        with pytest.raises(ValidationError) as caught:
            actions.publish(report, "report", hq_admin)
        assert "filters[0]" in caught.value.message_dict["object"][0]
        draft_only = make_form(hq_admin, code="draft-only")
        FormDefinition.objects.filter(pk=draft_only.pk).update(current_version=None)
        draft_only.refresh_from_db()
        with pytest.raises(ValidationError) as caught:
            actions.publish(draft_only, "form", hq_admin)
        assert caught.value.error_dict["object"][0].code == "unpublished"
    assert not GroupTemplate.objects.exists()


def test_withdraw_hides_and_republish_makes_a_newer_version(tenants, in_tenant, group):
    published = publish_all(tenants, in_tenant, group)
    hq_admin, sub_admin = group["hq_admin"], group["sub_admin"]
    with in_tenant(tenants.sub):
        actions.adopt(published["form"], sub_admin)
    with in_tenant(tenants.hq):
        form = group["form"]
        changed = copy.deepcopy(form.draft)
        changed["sections"][0]["fields"].append({"key": "notes", "type": "textarea", "label": {"zh": "备注"}})
        forms.save_draft(form, changed, user=hq_admin)
        forms.publish(form, user=hq_admin)
        form.refresh_from_db()
        again = actions.publish(form, "form", hq_admin)
        with pytest.raises(ValidationError) as caught:
            actions.publish(form, "form", hq_admin)  # nothing changed since
        assert caught.value.error_dict["object"][0].code == "unchanged"
    assert again.pk == published["form"].pk and again.version == 2
    assert again.payload["definition"] == changed
    state = actions.adoption_state(tenants.sub, actions.visible_templates(tenants.sub))
    assert state[again.pk]["version"] == 1 and state[again.pk]["newer"] is True

    with in_tenant(tenants.hq):
        actions.withdraw(again, hq_admin)
    assert again.pk not in {t.pk for t in actions.visible_templates(tenants.sub)}
    with in_tenant(tenants.sub):
        with pytest.raises(PermissionDenied):
            actions.adopt(GroupTemplate.objects.get(pk=again.pk), sub_admin, code="visit-again")
        assert FormDefinition.objects.filter(code="visit").exists()  # the copy stays
    # Publishing it again brings it back, as the next version.
    with in_tenant(tenants.hq):
        back = actions.publish(form, "form", hq_admin)
    assert back.version == 3 and not back.withdrawn
    assert again.pk in {t.pk for t in actions.visible_templates(tenants.sub)}
