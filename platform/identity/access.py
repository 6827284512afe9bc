"""Who may do what to which rows: grants from roles, and the one function that restricts.

    rooms = restrict(Room.objects.all(), request.user, "view")

Every list, detail, export, report and API path runs its queryset through `restrict`.
A principal is a user (or, for the API, a key acting with one role). Its grants are its
roles: each carries permission codes, a data scope (own, own department, department
and below, all) and optionally a set of buildings. A row is visible if any grant that
holds the needed code lets it through; the model's `Scope` says which fields tie a row
to an owner, a department and a building.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet

from identity.models import DataScope
from identity.scope import Scope


@dataclass(frozen=True)
class Grant:
    role_code: str
    codes: frozenset[str]
    data_scope: str
    building_ids: tuple[int, ...]
    requires_2fa: bool

    def allows(self, code: str) -> bool:
        if "*" in self.codes or code in self.codes:
            return True
        module, _, _verb = code.partition(".")
        return f"{module}.*" in self.codes


def grant_of(role) -> Grant:
    return Grant(
        role_code=role.code,
        codes=frozenset(role.permissions),
        data_scope=role.data_scope,
        building_ids=tuple(role.building_ids),
        requires_2fa=role.requires_2fa,
    )


def grants_of(principal) -> list[Grant]:
    """The principal's grants, read once per principal object (i.e. per request)."""
    if principal is None or not getattr(principal, "is_authenticated", False):
        return []
    cached = getattr(principal, "_facilis_grants", None)
    if cached is None:
        roles = getattr(principal, "facilis_roles", None)
        cached = [grant_of(role) for role in (roles() if roles else principal.roles.all())]
        principal._facilis_grants = cached
    return cached


def forget_grants(principal) -> None:
    for attr in ("_facilis_grants", "_facilis_subtree"):
        if hasattr(principal, attr):
            delattr(principal, attr)


def has_code(principal, code: str) -> bool:
    if principal is None or not getattr(principal, "is_active", True):
        return False
    if getattr(principal, "is_superuser", False):
        return True
    return any(grant.allows(code) for grant in grants_of(principal))


def requires_second_factor(principal) -> bool:
    return any(grant.requires_2fa for grant in grants_of(principal))


def subtree_department_ids(principal) -> list[int]:
    cached = getattr(principal, "_facilis_subtree", None)
    if cached is None:
        department = getattr(principal, "department", None)
        cached = department.subtree_ids() if department is not None else []
        principal._facilis_subtree = cached
    return cached


def model_scope(model) -> Scope:
    scope = getattr(model, "scope", None)
    if not isinstance(scope, Scope):
        raise ImproperlyConfigured(
            f"{model.__name__} declares no `scope = Scope(...)`; it cannot be restricted"
        )
    return scope


def permission_code(model, action: str) -> str:
    """The code that governs `action` on `model`: through the Django permission mapping."""
    from identity.permissions import code_for_django_perm

    opts = model._meta
    code = code_for_django_perm(f"{opts.app_label}.{action}_{opts.model_name}")
    return code or f"{model_scope(model).module}.{action}"


_NOTHING = Q(pk__in=[])


def _condition(grant: Grant, scope: Scope, principal) -> Q:
    if grant.data_scope == DataScope.ALL:
        condition = Q()
    elif grant.data_scope == DataScope.OWN:
        # Models without owners (reference data such as buildings) are visible to all. A
        # principal that is nobody (an API key) owns nothing: `owner = NULL` would match the
        # rows whose owner is gone, so it gets no rows rather than those.
        if not scope.owner:
            condition = Q()
        elif principal.pk is None:
            condition = _NOTHING
        else:
            condition = Q(**{scope.owner: principal.pk})
    elif grant.data_scope == DataScope.DEPARTMENT:
        if scope.department:
            department_id = getattr(principal, "department_id", None)
            condition = Q(**{scope.department: department_id}) if department_id else _NOTHING
        else:
            condition = Q()
    else:  # SUBTREE
        if scope.department:
            ids = subtree_department_ids(principal)
            condition = Q(**{f"{scope.department}__in": ids}) if ids else _NOTHING
        else:
            condition = Q()
    if grant.building_ids and scope.building:
        condition &= Q(**{f"{scope.building}__in": grant.building_ids})
    return condition


def restrict(queryset: QuerySet, principal, action: str = "view") -> QuerySet:
    """The rows of `queryset` the principal may act on with `action`."""
    model = queryset.model
    scope = model_scope(model)
    if principal is None or not getattr(principal, "is_authenticated", False):
        return queryset.none()
    if not getattr(principal, "is_active", True):
        return queryset.none()
    if getattr(principal, "is_superuser", False):
        return queryset
    code = permission_code(model, action)
    condition = None
    for grant in grants_of(principal):
        if not grant.allows(code):
            continue
        part = _condition(grant, scope, principal)
        if part == Q():
            return queryset  # one grant sees everything: no filter at all
        condition = part if condition is None else condition | part
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def can(principal, action: str, obj) -> bool:
    """May the principal act on this one object (restrict() on a one-row queryset)?"""
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), principal, action).exists()


def holders(code: str):
    """Active users whose roles hold `code` (e.g. everyone on the repair desk), for notices."""
    from identity.models import Role, User

    roles = [role.pk for role in Role.objects.all() if grant_of(role).allows(code)]
    return User.objects.filter(is_active=True, roles__in=roles).distinct()
