"""Console (Wagtail admin) building blocks shared by modules.

- `ModuleMenuItem`: shown only when the module serves the tenant and the user holds its code.
- `ActionModelViewSet`: a Wagtail ModelViewSet whose list, export, edit and delete see only
  the rows `identity.access.restrict` lets through, and whose create, edit and delete
  call the module's actions (ARCHITECTURE.md §3.1) instead of saving forms directly.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from wagtail.admin.menu import MenuItem, SubmenuMenuItem
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from kernel import modules


class ModuleMenuMixin:
    module_key: str
    permission: str | None = None

    def is_shown(self, request):
        if not modules.is_enabled(self.module_key, getattr(request, "tenant", None)):
            return False
        if self.permission:
            from identity.access import has_code

            if not has_code(request.user, self.permission):
                return False
        return super().is_shown(request)


class ModuleMenuItem(ModuleMenuMixin, MenuItem):
    def __init__(self, *args, module_key: str, permission: str | None = None, **kwargs):
        self.module_key = module_key
        self.permission = permission
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


def scoped(model, request, action):
    from identity.access import restrict

    return restrict(model._default_manager.all(), request.user, action)


class ScopedObjectMixin:
    """Edit and delete find their object among the rows the user may act on, or 404."""

    scope_action = "change"

    def get_object(self, queryset=None):
        if getattr(self, "object", None):
            return self.object
        pk = self.kwargs.get(self.pk_url_kwarg)
        return get_object_or_404(scoped(self.model, self.request, self.scope_action), pk=pk)


class _ActionSaveMixin:
    action_name: str
    view_set_actions = None

    def save_instance(self):
        action = getattr(self.view_set_actions, self.action_name)
        return action(self.form.instance, user=self.request.user, form=self.form)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            add_validation_error(form, exc)
            # Wagtail sets this only when its own form validation fails; the action failed here.
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class ScopedIndexView(generic.IndexView):
    def get_base_queryset(self):
        from identity.access import restrict

        return restrict(super().get_base_queryset(), self.request.user, "view")


class ActionCreateView(_ActionSaveMixin, generic.CreateView):
    action_name = "create"


class ActionEditView(ScopedObjectMixin, _ActionSaveMixin, generic.EditView):
    action_name = "update"


class ActionDeleteView(ScopedObjectMixin, generic.DeleteView):
    view_set_actions = None
    scope_action = "delete"

    def delete_action(self):
        self.view_set_actions.delete(self.object, user=self.request.user)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            from django.contrib import messages
            from django.shortcuts import redirect

            messages.error(self.request, " ".join(exc.messages))
            return redirect(self.get_success_url())
        except PermissionDenied:
            raise Http404("not in scope") from None


class ActionModelViewSet(ModelViewSet):
    """Set `actions` to an object with create(instance, user, form), update(...), delete(...)."""

    actions = None
    index_view_class = ScopedIndexView
    add_view_class = ActionCreateView
    edit_view_class = ActionEditView
    delete_view_class = ActionDeleteView
    add_to_admin_menu = False
    # Wagtail's history, usage and copy screens would show objects outside the user's scope.
    omitted_urls = ("history", "history_results", "usage")

    copy_view_enabled = False
    inspect_view_enabled = False

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            view_set_actions=self.actions, history_url_name=None, usage_url_name=None, **kwargs
        )

    def get_urlpatterns(self):
        return [pattern for pattern in super().get_urlpatterns() if pattern.name not in self.omitted_urls]
