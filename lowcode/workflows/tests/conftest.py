"""Fixtures of the workflow tests: a hospital's people and departments, published workflows,
and the outcomes the test subject type (tests/probe_module/workflow.py) was told."""

import pytest

from identity import actions as identity
from identity.defaults import root_department
from identity.models import Department
from lowcode.workflows import actions
from lowcode.workflows.models import WorkflowDefinition
from tests.probe_module import workflow as probe


@pytest.fixture
def org(tenants, in_tenant, person, tenant_admin):
    """The hospital: 骨科 (head: 王主任) under 医务部 (head: 李部长); the repair desk (head: 赵班长);
    nurses and people to sign."""
    with in_tenant(tenants.a):
        # root_department() each time: treebeard counts children on the instance.
        medical = identity.create_department(Department(code="MED", name="医务部"), parent=root_department())
        ortho = identity.create_department(Department(code="ORTHO", name="骨科"), parent=medical)
        desk = identity.create_department(Department(code="DESK", name="维修班组"), parent=root_department())
    made = {
        "nurse": person(tenants.a, "nurse", "end_user", department=ortho),
        "wang": person(tenants.a, "wang", "approver", department=ortho),
        "li": person(tenants.a, "li", "approver", department=medical),
        "zhao": person(tenants.a, "zhao", "dispatcher", department=desk),
        "admin": tenant_admin(tenants.a),  # the organisation's only administrator
    }
    made.update({f"s{i}": person(tenants.a, f"signer{i}", "end_user", department=desk) for i in range(4)})
    with in_tenant(tenants.a):
        for department, head in ((ortho, "wang"), (medical, "li"), (desk, "zhao")):
            Department.objects.filter(pk=department.pk).update(head=made[head])
        made.update(
            {
                name: Department.objects.get(pk=d.pk)
                for name, d in (("ortho", ortho), ("medical", medical), ("desk", desk))
            }
        )
    return made


@pytest.fixture
def flow(tenants, in_tenant):
    """flow(definition) → a published workflow in tenant A."""

    def make(definition, code="flow"):
        with in_tenant(tenants.a):
            workflow = WorkflowDefinition.objects.create(code=code, name="流程", draft=definition)
            actions.publish(workflow)
            workflow.refresh_from_db()
            return workflow

    return make


@pytest.fixture(autouse=True)
def outcomes():
    probe.OUTCOMES.clear()
    yield probe.OUTCOMES
