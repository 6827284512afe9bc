"""What every organisation starts with: the two seed workflows of SPEC §4.2, published, ready
to be used as they are or copied and changed."""

from lowcode.workflows.definition import check
from lowcode.workflows.models import WorkflowDefinition, WorkflowVersion

HOSPITAL_REPAIR = {
    "steps": [
        {
            "key": "leader",
            "kind": "approval",
            "name": {"zh": "报修人直接领导审批", "en": "The reporter's direct leader"},
            "mode": "one",
            "approvers": [{"type": "requester_head", "levels": 1}],
            "fallback": "admin",
        },
        {
            "key": "desk_leader",
            "kind": "approval",
            "name": {"zh": "维修班组负责人审批", "en": "The repair desk's leader"},
            "mode": "any",
            "approvers": [{"type": "role", "code": "dispatcher"}],
            "fallback": "admin",
        },
    ]
}

PURCHASE = {
    "steps": [
        {
            "key": "head",
            "kind": "approval",
            "name": {"zh": "科室负责人", "en": "Head of department"},
            "approvers": [{"type": "requester_head", "levels": 1}],
            "fallback": "admin",
        },
        {
            "key": "by_amount",
            "kind": "branch",
            "branches": [{"when": {"field": "amount", "op": "gt", "value": 5000}, "goto": "division"}],
            "otherwise": "end",
        },
        {
            "key": "division",
            "kind": "approval",
            "name": {"zh": "分管部门负责人", "en": "Head of the division"},
            "approvers": [{"type": "requester_head", "levels": 2}],
            "fallback": "skip",
        },
        {
            "key": "director",
            "kind": "approval",
            "name": {"zh": "院领导", "en": "Director"},
            "approvers": [{"type": "role", "code": "tenant_admin"}],
            "fallback": "fail",
        },
    ]
}

SEEDS = (
    ("repair-preapproval", "维修项目两级预审批", "Repair pre-approval (two levels)", HOSPITAL_REPAIR),
    ("purchase-three-level", "采购三级审批", "Purchase approval (three levels, by amount)", PURCHASE),
)


def install(tenant=None) -> None:
    """Idempotent: creates the seed workflows that are missing, as version 1.

    Part of setting up an organisation, not something anyone did: no outbox event, as for
    the default roles and departments."""
    for code, name, name_en, definition in SEEDS:
        assert not check(definition), code
        workflow, _created = WorkflowDefinition.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "draft": definition}
        )
        if workflow.current_version_id is None:
            version = WorkflowVersion.objects.create(workflow=workflow, number=1, definition=workflow.draft)
            WorkflowDefinition.objects.filter(pk=workflow.pk).update(current_version=version)
