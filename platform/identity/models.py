"""People and organisation: users, departments, positions, workgroups, roles, API keys.

The app lives in both schemas: in the public schema its users are platform operators;
in a tenant schema they are that organisation's people, and the other models are used.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from identity.scope import Scope
from kernel.crypto import EncryptedCharField, digest
from kernel.models import BilingualNamed


class Department(BilingualNamed, MP_Node):
    """A node of the organisation tree (materialised path: a subtree is one prefix range)."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    head = models.ForeignKey(
        "identity.User",
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    deputy = models.ForeignKey(
        "identity.User",
        verbose_name=_("deputy head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deputised_departments",
    )
    is_active = models.BooleanField(_("in use"), default=True)

    node_order_by = ["code"]
    scope = Scope(module="identity", department="pk")

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def subtree_ids(self) -> list[int]:
        return list(Department.objects.filter(path__startswith=self.path).values_list("pk", flat=True))


class Position(BilingualNamed):
    """A post such as 维修工 (maintenance worker) or 科长 (section chief)."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0, help_text=_("Higher ranks first in lists."))

    scope = Scope(module="identity")

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["-rank", "code"]


class Workgroup(BilingualNamed):
    """A group of people across departments (人员分组), e.g. the on-call electricians."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)

    scope = Scope(module="identity")

    class Meta:
        verbose_name = _("workgroup")
        verbose_name_plural = _("workgroups")
        ordering = ["code"]


class DataScope(models.TextChoices):
    OWN = "own", _("Own records")
    DEPARTMENT = "department", _("Own department")
    SUBTREE = "subtree", _("Department and below")
    ALL = "all", _("Everything")


class Role(BilingualNamed):
    """A bundle of permission codes (`spaces.view`, `workorders.dispatch`, `*`) with a data scope."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)
    permissions = ArrayField(
        models.CharField(max_length=80), default=list, blank=True, verbose_name=_("permissions")
    )
    data_scope = models.CharField(
        _("data scope"), max_length=20, choices=DataScope.choices, default=DataScope.OWN
    )
    # Building ids, not a foreign key: this app also lives in the public schema, where the
    # spaces tables do not exist. Actions validate the ids.
    building_ids = ArrayField(
        models.BigIntegerField(),
        default=list,
        blank=True,
        verbose_name=_("limited to buildings"),
        help_text=_("Leave empty for every building."),
    )
    requires_2fa = models.BooleanField(_("administrative (two-factor sign-in required)"), default=False)
    is_system = models.BooleanField(default=False, editable=False)

    scope = Scope(module="identity")

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]


class User(AbstractUser):
    """A person who signs in: `username` is the login (employee number or e-mail)."""

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    employee_number = models.CharField(_("employee or student number"), max_length=50, blank=True)
    phone = EncryptedCharField(_("phone"), blank=True, max_plain_length=32)
    phone_digest = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    id_number = EncryptedCharField(_("ID number"), blank=True, max_plain_length=32)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="holders",
    )
    workgroups = models.ManyToManyField(
        Workgroup, verbose_name=_("workgroups"), blank=True, related_name="members"
    )
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="users")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]
    scope = Scope(module="identity", owner="pk", department="department")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["employee_number"],
                condition=~models.Q(employee_number=""),
                name="employee_number_unique",
                violation_error_code="duplicate_employee_number",
                violation_error_message=_("Another user has this employee number."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name()

    def save(self, *args, **kwargs):
        self.phone_digest = digest(self.phone)
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name or self.username


class PasswordHistory(models.Model):
    """Hashes of a user's previous passwords, so that the last few are not reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


API_KEY_PREFIX = "fk"


class ApiKey(models.Model):
    """A partner's key: acts with one role; only a hash is stored; shown once at creation."""

    name = models.CharField(_("name"), max_length=100)
    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="api_keys")
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    requests_per_minute = models.PositiveIntegerField(
        _("requests per minute"), default=600, help_text=_("The API answers 429 beyond this rate.")
    )

    scope = Scope(module="identity", owner="created_by")

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({API_KEY_PREFIX}_{self.prefix}_…)"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def new_secret(cls) -> tuple[str, str]:
        """(prefix, secret) for a new key; the full key is fk_<prefix>_<secret>."""
        return secrets.token_hex(4), secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ImportJob(models.Model):
    """An upload of users or departments: checked in the background, applied when confirmed."""

    class Kind(models.TextChoices):
        USERS = "users", _("Users")
        DEPARTMENTS = "departments", _("Departments")

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Ready to import")
        INVALID = "invalid", _("Has errors")
        APPLYING = "applying", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to="imports/")
    filename = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CHECKING)
    total_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} import #{self.pk} ({self.status})"
