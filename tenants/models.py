"""Tenants, their domains and which modules each has enabled (public schema)."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from kernel.files import branding_storage, branding_upload_to
from kernel.models import BilingualNamed

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1f6feb."))


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value}, code="time_zone")


class TenantKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    UNIVERSITY = "university", _("University")
    AGENCY = "agency", _("Government agency")
    ENTERPRISE = "enterprise", _("Enterprise")
    GROUP = "group", _("Group headquarters")


class TenantStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class Tenant(BilingualNamed, TenantMixin):
    """An organisation using Facilis; its data lives in the schema `schema_name`."""

    # Provisioning clones the template schema itself (tenants.provisioning).
    auto_create_schema = False
    auto_drop_schema = False

    kind = models.CharField(_("kind"), max_length=20, choices=TenantKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("group headquarters"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subsidiaries",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TenantStatus.choices, default=TenantStatus.ACTIVE
    )
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    is_template = models.BooleanField(default=False, editable=False)
    locale = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    # Basic branding; the console edits the full set (logo, favicon, e-mail sender).
    brand_short_name = models.CharField(_("short name"), max_length=40, blank=True)
    brand_primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1f6feb", validators=[hex_colour]
    )
    brand_accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#0e9f6e", validators=[hex_colour]
    )
    brand_logo = models.FileField(
        _("logo"),
        storage=branding_storage,
        upload_to=branding_upload_to,
        blank=True,
        help_text=_("PNG, JPEG or WebP, up to 1 MB; shown in the portal, the console and e-mails."),
    )
    brand_favicon = models.FileField(
        _("favicon"),
        storage=branding_storage,
        upload_to=branding_upload_to,
        blank=True,
        help_text=_("A small square PNG or ICO for browser tabs."),
    )
    brand_email_sender_name = models.CharField(_("e-mail sender name"), max_length=100, blank=True)
    brand_email_footer = models.TextField(_("e-mail footer"), blank=True, max_length=1000)
    session_idle_minutes = models.PositiveSmallIntegerField(
        _("sign out after idle minutes"),
        default=30,
        help_text=_("Signed-in sessions end after this much inactivity."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="tenant_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == TenantStatus.ACTIVE

    @property
    def primary_domain(self) -> str | None:
        domain = self.get_primary_domain()
        return domain.domain if domain else None

    def ancestors(self) -> list["Tenant"]:
        """Group headquarters above this tenant, nearest first."""
        chain, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain

    def descendants(self) -> models.QuerySet["Tenant"]:
        """Every subsidiary below this tenant, at any depth (one recursive query)."""
        table = self._meta.db_table
        ids = Tenant.objects.raw(
            f"""
            WITH RECURSIVE tree(id) AS (
                SELECT id FROM {table} WHERE parent_id = %s
                UNION SELECT t.id FROM {table} t JOIN tree ON t.parent_id = tree.id
            ) SELECT id FROM tree
            """,
            [self.pk],
        )
        return Tenant.objects.filter(pk__in=[row.pk for row in ids])


class Domain(DomainMixin):
    """A host name that routes to a tenant (its subdomain, or a custom domain)."""

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class ModuleEnablement(models.Model):
    """A module switched on or off for a tenant. Always-on modules need no row."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="module_states")
    module_key = models.CharField(max_length=50)
    enabled = models.BooleanField(default=True)
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.CharField(max_length=254, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "module_key"], name="one_state_per_module"),
        ]

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{self.tenant.schema_name}:{self.module_key}={state}"


class TemplateSnapshot(models.Model):
    """The template schema as SQL, for cloning it in one statement batch.

    Taken with pg_dump whenever the template's migrations change (`fingerprint`), with the
    schema name replaced by a placeholder. Copying it is independent of how many tenant
    schemas the database holds, unlike a catalogue-walking clone (tenants.cloning).
    """

    fingerprint = models.CharField(max_length=64, unique=True)
    sql = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"template snapshot {self.fingerprint[:12]}"
