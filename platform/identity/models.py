"""Users and the department tree.

The app lives in both schemas: in the public schema its users are platform operators;
in a tenant schema they are that organisation's people. Departments are only used in
tenant schemas.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from kernel.models import BilingualNamed


class User(AbstractUser):
    """A person who signs in: `username` is the login (employee number or e-mail)."""

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name or self.username

    def __str__(self) -> str:
        return self.get_full_name()


class Department(BilingualNamed, MP_Node):
    """A node of the organisation tree (materialised path: subtree reads are one range scan)."""

    code = models.CharField(_("code"), max_length=50, unique=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
