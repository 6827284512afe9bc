"""The permission catalogue and how Django's permission names map onto it.

Permission codes are strings: `<module>.view|add|change|delete` for every module, plus
the named actions modules declare (`workorders.dispatch`), plus the core ones declared
by the identity and kernel apps (`console.access`, `identity.manage_users`, `audit.view`…).
A role holds a list of codes; `*` is everything, `<module>.*` a whole module.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.apps import apps

from kernel import modules

CRUD = ("view", "add", "change", "delete")


@dataclass(frozen=True)
class PermissionInfo:
    code: str
    label: str
    module_key: str
    module_name: str


def catalogue() -> list[PermissionInfo]:
    """Every permission a role can hold, grouped by module (visible modules first)."""
    rows: list[PermissionInfo] = []
    for spec in modules.all_modules():
        if not spec.internal:
            labels = {"view": "View", "add": "Add", "change": "Change", "delete": "Delete"}
            rows += [PermissionInfo(f"{spec.key}.{verb}", labels[verb], spec.key, spec.name) for verb in CRUD]
        rows += [PermissionInfo(code, label, spec.key, spec.name) for code, label in spec.permissions]
    return rows


@cache
def known_codes() -> frozenset[str]:
    return frozenset(info.code for info in catalogue())


def validate_codes(codes) -> list[str]:
    """Codes a role may not hold (unknown ones); `*` and `<module>.*` are allowed."""
    module_keys = {spec.key for spec in modules.all_modules()}
    bad = []
    for code in codes:
        if code == "*" or code in known_codes():
            continue
        head, _, tail = code.partition(".")
        if tail == "*" and head in module_keys:
            continue
        bad.append(code)
    return bad


# Django model permissions of the identity and kernel apps, by model: view → code, else → code.
_CORE_MODEL_CODES = {
    ("identity", "user"): ("identity.view_users", "identity.manage_users"),
    ("identity", "department"): ("identity.view_users", "identity.manage_org"),
    ("identity", "position"): ("identity.view_users", "identity.manage_org"),
    ("identity", "workgroup"): ("identity.view_users", "identity.manage_org"),
    ("identity", "role"): ("identity.view_users", "identity.manage_roles"),
    ("identity", "apikey"): ("identity.manage_api_keys", "identity.manage_api_keys"),
    ("kernel", "auditentry"): ("audit.view", None),
    ("kernel", "webhookendpoint"): ("webhooks.manage", "webhooks.manage"),
    ("kernel", "messagetemplate"): ("portal.manage_branding", "portal.manage_branding"),
}


@cache
def _module_of_app_label() -> dict[str, str]:
    mapping = {}
    for config in apps.get_app_configs():
        spec = getattr(config, "module_spec", None)
        if spec is not None and not spec.internal:
            mapping[config.label] = spec.key
    return mapping


def code_for_django_perm(perm: str) -> str | None:
    """`spaces.add_room` → `spaces.add`; `wagtailadmin.access_admin` → `console.access`.

    None: no role code grants it (only `*` does).
    """
    if perm == "wagtailadmin.access_admin":
        return "console.access"
    app_label, _, codename = perm.partition(".")
    verb, _, model = codename.partition("_")
    core = _CORE_MODEL_CODES.get((app_label, model))
    if core is not None:
        return core[0] if verb == "view" else core[1]
    module_key = _module_of_app_label().get(app_label)
    if module_key and verb in CRUD:
        return f"{module_key}.{verb}"
    return None
