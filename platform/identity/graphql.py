"""The organisation in the API: me, departments and users, as the caller's roles allow."""

import graphene
from django.db.models import Q
from graphene import relay

from identity import personal_data
from identity.models import Department, Position, User
from kernel.graphql.connections import ConnectionField, SortKey, sort_enum
from kernel.graphql.scoped import (
    ScopedObjectType,
    object_for,
    pk_for,
    principal,
    remember_visible,
    visible,
    visible_one,
)


class DepartmentNode(ScopedObjectType):
    parent = graphene.Field(
        lambda: DepartmentNode, description="The department above; null for the organisation."
    )
    depth = graphene.Int(required=True)
    # Declared, not converted from the foreign keys: graphene-django's converted fields fetch
    # the related row again per row (through get_node) and would bypass prime_page.
    head = graphene.Field(lambda: UserNode)
    deputy = graphene.Field(lambda: UserNode, description="The deputy head.")

    class Meta:
        model = Department
        name = "Department"
        interfaces = (relay.Node,)
        fields = ("code", "name", "name_en", "is_active")

    @staticmethod
    def prime_page(departments, info):
        remember_visible(info, Department, {_parent_path(d) for d in departments}, key="path")
        remember_visible(info, User, {d.head_id for d in departments} | {d.deputy_id for d in departments})

    @staticmethod
    def resolve_parent(department, info):
        return visible_one(info, Department, _parent_path(department), key="path")

    @staticmethod
    def resolve_head(department, info):
        return visible_one(info, User, department.head_id)

    @staticmethod
    def resolve_deputy(department, info):
        return visible_one(info, User, department.deputy_id)


def _parent_path(department) -> str | None:
    return department.path[: -Department.steplen] if department.depth > 1 else None


class PositionType(graphene.ObjectType):
    code = graphene.String(required=True)
    name = graphene.String(required=True)
    name_en = graphene.String(required=True)


class RoleType(graphene.ObjectType):
    code = graphene.String(required=True)
    name = graphene.String(required=True)
    data_scope = graphene.String(required=True)


class UserNode(ScopedObjectType):
    phone = graphene.String(description="Masked (138****1234) unless the caller may see personal data.")
    department = graphene.Field(DepartmentNode)
    position = graphene.Field(PositionType)
    workgroups = graphene.List(
        graphene.NonNull(graphene.String), required=True, description="Workgroup codes."
    )
    roles = graphene.List(graphene.NonNull(RoleType), required=True)

    class Meta:
        model = User
        name = "User"
        interfaces = (relay.Node,)
        fields = ("username", "full_name", "email", "employee_number", "language", "is_active")

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.select_related("department", "position").prefetch_related("roles", "workgroups")

    @staticmethod
    def resolve_phone(user, info):
        return personal_data.show("phone", user.phone, personal_data.may_view(principal(info)))

    @staticmethod
    def resolve_department(user, info):
        # Loaded with the user (select_related); shown only if the caller may see it.
        department = user.department
        if department is None:
            return None
        return department if _may_see_department(info, department.pk) else None

    @staticmethod
    def resolve_position(user, info):
        position: Position | None = user.position
        return (
            PositionType(code=position.code, name=position.name, name_en=position.name_en)
            if position
            else None
        )

    @staticmethod
    def resolve_workgroups(user, info):
        return [group.code for group in user.workgroups.all()]

    @staticmethod
    def resolve_roles(user, info):
        return [RoleType(code=r.code, name=r.display_name, data_scope=r.data_scope) for r in user.roles.all()]


def _may_see_department(info, department_id: int) -> bool:
    cache = info.context.__dict__.setdefault("_facilis_visible_departments", None)
    if cache is None:
        cache = set(visible(Department.objects.all(), info).values_list("pk", flat=True))
        info.context._facilis_visible_departments = cache
    return department_id in cache


class DepartmentFilter(graphene.InputObjectType):
    search = graphene.String(description="Part of the code or name.")
    is_active = graphene.Boolean()
    under = graphene.ID(description="Only this department and those below it.")

    @staticmethod
    def apply(queryset, value, info):
        if value.get("search"):
            term = value["search"]
            queryset = queryset.filter(
                Q(code__icontains=term) | Q(name__icontains=term) | Q(name_en__icontains=term)
            )
        if value.get("is_active") is not None:
            queryset = queryset.filter(is_active=value["is_active"])
        if value.get("under"):
            root = object_for(info, value["under"], DepartmentNode)
            queryset = queryset.filter(path__startswith=root.path) if root else queryset.none()
        return queryset


class UserFilter(graphene.InputObjectType):
    search = graphene.String(description="Part of the login, name or employee number.")
    department = graphene.ID()
    is_active = graphene.Boolean()
    role = graphene.String(description="Role code.")

    @staticmethod
    def apply(queryset, value, info):
        if value.get("search"):
            term = value["search"]
            queryset = queryset.filter(
                Q(username__icontains=term)
                | Q(full_name__icontains=term)
                | Q(employee_number__icontains=term)
            )
        if value.get("department"):
            queryset = queryset.filter(department_id=pk_for(value["department"], DepartmentNode))
        if value.get("is_active") is not None:
            queryset = queryset.filter(is_active=value["is_active"])
        if value.get("role"):
            queryset = queryset.filter(roles__code=value["role"])
        return queryset


DepartmentSort = sort_enum(
    "DepartmentSort", {"TREE": SortKey("path"), "CODE_ASC": SortKey("code"), "NAME_ASC": SortKey("name")}
)
UserSort = sort_enum(
    "UserSort",
    {
        "USERNAME_ASC": SortKey("username"),
        "NAME_ASC": SortKey("full_name"),
        "JOINED_DESC": SortKey("date_joined", True),
    },
)


def _departments(root, info):
    return DepartmentNode.rows(info)


def _users(root, info):
    return UserNode.rows(info)


class IdentityQuery(graphene.ObjectType):
    me = graphene.Field(UserNode, description="The signed-in user; null for an API key.")
    departments = ConnectionField(
        DepartmentNode,
        resolver=_departments,
        filter=DepartmentFilter,
        sort=DepartmentSort,
        default_sort="TREE",
    )
    users = ConnectionField(
        UserNode, resolver=_users, filter=UserFilter, sort=UserSort, default_sort="USERNAME_ASC"
    )

    @staticmethod
    def resolve_me(root, info):
        caller = principal(info)
        return caller if isinstance(caller, User) else None
