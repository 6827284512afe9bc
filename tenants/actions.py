"""Everything that changes a tenant: provision, suspend, resume, delete, enable modules.

The operator site, the management commands and the demo seeding all call these.
Provisioning is one database transaction: the tenant row, its schema (cloned from the
template), its first admin, its modules and its domain appear together or not at all
(PostgreSQL DDL is transactional).
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from kernel import modules
from kernel.audit import bind_connection
from kernel.context import tenant_schema
from tenants import cloning
from tenants.models import Domain, ModuleEnablement, Tenant, TenantKind, TenantStatus

logger = logging.getLogger("tenants")

SCHEMA_NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
HOST_NAME = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
RESERVED_SCHEMAS = {"public", "information_schema", "platform", "template", "default"}


def in_public_schema(fn):
    """Tenant actions read and write the public schema, whatever schema the caller is in."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        with schema_context(get_public_schema_name()):
            return fn(*args, **kwargs)

    return wrapped


class TenantActionError(Exception):
    """A refused or failed tenant action: `errors` maps field names to messages."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None, step: str = ""):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.step = step


@dataclass
class TenantRequest:
    schema_name: str
    name: str
    kind: str
    domain: str
    admin_email: str
    admin_password: str
    name_en: str = ""
    parent_schema: str | None = None
    locale: str = "zh-hans"
    time_zone: str = "Asia/Shanghai"
    modules: list[str] = field(default_factory=list)
    admin_name: str = ""


def validate_request(req: TenantRequest) -> dict[str, list[str]]:
    """Every problem with a provisioning request, per field. Empty when it can proceed."""
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    schema = req.schema_name
    if not SCHEMA_NAME.match(schema or ""):
        err("schema_name", _("Use 2–40 lower-case letters, digits or _, starting with a letter."))
    elif schema in RESERVED_SCHEMAS or schema == settings.TENANT_TEMPLATE_SCHEMA or schema.startswith("pg_"):
        err("schema_name", _("“%(name)s” is reserved.") % {"name": schema})
    elif Tenant.objects.filter(schema_name__iexact=schema).exists() or cloning.schema_exists(schema):
        err("schema_name", _("A tenant with the code “%(name)s” already exists.") % {"name": schema})

    if not (req.name or "").strip():
        err("name", _("Give the organisation's name."))
    if req.kind not in TenantKind.values:
        err("kind", _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(TenantKind.values)})

    domain = (req.domain or "").strip().lower()
    if not HOST_NAME.match(domain):
        err("domain", _("“%(domain)s” is not a valid host name.") % {"domain": req.domain})
    elif domain in set(settings.PUBLIC_HOSTS):
        err("domain", _("“%(domain)s” serves the operator site.") % {"domain": domain})
    else:
        taken = Domain.objects.filter(domain=domain).select_related("tenant").first()
        if taken:
            err(
                "domain",
                _("The domain “%(domain)s” is already used by %(tenant)s.")
                % {"domain": domain, "tenant": taken.tenant.name},
            )

    if req.parent_schema:
        parent = Tenant.objects.filter(schema_name=req.parent_schema, is_template=False).first()
        if parent is None:
            err("parent", _("No tenant has the code “%(name)s”.") % {"name": req.parent_schema})
        elif parent.kind != TenantKind.GROUP:
            err("parent", _("Only a group headquarters can have subsidiaries."))

    try:
        validate_email(req.admin_email or "")
    except ValidationError:
        err("admin_email", _("Enter a valid e-mail address."))
    try:
        from identity.models import User

        validate_password(req.admin_password or "", User(username=req.admin_email, email=req.admin_email))
    except ValidationError as exc:
        for message in exc.messages:
            err("admin_password", message)

    if req.locale not in dict(settings.LANGUAGES):
        err("locale", _("Choose zh-hans or en."))
    try:
        Tenant(time_zone=req.time_zone)._meta.get_field("time_zone").run_validators(req.time_zone)
    except ValidationError as exc:
        err("time_zone", exc.messages[0])

    for key in req.modules:
        try:
            spec = modules.get_module(key)
        except modules.UnknownModule:
            err("modules", _("Unknown module “%(key)s”.") % {"key": key})
            continue
        missing = [
            dep
            for dep in spec.dependencies
            if dep not in req.modules and not modules.get_module(dep).always_on
        ]
        if missing:
            err(
                "modules",
                _("%(module)s needs %(deps)s.") % {"module": spec.name, "deps": ", ".join(missing)},
            )
    return errors


@in_public_schema
def provision_tenant(req: TenantRequest, *, actor: str = "") -> Tenant:
    """Create a working tenant in one transaction; raise TenantActionError and leave nothing otherwise."""
    errors = validate_request(req)
    if errors:
        raise TenantActionError(_("The tenant cannot be created as asked."), errors)

    started = time.perf_counter()
    step = "tenant"
    try:
        with transaction.atomic():
            parent = Tenant.objects.get(schema_name=req.parent_schema) if req.parent_schema else None
            tenant = Tenant.objects.create(
                schema_name=req.schema_name,
                name=req.name.strip(),
                name_en=req.name_en.strip(),
                kind=req.kind,
                parent=parent,
                locale=req.locale,
                time_zone=req.time_zone,
            )
            step = "schema"
            cloning.clone_template(tenant.schema_name)
            step = "modules"
            for key in req.modules:
                if modules.get_module(key).togglable:
                    ModuleEnablement.objects.create(
                        tenant=tenant, module_key=key, enabled=True, changed_by=actor
                    )
            step = "setup"
            with tenant_schema(tenant.schema_name):
                bind_connection(
                    actor_id=None,
                    actor_label=f"provisioning ({actor or 'system'})",
                    client_address=None,
                    request_id=None,
                )
                _set_up_schema(tenant, req)
            step = "domain"
            Domain.objects.create(domain=req.domain.strip().lower(), tenant=tenant, is_primary=True)
    except TenantActionError:
        raise
    except IntegrityError as exc:
        raise TenantActionError(_explain_integrity(exc, req, step), step=step) from exc
    except Exception as exc:
        logger.exception("provisioning %s failed at %s", req.schema_name, step)
        raise TenantActionError(
            _("Provisioning failed at step “%(step)s”: %(error)s; nothing was created.")
            % {"step": step, "error": exc},
            step=step,
        ) from exc
    modules.forget_enabled_keys(tenant)
    logger.info(
        "provisioned tenant %s in %.2f s by %s",
        tenant.schema_name,
        time.perf_counter() - started,
        actor or "-",
    )
    return tenant


def _set_up_schema(tenant: Tenant, req: TenantRequest) -> None:
    """What a fresh clone of the template needs to become this tenant's."""
    from wagtail.models import Site

    from identity.defaults import root_department
    from identity.models import Role, User

    Site.objects.filter(is_default_site=True).update(
        hostname=req.domain.strip().lower(), site_name=tenant.name
    )
    enabled = {spec.key for spec in modules.all_modules() if not spec.togglable} | set(req.modules)
    install_default_data(tenant, enabled)
    # The organisation's first account: a superuser (Wagtail's own screens check that flag)
    # holding the tenant administrator role, in the root department.
    admin = User.objects.create_superuser(
        username=req.admin_email.lower(),
        email=req.admin_email.lower(),
        password=req.admin_password,
        full_name=req.admin_name or _("Administrator"),
        language=req.locale,
        department=root_department(),
    )
    admin.roles.add(Role.objects.get(code="tenant_admin"))
    from identity.actions import sync_console_language

    sync_console_language(admin)


def install_default_data(tenant: Tenant, keys: Iterable[str]) -> None:
    """Run the modules' default-data installers (idempotent) in the tenant's schema, then
    give the default roles the permissions those modules grant them."""
    from django.utils import translation

    from identity.defaults import apply_role_grants

    keys = set(keys)
    ordered = sorted(modules.all_modules(), key=lambda spec: spec.key != "identity")  # roles first
    with translation.override(tenant.locale):  # default texts in the tenant's language
        for spec in ordered:
            if spec.key in keys and spec.default_data:
                spec.import_attr("default_data")(tenant)
    apply_role_grants(keys)


def _explain_integrity(exc: IntegrityError, req: TenantRequest, step: str) -> str:
    text = str(exc)
    if "domain" in text:
        return _("The domain “%(domain)s” is already in use; nothing was created.") % {"domain": req.domain}
    if "schema_name" in text:
        return _("A tenant with the code “%(name)s” already exists; nothing was created.") % {
            "name": req.schema_name
        }
    return _("Provisioning failed at step “%(step)s” (%(error)s); nothing was created.") % {
        "step": step,
        "error": text.splitlines()[0],
    }


@in_public_schema
def suspend_tenant(tenant: Tenant, *, reason: str = "", actor: str = "") -> Tenant:
    if tenant.is_template:
        raise TenantActionError(_("The template cannot be suspended."))
    tenant.status = TenantStatus.SUSPENDED
    tenant.status_reason = reason[:500]
    tenant.save(update_fields=["status", "status_reason", "updated_at"])
    logger.info("suspended tenant %s by %s: %s", tenant.schema_name, actor or "-", reason)
    return tenant


@in_public_schema
def resume_tenant(tenant: Tenant, *, actor: str = "") -> Tenant:
    tenant.status = TenantStatus.ACTIVE
    tenant.status_reason = ""
    tenant.save(update_fields=["status", "status_reason", "updated_at"])
    logger.info("resumed tenant %s by %s", tenant.schema_name, actor or "-")
    return tenant


@in_public_schema
def delete_tenant(tenant: Tenant, *, confirm_schema: str, actor: str = "") -> None:
    """Drop the tenant's schema, rows, cache entries and files. Irreversible."""
    if tenant.is_template:
        raise TenantActionError(_("The template cannot be deleted."))
    if confirm_schema != tenant.schema_name:
        raise TenantActionError(
            _("Type the tenant's code to confirm."), {"confirm_schema": [_("The code does not match.")]}
        )
    if tenant.subsidiaries.exists():
        names = ", ".join(tenant.subsidiaries.values_list("name", flat=True)[:5])
        raise TenantActionError(
            _("%(name)s still has subsidiaries (%(subs)s); delete or move them first.")
            % {"name": tenant.name, "subs": names}
        )
    schema = tenant.schema_name
    with transaction.atomic():
        cloning.drop_schema(schema)
        tenant.delete()
        transaction.on_commit(lambda: _purge_outside_database(schema))
    logger.info("deleted tenant %s by %s", schema, actor or "-")


def _purge_outside_database(schema: str) -> None:
    from kernel.files import delete_tenant_files
    from kernel.redis import get_redis

    client = get_redis()
    for key in client.scan_iter(match=f"{schema}:*", count=1000):
        client.delete(key)
    client.delete(f"{settings.REDIS_KEY_PREFIX}:modules:{schema}")
    delete_tenant_files(schema)


@in_public_schema
def add_domain(tenant: Tenant, domain: str, *, actor: str = "") -> Domain:
    """Add a custom domain (or another subdomain) that routes to the tenant."""
    domain = (domain or "").strip().lower()
    if not HOST_NAME.match(domain):
        raise TenantActionError(
            _("“%(domain)s” is not a valid host name.") % {"domain": domain},
            {"domain": [_("Invalid host name.")]},
        )
    if domain in set(settings.PUBLIC_HOSTS):
        raise TenantActionError(_("“%(domain)s” serves the operator site.") % {"domain": domain})
    taken = Domain.objects.filter(domain=domain).select_related("tenant").first()
    if taken:
        raise TenantActionError(
            _("The domain “%(domain)s” is already used by %(tenant)s.")
            % {"domain": domain, "tenant": taken.tenant.name}
        )
    try:
        with transaction.atomic():
            created = Domain.objects.create(domain=domain, tenant=tenant, is_primary=False)
    except IntegrityError as exc:
        raise TenantActionError(_("The domain “%(domain)s” is already in use.") % {"domain": domain}) from exc
    logger.info("domain %s added to %s by %s", domain, tenant.schema_name, actor or "-")
    return created


BRANDING_FIELDS = (
    "name",
    "name_en",
    "brand_short_name",
    "brand_primary_colour",
    "brand_accent_colour",
    "brand_email_sender_name",
    "brand_email_footer",
)


@in_public_schema
def update_branding(tenant: Tenant, data: dict, *, logo=None, favicon=None, actor: str = "") -> Tenant:
    """Name, colours, logo, favicon, e-mail sender and footer, as the tenant admin sets them."""
    from kernel.files import BRANDING_MAX_SIZE, BRANDING_TYPES, validate_upload

    errors: dict[str, list[str]] = {}
    for name, upload in (("brand_logo", logo), ("brand_favicon", favicon)):
        if upload is None:
            continue
        if upload.size > BRANDING_MAX_SIZE:
            errors.setdefault(name, []).append(_("Up to 1 MB, please."))
            continue
        try:
            validate_upload(upload, allowed_types=BRANDING_TYPES)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
    for name in BRANDING_FIELDS:
        if name in data:
            setattr(tenant, name, data[name])
    try:
        tenant.full_clean(exclude=["schema_name", "brand_logo", "brand_favicon", "parent"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        tenant.refresh_from_db()
        raise TenantActionError(_("The branding was not saved."), errors)
    with transaction.atomic():
        if logo is not None:
            tenant.brand_logo.save(logo.name, logo, save=False)
        if favicon is not None:
            tenant.brand_favicon.save(favicon.name, favicon, save=False)
        tenant.save()
    logger.info("branding of %s changed by %s", tenant.schema_name, actor or "-")
    return tenant


@in_public_schema
def set_session_idle_minutes(tenant: Tenant, minutes: int, *, actor: str = "") -> Tenant:
    """How long a signed-in session may stay idle, for everyone of this tenant."""
    if not 5 <= minutes <= 720:
        raise TenantActionError(
            _("Choose between 5 and 720 minutes."), {"session_idle_minutes": [_("Between 5 and 720.")]}
        )
    tenant.session_idle_minutes = minutes
    tenant.save(update_fields=["session_idle_minutes", "updated_at"])
    logger.info("idle sign-out of %s set to %d min by %s", tenant.schema_name, minutes, actor or "-")
    return tenant


@in_public_schema
def set_module_enabled(tenant: Tenant, key: str, enabled: bool, *, actor: str = "") -> None:
    """Switch a module on or off for a tenant. Its data stays either way."""
    spec = modules.get_module(key)
    if not spec.togglable:
        raise TenantActionError(_("%(module)s is always on.") % {"module": spec.name})
    current = modules.enabled_keys(tenant)
    if enabled:
        missing = [dep for dep in spec.dependencies if dep not in current]
        if missing:
            names = ", ".join(modules.get_module(dep).name for dep in missing)
            raise TenantActionError(
                _("%(module)s needs %(deps)s; enable those first.") % {"module": spec.name, "deps": names}
            )
    else:
        dependents = [dep.name for dep in modules.dependents_of(key) if dep.key in current]
        if dependents:
            raise TenantActionError(
                _("%(deps)s depend on %(module)s; disable those first.")
                % {"module": spec.name, "deps": ", ".join(dependents)}
            )
    with transaction.atomic():
        ModuleEnablement.objects.update_or_create(
            tenant=tenant, module_key=key, defaults={"enabled": enabled, "changed_by": actor}
        )
        if enabled:
            with tenant_schema(tenant.schema_name):
                install_default_data(tenant, {key})
    modules.forget_enabled_keys(tenant)
    logger.info(
        "module %s %s for %s by %s",
        key,
        "enabled" if enabled else "disabled",
        tenant.schema_name,
        actor or "-",
    )
