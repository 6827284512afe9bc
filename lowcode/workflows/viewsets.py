"""Console screens for workflows: the list, names, and (per row) the design page."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import ListingButton

from kernel.console import ActionModelViewSet, ScopedIndexView
from lowcode.workflows import actions
from lowcode.workflows.models import WorkflowDefinition


class ConsoleActions:
    @staticmethod
    def create(instance, *, user=None, form=None):
        return actions.save_workflow(instance, user=user)

    @staticmethod
    def update(instance, *, user=None, form=None):
        return actions.save_workflow(instance, user=user)

    @staticmethod
    def delete(instance, *, user=None):
        actions.delete_workflow(instance, user=user)


class WorkflowIndexView(ScopedIndexView):
    def get_list_buttons(self, instance):
        design = reverse("lowcode_workflows_workflow:design", args=[instance.pk])
        copy = reverse("lowcode_workflows_workflow:copy", args=[instance.pk])
        return [
            ListingButton(_("Design"), url=design, priority=1),
            ListingButton(_("Copy"), url=copy, priority=2),
            *super().get_list_buttons(instance),
        ]


class WorkflowViewSet(ActionModelViewSet):
    model = WorkflowDefinition
    url_prefix = "workflows/definitions"
    actions = ConsoleActions
    index_view_class = WorkflowIndexView
    icon = "tasks"
    menu_label = _("Workflows")
    list_display = ["code", "name", "name_en", "current_version"]
    search_fields = ["code", "name", "name_en"]
    form_fields = ["code", "name", "name_en"]

    def get_urlpatterns(self):
        from lowcode.workflows import console_views

        return super().get_urlpatterns() + [
            path("<int:pk>/design/", console_views.design, name="design"),
            path("<int:pk>/copy/", console_views.copy, name="copy"),
        ]


workflow_viewset = WorkflowViewSet("lowcode_workflows_workflow")
