"""Console (Wagtail admin) building blocks shared by modules.

- `ModuleMenuItem`: shown only when the module serves the tenant.
- `ActionModelViewSet`: a Wagtail ModelViewSet whose create, edit and delete views
  call the module's actions (ARCHITECTURE.md §3.1) instead of saving forms directly.
"""

from django.core.exceptions import ValidationError
from wagtail.admin.menu import MenuItem, SubmenuMenuItem
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from kernel import modules


class ModuleMenuMixin:
    module_key: str

    def is_shown(self, request):
        return modules.is_enabled(self.module_key, getattr(request, "tenant", None)) and super().is_shown(
            request
        )


class ModuleMenuItem(ModuleMenuMixin, MenuItem):
    def __init__(self, *args, module_key: str, **kwargs):
        self.module_key = module_key
        super().__init__(*args, **kwargs)


class ModuleSubmenuMenuItem(ModuleMenuMixin, SubmenuMenuItem):
    def __init__(self, *args, module_key: str, **kwargs):
        self.module_key = module_key
        super().__init__(*args, **kwargs)


def add_validation_error(form, exc: ValidationError) -> None:
    """Put an action's ValidationError on the form: per field where the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class _ActionSaveMixin:
    action_name: str
    view_set_actions = None

    def save_instance(self):
        action = getattr(self.view_set_actions, self.action_name)
        return action(self.form.instance, user=self.request.user)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            add_validation_error(form, exc)
            return self.form_invalid(form)


class ActionCreateView(_ActionSaveMixin, generic.CreateView):
    action_name = "create"


class ActionEditView(_ActionSaveMixin, generic.EditView):
    action_name = "update"


class ActionDeleteView(generic.DeleteView):
    view_set_actions = None

    def delete_action(self):
        self.view_set_actions.delete(self.object, user=self.request.user)


class ActionModelViewSet(ModelViewSet):
    """Set `actions` to an object with create(instance, user), update(...), delete(...)."""

    actions = None
    add_view_class = ActionCreateView
    edit_view_class = ActionEditView
    delete_view_class = ActionDeleteView
    add_to_admin_menu = False

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(view_set_actions=self.actions, **kwargs)
