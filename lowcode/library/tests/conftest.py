"""Fixtures of the group-template tests: the HQ (tenants.hq) with a saved report, a published
form and a workflow; its subsidiary (tenants.sub); tenant A outside the group."""

from __future__ import annotations

import pytest

from lowcode.forms import actions as forms
from lowcode.forms.models import FormDefinition
from lowcode.reports import actions as reports
from lowcode.reports.models import SavedReport
from lowcode.workflows import actions as workflows
from lowcode.workflows.models import WorkflowDefinition
from tenants.actions import set_module_enabled


def t(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


VISIT = {
    "sections": [
        {
            "key": "main",
            "title": t("基本信息", "Basics"),
            "fields": [
                {"key": "title", "type": "text", "label": t("标题", "Title"), "required": True},
                {"key": "hours", "type": "number", "label": t("工时", "Hours"), "min": 0, "max": 100},
                {
                    "key": "kind",
                    "type": "choice",
                    "label": t("类型", "Kind"),
                    "required": True,
                    "options": [
                        {"value": "repair", "label": t("维修", "Repair")},
                        {"value": "check", "label": t("巡检", "Check")},
                    ],
                },
            ],
        }
    ]
}
BY_TRADE = {"dataset": "workorders.orders", "group_by": ["trade"], "measures": ["count", "cost_total"]}
VISITS_BY_KIND = {"dataset": "forms.visit", "group_by": ["field.kind"], "measures": ["count", "sum.hours"]}
FLOW = {
    "steps": [
        {
            "key": "head",
            "kind": "approval",
            "name": t("负责人审批", "Head"),
            "mode": "one",
            "approvers": [{"type": "requester_head", "levels": 1}],
            "fallback": "admin",
        },
        {
            "key": "desk",
            "kind": "approval",
            "name": t("调度审批", "Desk"),
            "mode": "any",
            "approvers": [{"type": "role", "code": "dispatcher"}],
            "fallback": "admin",
        },
    ]
}


def make_form(user, code="visit", definition=VISIT, name="巡查记录", name_en="Visit record"):
    form = forms.save_form(FormDefinition(code=code, name=name, name_en=name_en), user=user)
    forms.save_draft(form, definition, user=user)
    forms.publish(form, user=user)
    form.refresh_from_db()
    return form


def make_workflow(user, code="hq-purchase", definition=FLOW):
    flow = workflows.save_workflow(
        WorkflowDefinition(code=code, name="集团采购审批", name_en="Group purchase", draft=definition),
        user=user,
    )
    workflows.publish(flow, user=user)
    flow.refresh_from_db()
    return flow


@pytest.fixture
def group(tenants, in_tenant, tenant_admin):
    """The HQ's report (work orders by trade), form `visit` (published), a report on that form,
    and workflow `hq-purchase`; work orders on in the HQ and the subsidiary."""
    for tenant in (tenants.hq, tenants.sub):
        for key in ("inventory", "workorders"):
            set_module_enabled(tenant, key, True, actor="tests")
    hq_admin = tenant_admin(tenants.hq)
    with in_tenant(tenants.hq):
        report = reports.save_report(
            SavedReport(name="按工种", name_en="By trade", spec=BY_TRADE, view="bar"), user=hq_admin
        )
        form = make_form(hq_admin)
        form_report = reports.save_report(
            SavedReport(name="巡查按类型", name_en="Visits by kind", spec=VISITS_BY_KIND, view="table"),
            user=hq_admin,
        )
        flow = make_workflow(hq_admin)
    return {
        "hq_admin": hq_admin,
        "sub_admin": tenant_admin(tenants.sub),
        "a_admin": tenant_admin(tenants.a),
        "report": report,
        "form": form,
        "form_report": form_report,
        "flow": flow,
    }
