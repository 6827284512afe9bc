"""Sign-in events into the audit trail, and what django-axes counts as the login."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from kernel import audit
from kernel.models import AuditAction


def username_from_request(request, credentials) -> str:
    """Lockouts count per login name, case-insensitively (per tenant: axes' tables are per schema)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return username.strip().lower()


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record(AuditAction.LOGIN, actor=user, request=request, table="identity_user", object_id=user.pk)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(
            AuditAction.LOGOUT, actor=user, request=request, table="identity_user", object_id=user.pk
        )


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = (
        username_from_request(request, credentials)
        if request is not None
        else credentials.get("username", "")
    )
    audit.record(
        AuditAction.LOGIN_FAILED, actor_label=username, request=request, detail={"username": username}
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit.record(
        AuditAction.LOCKOUT, actor_label=username or "", request=request, detail={"username": username}
    )
