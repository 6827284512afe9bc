"""Fixtures for the forms tests: forms made and published through the actions, people with
roles in departments, and signed-in clients on a tenant's domain.

The session's tenants come from tests/fixtures.py (A: `ta` on a.localhost, B: `tb`).
"""

from __future__ import annotations

import copy

import pytest
from django.test import Client

from identity import actions as identity
from identity.defaults import root_department
from identity.models import Department, Role
from kernel.context import tenant_schema
from lowcode.forms import actions
from lowcode.forms.models import FormDefinition
from tests.fixtures import host


def t(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


# A small form with one field of each kind the tests read: a required short text, a number
# with bounds, a choice, a field shown only for one choice, a long text and a table.
SIMPLE = {
    "sections": [
        {
            "key": "main",
            "title": t("基本信息", "Basics"),
            "fields": [
                {
                    "key": "title",
                    "type": "text",
                    "label": t("标题", "Title"),
                    "required": True,
                    "max_length": 20,
                },
                {"key": "qty", "type": "number", "label": t("数量", "Quantity"), "min": 1, "max": 10},
                {
                    "key": "kind",
                    "type": "choice",
                    "label": t("类型", "Kind"),
                    "required": True,
                    "options": [
                        {"value": "repair", "label": t("维修", "Repair")},
                        {"value": "other", "label": t("其他", "Other")},
                    ],
                },
                {
                    "key": "other_reason",
                    "type": "text",
                    "label": t("其他原因", "Other reason"),
                    "visible_when": {"field": "kind", "op": "eq", "value": "other"},
                    "required_when": {"field": "kind", "op": "eq", "value": "other"},
                },
                {"key": "notes", "type": "textarea", "label": t("备注", "Notes")},
                {
                    "key": "items",
                    "type": "table",
                    "label": t("明细", "Items"),
                    "max": 5,
                    "columns": [
                        {"key": "name", "type": "text", "label": t("名称", "Item"), "required": True},
                        {"key": "count", "type": "number", "label": t("件数", "Count"), "min": 1},
                    ],
                },
            ],
        }
    ]
}

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"

# Every text a designer types carries markup: it must come out as text everywhere.
HOSTILE = {
    "sections": [
        {
            "key": "main",
            "title": t(f"节{SCRIPT}", f"Section{SCRIPT}"),
            "fields": [
                {
                    "key": "pick",
                    "type": "choice",
                    "label": t(f"选择{SCRIPT}", f"Pick{SCRIPT}"),
                    "help": t(f"帮助{IMG}", f"Help{IMG}"),
                    "required": True,
                    "options": [
                        {"value": "x", "label": t(f"选项{IMG}", f"Option{IMG}")},
                        {"value": "y", "label": t("普通", "Plain")},
                    ],
                },
                {"key": "words", "type": "text", "label": t(f"文字{IMG}", f"Words{IMG}")},
            ],
        }
    ]
}


@pytest.fixture
def simple_definition():
    return copy.deepcopy(SIMPLE)


@pytest.fixture
def make_form(tenants, in_tenant):
    """make_form(tenant, definition, code=…) → a FormDefinition saved, drafted and (unless
    publish=False) published as version 1 through the actions, by the system (user=None)."""

    def make(
        tenant,
        definition,
        *,
        code="simple",
        name="测试表单",
        name_en="Test form",
        kind=FormDefinition.Kind.FORM,
        target="",
        is_open=True,
        publish=True,
    ):
        with in_tenant(tenant):
            form = actions.save_form(
                FormDefinition(
                    code=code, name=name, name_en=name_en, kind=kind, target=target, is_open=is_open
                )
            )
            problems = actions.save_draft(form, copy.deepcopy(definition))
            if publish:
                assert problems == [], problems
                actions.publish(form)
            return FormDefinition.objects.select_related("current_version").get(pk=form.pk)

    return make


@pytest.fixture
def department(tenants, in_tenant):
    """department(tenant, "CODE", parent=None) → a department under the root (or `parent`)."""

    def make(tenant, code, *, parent=None, name=None):
        with in_tenant(tenant):
            return identity.create_department(
                Department(code=code, name=name or f"科室{code}"), parent=parent or root_department()
            )

    return make


@pytest.fixture
def role(tenants, in_tenant):
    """role(tenant, "code", ["perm", …], scope) → a new role (for screens the default roles lack)."""

    def make(tenant, code, permissions, data_scope):
        with in_tenant(tenant):
            return identity.save_role(
                Role(code=code, name=code, name_en=code, permissions=permissions, data_scope=data_scope)
            )

    return make


@pytest.fixture
def login(tenants):
    """login(tenant, user) → a fresh test client on the tenant's domain, signed in as `user`."""

    def make(tenant, user, **kwargs):
        client = Client(HTTP_HOST=host(tenant), **kwargs)
        with tenant_schema(tenant.schema_name):
            client.force_login(user)
        return client

    return make
