"""Console forms for people and organisation."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from identity import access
from identity.models import ApiKey, Department, Role, User
from identity.permissions import catalogue


class UserForm(WagtailAdminModelForm):
    new_password = forms.CharField(
        label=_("New password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current password (new users then set theirs by e-mail)."),
    )

    class Meta:
        model = User
        fields = [
            "username",
            "full_name",
            "email",
            "employee_number",
            "phone",
            "id_number",
            "department",
            "position",
            "workgroups",
            "roles",
            "language",
            "is_active",
        ]
        widgets = {"workgroups": forms.CheckboxSelectMultiple, "roles": forms.CheckboxSelectMultiple}

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["department"].required = True
        self.fields["department"].queryset = Department.objects.order_by("path")
        self.fields["department"].label_from_instance = lambda d: f"{'— ' * (d.depth - 1)}{d.display_name}"
        # Phone and ID numbers are shown and edited only by those allowed to see them.
        if for_user is not None and not access.has_code(for_user, "identity.view_personal_data"):
            for name in ("phone", "id_number"):
                self.fields.pop(name)
        if for_user is not None and not access.has_code(for_user, "identity.manage_roles"):
            self.fields["roles"].disabled = True


class DepartmentForm(WagtailAdminModelForm):
    parent = forms.ModelChoiceField(
        label=_("Parent department"), queryset=Department.objects.order_by("path"), required=False
    )

    class Meta:
        model = Department
        fields = ["code", "name", "name_en", "head", "deputy", "is_active"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["parent"].label_from_instance = lambda d: f"{'— ' * (d.depth - 1)}{d.display_name}"
        if self.instance.pk:
            self.fields["parent"].initial = self.instance.get_parent()
            self.fields["parent"].queryset = Department.objects.exclude(
                path__startswith=self.instance.path
            ).order_by("path")
            members = User.objects.filter(department__path__startswith=self.instance.path)
            self.fields["head"].queryset = members
            self.fields["deputy"].queryset = members


def permission_choices():
    groups: dict[str, list] = {}
    for info in catalogue():
        groups.setdefault(str(info.module_name), []).append((info.code, f"{info.label} ({info.code})"))
    return [("", [("*", _("Everything (administrator)"))]), *groups.items()]


class RoleForm(WagtailAdminModelForm):
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=permission_choices,
    )
    buildings = forms.ModelMultipleChoiceField(
        label=_("Limited to buildings"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for every building."),
    )

    class Meta:
        model = Role
        fields = ["code", "name", "name_en", "description", "permissions", "data_scope", "requires_2fa"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        from modules.spaces.models import Building

        self.fields["buildings"].queryset = Building.objects.select_related("campus").order_by(
            "campus__code", "code"
        )
        if self.instance.pk:
            self.fields["buildings"].initial = list(self.instance.building_ids)
        if self.instance.is_system:
            self.fields["code"].disabled = True

    def save(self, commit=True):
        self.instance.building_ids = [building.pk for building in self.cleaned_data.get("buildings") or []]
        return super().save(commit=commit)


class ApiKeyForm(WagtailAdminModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "role", "expires_at", "requests_per_minute"]
