"""Django's permission checks (used by Wagtail's console) answered from our roles."""

from django.contrib.auth.backends import ModelBackend

from identity.access import grants_of
from identity.permissions import code_for_django_perm


class RoleBackend(ModelBackend):
    """Authenticates like ModelBackend; `has_perm` maps Django permission names to role codes."""

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        if user_obj.is_superuser:
            return True
        grants = grants_of(user_obj)
        code = code_for_django_perm(perm)
        if code is None:
            return any("*" in grant.codes for grant in grants)
        return any(grant.allows(code) for grant in grants)

    def has_module_perms(self, user_obj, app_label):
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        if user_obj.is_superuser:
            return True
        return any(
            "*" in grant.codes or any(code.startswith(f"{app_label}.") for code in grant.codes)
            for grant in grants_of(user_obj)
        )

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()
