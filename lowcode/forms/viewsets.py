"""Console screens for form definitions: the list, name/kind settings, and (from each row)
the designer, versions and submissions (lowcode/forms/console_views.py)."""

from django import forms
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import ListingButton

from kernel.console import ActionModelViewSet, ScopedIndexView
from lowcode.forms import actions
from lowcode.forms.models import FormDefinition


class ConsoleActions:
    @staticmethod
    def create(instance, *, user=None, form=None):
        return actions.save_form(instance, user=user)

    @staticmethod
    def update(instance, *, user=None, form=None):
        return actions.save_form(instance, user=user)

    @staticmethod
    def delete(instance, *, user=None):
        actions.delete_form(instance, user=user)


class FormSettingsForm(forms.ModelForm):
    target = forms.ChoiceField(label=_("record"), required=False)

    class Meta:
        model = FormDefinition
        fields = ["code", "name", "name_en", "description", "kind", "target", "workflow", "is_open"]

    def __init__(self, *args, **kwargs):
        kwargs.pop("for_user", None)
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "—"), *actions.extensible_targets().items()]
        self.fields["target"].help_text = _("Only for custom fields: the record they extend.")


class FormIndexView(ScopedIndexView):
    """Each form's row leads to its designer, versions and submissions."""

    def get_list_buttons(self, instance):
        buttons = [
            ListingButton(
                _("Design"), url=reverse("lowcode_forms_form:design", args=[instance.pk]), priority=1
            ),
            ListingButton(
                _("Versions"), url=reverse("lowcode_forms_form:versions", args=[instance.pk]), priority=2
            ),
        ]
        if instance.kind == FormDefinition.Kind.FORM and instance.current_version_id:
            buttons.append(
                ListingButton(
                    _("Submissions"),
                    url=f"{reverse('lowcode_forms_submissions')}?form={instance.pk}",
                    priority=3,
                )
            )
        return buttons + super().get_list_buttons(instance)


class FormViewSet(ActionModelViewSet):
    model = FormDefinition
    index_view_class = FormIndexView
    url_prefix = "forms/definitions"
    actions = ConsoleActions
    icon = "form"
    menu_label = _("Forms")
    form_fields = ["code", "name", "name_en", "description", "kind", "target", "workflow", "is_open"]

    def get_form_class(self, for_update=False):
        return FormSettingsForm

    list_display = ["code", "name", "kind", "target", "current_version", "is_open"]
    list_filter = ["kind", "is_open"]
    search_fields = ["code", "name", "name_en"]

    def get_urlpatterns(self):
        from lowcode.forms import console_views

        return super().get_urlpatterns() + [
            path("<int:pk>/design/", console_views.design, name="design"),
            path("<int:pk>/publish/", console_views.publish, name="publish"),
            path("<int:pk>/versions/", console_views.versions, name="versions"),
            path("<int:pk>/migrate/", console_views.migrate, name="migrate"),
            path("migrations/<int:pk>/", console_views.migration_detail, name="migration"),
        ]


form_viewset = FormViewSet("lowcode_forms_form")
