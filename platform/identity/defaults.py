"""What every new tenant starts with: the organisation's root department and default roles."""

from django.utils.translation import gettext_lazy as _

from identity.models import DataScope, Department, Role
from kernel import modules

ROOT_CODE = "ORG"

# code, 中文, English, permission codes, data scope, description
DEFAULT_ROLES = [
    (
        "tenant_admin",
        "租户管理员",
        "Tenant administrator",
        ["*"],
        DataScope.ALL,
        _("Everything in this organisation, including users, roles and settings."),
    ),
    (
        "dispatcher",
        "调度员",
        "Dispatcher",
        ["console.access", "identity.view_users"],
        DataScope.ALL,
        _("Service desk: logs reports, dispatches and follows up work."),
    ),
    (
        "worker",
        "维修工",
        "Worker",
        [],
        DataScope.OWN,
        _("Does the work: sees and updates the tasks given to them."),
    ),
    (
        "approver",
        "审批人",
        "Approver",
        ["identity.view_users"],
        DataScope.SUBTREE,
        _("Department heads: approve requests of their department and those below it."),
    ),
    (
        "end_user",
        "普通用户",
        "End user",
        [],
        DataScope.OWN,
        _("Staff, students, residents: report, book, apply and follow their own requests."),
    ),
    (
        "hq_viewer",
        "集团查看",
        "HQ viewer",
        [],
        DataScope.ALL,
        _("Group headquarters: reads consolidated figures, changes nothing."),
    ),
]


def install(tenant) -> None:
    """Idempotent: the root department and the default roles (with module grants)."""
    if not Department.get_root_nodes().filter(code=ROOT_CODE).exists():
        Department.add_root(code=ROOT_CODE, name=tenant.name, name_en=tenant.name_en)
    for code, zh, en, permissions, scope, description in DEFAULT_ROLES:
        Role.objects.get_or_create(
            code=code,
            defaults={
                "name": zh,
                "name_en": en,
                "permissions": permissions,
                "data_scope": scope,
                "description": str(description),
                "is_system": True,
            },
        )


def apply_role_grants(module_keys) -> None:
    """Add the permissions enabled modules grant to the default roles (never removes)."""
    for spec in modules.all_modules():
        if spec.key not in module_keys:
            continue
        for role_code, codes in spec.role_grants.items():
            role = Role.objects.filter(code=role_code).first()
            if role is None:
                continue
            missing = [code for code in codes if code not in role.permissions]
            if missing:
                role.permissions = [*role.permissions, *missing]
                role.save(update_fields=["permissions"])


def root_department() -> Department:
    return Department.get_root_nodes().get(code=ROOT_CODE)
