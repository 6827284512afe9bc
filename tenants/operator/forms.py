from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kernel import modules
from tenants.models import Tenant, TenantKind


class TenantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    schema_name = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Lower-case letters, digits and _; names the database schema. Cannot change later."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=TenantKind.choices)
    parent = forms.ChoiceField(label=_("Group headquarters"), required=False)
    domain = forms.CharField(
        label=_("Domain"), max_length=253, help_text=_("e.g. h3.localhost or repair.example-hospital.cn")
    )
    locale = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="zh-hans")
    time_zone = forms.CharField(label=_("Time zone"), initial="Asia/Shanghai")
    modules = forms.MultipleChoiceField(
        label=_("Modules"), required=False, widget=forms.CheckboxSelectMultiple
    )
    admin_name = forms.CharField(label=_("Administrator's name"), max_length=150, required=False)
    admin_email = forms.EmailField(label=_("Administrator's e-mail"))
    admin_password = forms.CharField(
        label=_("Administrator's first password"), widget=forms.PasswordInput(render_value=False)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = Tenant.objects.filter(kind=TenantKind.GROUP, is_template=False).order_by("name")
        self.fields["parent"].choices = [("", _("— none —"))] + [(t.schema_name, t.name) for t in groups]
        self.fields["modules"].choices = [
            (spec.key, spec.name) for spec in modules.visible_modules() if spec.togglable
        ]


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class DeleteForm(forms.Form):
    confirm_schema = forms.CharField(label=_("Type the tenant's code to confirm"))


class DomainForm(forms.Form):
    domain = forms.CharField(label=_("Domain"), max_length=253)
