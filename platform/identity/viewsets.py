"""Console screens for people and organisation (Wagtail admin), writing through the actions."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BooleanColumn, Column

from identity import actions, personal_data
from identity.forms import ApiKeyForm, DepartmentForm, RoleForm, UserForm
from identity.models import ApiKey, Department, Position, Role, User, Workgroup
from kernel.console import ActionModelViewSet, ScopedIndexView


class UserActions:
    @staticmethod
    def _relations(form):
        data = form.cleaned_data
        roles = None if form.fields["roles"].disabled else data.get("roles")
        return {
            "roles": roles,
            "workgroups": data.get("workgroups"),
            "password": data.get("new_password") or None,
        }

    @classmethod
    def create(cls, instance, *, user=None, form=None):
        return actions.save_user(instance, actor=user, **cls._relations(form))

    @classmethod
    def update(cls, instance, *, user=None, form=None):
        return actions.save_user(instance, actor=user, **cls._relations(form))

    @staticmethod
    def delete(instance, *, user=None):
        actions.deactivate_user(instance, actor=user)


class UserIndexView(ScopedIndexView):
    """Lists and exports show phone and ID numbers masked unless the viewer may see them."""

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        reveal = personal_data.may_view(self.request.user)
        for field in ("phone", "id_number"):
            if field in row:
                row[field] = personal_data.show(field, row[field], reveal)
        return row

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("department", "position")


class UserViewSet(ActionModelViewSet):
    model = User
    actions = UserActions
    form_class = UserForm
    icon = "user"
    url_prefix = "people/users"
    index_view_class = UserIndexView
    list_display = [
        "username",
        "full_name",
        "department",
        "position",
        Column(
            "masked_phone",
            label=_("Phone"),
            accessor=lambda user: personal_data.show("phone", user.phone, False),
        ),
        "is_active",
    ]
    list_filter = ["department", "position", "roles", "workgroups", "is_active"]
    search_fields = ["username", "full_name", "email", "employee_number"]
    list_export = [
        "username",
        "full_name",
        "email",
        "employee_number",
        "phone",
        "id_number",
        "department",
        "position",
        "is_active",
    ]
    export_filename = "users"

    def get_form_class(self, for_update=False):
        return UserForm


class DepartmentActions:
    @staticmethod
    def create(instance, *, user=None, form=None):
        return actions.create_department(instance, parent=form.cleaned_data.get("parent"), actor=user)

    @staticmethod
    def update(instance, *, user=None, form=None):
        parent = form.cleaned_data.get("parent")
        current = Department.objects.get(pk=instance.pk).get_parent()
        department = actions.save_department(instance, actor=user)
        if parent is not None and (current is None or parent.pk != current.pk):
            department = actions.move_department(department, parent, actor=user)
        return department

    @staticmethod
    def delete(instance, *, user=None):
        actions.delete_department(instance, actor=user)


class DepartmentIndexView(ScopedIndexView):
    default_ordering = "path"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("head").order_by("path")


class DepartmentViewSet(ActionModelViewSet):
    model = Department
    actions = DepartmentActions
    icon = "folder-inverse"
    url_prefix = "people/departments"
    index_view_class = DepartmentIndexView
    list_display = [
        Column(
            "tree_name", label=_("Department"), accessor=lambda d: f"{'　' * (d.depth - 1)}{d.display_name}"
        ),
        "code",
        "head",
        BooleanColumn("is_active", label=_("In use")),
    ]
    search_fields = ["code", "name", "name_en"]
    list_export = ["code", "name", "name_en", "depth", "head", "is_active"]
    export_filename = "departments"

    def get_form_class(self, for_update=False):
        return DepartmentForm


class SimpleActions:
    @staticmethod
    def create(instance, *, user=None, form=None):
        return actions.save_simple(instance, actor=user)

    update = create

    @staticmethod
    def delete(instance, *, user=None):
        actions.delete_simple(instance, actor=user)


class PositionViewSet(ActionModelViewSet):
    model = Position
    actions = SimpleActions
    icon = "tag"
    url_prefix = "people/positions"
    list_display = ["code", "name", "name_en", "rank"]
    search_fields = ["code", "name", "name_en"]
    form_fields = ["code", "name", "name_en", "rank"]


class WorkgroupViewSet(ActionModelViewSet):
    model = Workgroup
    actions = SimpleActions
    icon = "group"
    url_prefix = "people/workgroups"
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en", "description"]
    form_fields = ["code", "name", "name_en", "description"]


class RoleActions:
    @staticmethod
    def create(instance, *, user=None, form=None):
        instance.building_ids = [b.pk for b in form.cleaned_data.get("buildings") or []]
        return actions.save_role(instance, actor=user)

    update = create

    @staticmethod
    def delete(instance, *, user=None):
        actions.delete_role(instance, actor=user)


class RoleViewSet(ActionModelViewSet):
    model = Role
    actions = RoleActions
    icon = "lock"
    url_prefix = "people/roles"
    list_display = ["code", "name", "data_scope", "requires_2fa"]
    search_fields = ["code", "name", "name_en"]

    def get_form_class(self, for_update=False):
        return RoleForm


class ApiKeyViewSet(ActionModelViewSet):
    """Listing and revoking; creating goes through its own screen, which shows the key once."""

    model = ApiKey
    icon = "key"
    url_prefix = "people/api-keys"
    list_display = ["name", "prefix", "role", "expires_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "prefix"]

    def get_form_class(self, for_update=False):
        return ApiKeyForm

    def get_urlpatterns(self):
        from django.urls import path

        from identity import console_views

        kept = [p for p in super().get_urlpatterns() if p.name in ("index", "index_results")]
        return [
            *kept,
            path("new/", console_views.api_key_create, name="add"),
            # A key cannot be edited: its page shows it and offers to revoke it.
            path("<int:pk>/", console_views.api_key_revoke, name="edit"),
            path("<int:pk>/revoke/", console_views.api_key_revoke, name="delete"),
        ]


user_viewset = UserViewSet("identity_user")
department_viewset = DepartmentViewSet("identity_department")
position_viewset = PositionViewSet("identity_position")
workgroup_viewset = WorkgroupViewSet("identity_workgroup")
role_viewset = RoleViewSet("identity_role")
apikey_viewset = ApiKeyViewSet("identity_apikey")
