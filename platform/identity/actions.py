"""Every write to people and organisation: users, departments, positions, workgroups,
roles, API keys. Console screens, imports and the API call these; each validates, writes
in one transaction and leaves the rest to the audit trigger and the outbox."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from identity import access
from identity.models import API_KEY_PREFIX, ApiKey, Department, Position, Role, User, Workgroup
from identity.permissions import validate_codes
from kernel import audit, outbox
from kernel.localcache import GenerationCache
from kernel.models import AuditAction


def require(principal, code: str) -> None:
    """Refuse an action the principal's roles do not allow (None: a system action)."""
    if principal is not None and not access.has_code(principal, code):
        raise PermissionDenied(_("You may not do this (%(code)s).") % {"code": code})


def _validated(instance, exclude=None):
    instance.full_clean(exclude=exclude)
    return instance


# --- Users -------------------------------------------------------------------------------


def save_user(user: User, *, actor=None, password: str | None = None, roles=None, workgroups=None) -> User:
    """Create or change a user. A tenant user must belong to a department."""
    require(actor, "identity.manage_users")
    if user.department_id is None:
        raise ValidationError({"department": _("Every user belongs to one department.")})
    creating = user._state.adding
    _validated(user, exclude=["password"])
    if roles is not None and actor is not None and not access.has_code(actor, "identity.manage_roles"):
        current = set(user.roles.values_list("pk", flat=True)) if not creating else set()
        if {role.pk for role in roles} != current:
            raise PermissionDenied(_("Changing someone's roles needs the role management permission."))
    if password:
        validate_password(password, user)
    with transaction.atomic():
        if creating and not password:
            user.set_unusable_password()
        user.save()
        if password:
            # Saving after set_password runs the validators' password_changed (history).
            user.set_password(password)
            user.save(update_fields=["password"])
        if roles is not None:
            user.roles.set(roles)
        if workgroups is not None:
            user.workgroups.set(workgroups)
        sync_console_language(user)
        outbox.emit(f"identity.user.{'created' if creating else 'updated'}", {"id": user.pk}, actor=actor)
    access.forget_grants(user)
    return user


def sync_console_language(user: User) -> None:
    """The console (Wagtail) speaks the user's language, as the portal does."""
    from wagtail.users.models import UserProfile

    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": user.language})


def set_password(user: User, password: str, *, actor=None) -> None:
    """Change a password under the policy (length, complexity, not one of the last 5)."""
    if actor is not None and actor.pk != user.pk:
        require(actor, "identity.manage_users")
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])  # records the history (validators' password_changed)


def deactivate_user(user: User, *, actor=None) -> User:
    require(actor, "identity.manage_users")
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        outbox.emit("identity.user.deactivated", {"id": user.pk}, actor=actor)
    return user


def unlock_user(user: User, *, actor=None, request=None) -> int:
    """Lift a sign-in lockout now (instead of waiting for the cool-off)."""
    from axes.utils import reset

    require(actor, "identity.manage_users")
    cleared = reset(username=user.get_username().lower())
    audit.record(AuditAction.UNLOCK, actor=actor, request=request, table="identity_user", object_id=user.pk)
    return cleared


# --- Organisation ----------------------------------------------------------------------


def create_department(candidate: Department, *, parent: Department | None, actor=None) -> Department:
    require(actor, "identity.manage_org")
    _validated(candidate, exclude=["path", "depth", "numchild"])
    with transaction.atomic():
        department = (
            parent.add_child(instance=candidate) if parent else Department.add_root(instance=candidate)
        )
        outbox.emit("identity.department.created", {"id": department.pk}, actor=actor)
    return department


def save_department(department: Department, *, actor=None) -> Department:
    require(actor, "identity.manage_org")
    _validated(department, exclude=["path", "depth", "numchild"])
    with transaction.atomic():
        department.save()
        outbox.emit("identity.department.updated", {"id": department.pk}, actor=actor)
    return department


def move_department(department: Department, new_parent: Department, *, actor=None) -> Department:
    """Move a department under another; its whole subtree moves with it."""
    require(actor, "identity.manage_org")
    if new_parent.pk == department.pk or new_parent.path.startswith(department.path):
        raise ValidationError(
            {"parent": _("A department cannot move under itself or its own sub-departments.")}
        )
    with transaction.atomic():
        department.move(new_parent, pos="sorted-child")
        outbox.emit("identity.department.moved", {"id": department.pk, "parent": new_parent.pk}, actor=actor)
    return Department.objects.get(pk=department.pk)


def delete_department(department: Department, *, actor=None) -> None:
    require(actor, "identity.manage_org")
    department = Department.objects.get(pk=department.pk)
    if department.get_children_count():
        raise ValidationError(
            _("%(name)s has sub-departments; move or delete them first.") % {"name": department}
        )
    if department.members.exists():
        raise ValidationError(_("%(name)s still has members; move them first.") % {"name": department})
    with transaction.atomic():
        department.delete()
        outbox.emit("identity.department.deleted", {"id": department.pk}, actor=actor)


def save_simple(instance: Position | Workgroup, *, actor=None):
    require(actor, "identity.manage_org")
    _validated(instance)
    with transaction.atomic():
        instance.save()
    return instance


def delete_simple(instance: Position | Workgroup, *, actor=None) -> None:
    require(actor, "identity.manage_org")
    with transaction.atomic():
        instance.delete()


# --- Roles -----------------------------------------------------------------------------------


def save_role(role: Role, *, actor=None) -> Role:
    """Create or change a role; its permission codes and buildings must exist."""
    require(actor, "identity.manage_roles")
    errors = {}
    unknown = validate_codes(role.permissions)
    if unknown:
        errors["permissions"] = _("Unknown permissions: %(codes)s") % {"codes": ", ".join(unknown)}
    if role.building_ids:
        from modules.spaces.models import Building

        found = set(Building.objects.filter(pk__in=role.building_ids).values_list("pk", flat=True))
        missing = sorted(set(role.building_ids) - found)
        if missing:
            errors["building_ids"] = _("No such buildings: %(ids)s") % {"ids": ", ".join(map(str, missing))}
    if errors:
        raise ValidationError(errors)
    _validated(role)
    with transaction.atomic():
        role.save()
        outbox.emit("identity.role.saved", {"id": role.pk, "code": role.code}, actor=actor)
    return role


def delete_role(role: Role, *, actor=None) -> None:
    require(actor, "identity.manage_roles")
    if role.is_system:
        raise ValidationError(_("Default roles cannot be deleted; change them instead."))
    if role.users.exists() or role.api_keys.exists():
        raise ValidationError(_("Someone still holds this role; take it away from them first."))
    with transaction.atomic():
        role.delete()


# --- API keys ---------------------------------------------------------------------------------


def create_api_key(
    *, name: str, role: Role, expires_at: datetime | None, actor=None, requests_per_minute: int = 600
) -> tuple[ApiKey, str]:
    """A new key for a partner. Returns the key and its secret, which is never shown again."""
    require(actor, "identity.manage_api_keys")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    prefix, secret = ApiKey.new_secret()
    key = ApiKey(
        name=name.strip(),
        role=role,
        prefix=prefix,
        secret_hash=ApiKey.hash_secret(secret),
        created_by=actor if getattr(actor, "pk", None) else None,
        expires_at=expires_at,
        requests_per_minute=requests_per_minute,
    )
    _validated(key)
    with transaction.atomic():
        key.save()
    return key, f"{API_KEY_PREFIX}_{prefix}_{secret}"


def revoke_api_key(key: ApiKey, *, actor=None) -> ApiKey:
    require(actor, "identity.manage_api_keys")
    with transaction.atomic():
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


# A key's use is recorded (last_used_at and the audit trail) at most this often.
KEY_USE_RECORD_SECONDS = 60


class ApiKeyPrincipal:
    """Acts with the key's role; belongs to no department and owns nothing."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    is_anonymous = False
    department = None
    department_id = None

    def __init__(self, key: ApiKey):
        self.key = key
        self.pk = None

    def facilis_roles(self):
        return [self.key.role]

    def get_username(self) -> str:
        return f"api-key:{self.key.name}"


# Keys (with their roles) kept per process; any change to a key or a role drops them everywhere.
api_keys = GenerationCache("apikeys")


def forget_api_keys(**kwargs) -> None:
    """post_save / post_delete of ApiKey and Role (identity.apps)."""
    api_keys.invalidate_on_commit(connection.schema_name)


def find_api_key(raw: str) -> ApiKeyPrincipal | None:
    """The principal for a presented key, or None (unknown, wrong, revoked or expired).

    Looked up in the current tenant's schema: another tenant's key is simply unknown here.
    """
    import hmac

    parts = (raw or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    key = api_keys.get(
        connection.schema_name,
        parts[1],
        load=lambda: ApiKey.objects.select_related("role").filter(prefix=parts[1]).first(),
    )
    if key is None or not hmac.compare_digest(key.secret_hash, ApiKey.hash_secret(parts[2])):
        return None
    if not key.is_usable:
        return None
    return ApiKeyPrincipal(key)


def note_api_key_use(principal: ApiKeyPrincipal, *, request=None) -> None:
    """Record that a key was used (last_used_at and the audit trail), at most once a minute."""
    key = principal.key
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() >= KEY_USE_RECORD_SECONDS:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
        audit.record(
            AuditAction.API_KEY_USED,
            actor_label=f"api-key:{key.name}",
            request=request,
            table="identity_apikey",
            object_id=key.pk,
        )


def authenticate_api_key(raw: str, *, request=None) -> ApiKeyPrincipal | None:
    """find_api_key, and note the use when the key is good."""
    principal = find_api_key(raw)
    if principal is not None:
        note_api_key_use(principal, request=request)
    return principal
