"""Console screens that are not plain lists and forms: imports, API key issue and revocation,
sign-in lockouts."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from identity import access, actions, tasks
from identity.forms import ApiKeyForm
from identity.models import ApiKey, ImportJob, User
from kernel.files import validate_upload


def console_permission(code: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not access.has_code(request.user, code):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# --- Imports --------------------------------------------------------------------------------


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What"), choices=ImportJob.Kind.choices)
    file = forms.FileField(label=gettext_lazy("File (.xlsx or .csv)"))

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith((".xlsx", ".csv")):
            raise ValidationError(_("Upload an .xlsx or .csv file."))
        validate_upload(
            uploaded,
            allowed_types={
                "text/csv",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/zip",
                "text/plain",
            },
        )
        return uploaded


@console_permission("identity.import")
def import_start(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            job = ImportJob.objects.create(
                kind=form.cleaned_data["kind"],
                file=form.cleaned_data["file"],
                filename=form.cleaned_data["file"].name,
                created_by=request.user,
            )
            tasks.check_import.send_on_commit(job.pk)
        return redirect("identity_import_detail", pk=job.pk)
    recent = ImportJob.objects.select_related("created_by")[:10]
    return render(
        request,
        "identity/console/import_start.html",
        {"form": form, "recent": recent, "page_title": _("Import")},
    )


@console_permission("identity.import")
def import_detail(request, pk):
    job = get_object_or_404(ImportJob, pk=pk)
    return render(request, "identity/console/import_detail.html", {"job": job, "page_title": _("Import")})


@console_permission("identity.import")
def import_status(request, pk):
    job = get_object_or_404(ImportJob, pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "total": job.total_rows,
            "processed": cache.get(tasks.progress_key(job.pk), 0)
            if job.status == ImportJob.Status.APPLYING
            else None,
            "errors": len(job.errors),
        }
    )


@console_permission("identity.import")
@require_POST
def import_confirm(request, pk):
    with transaction.atomic():
        job = get_object_or_404(ImportJob.objects.select_for_update(), pk=pk)
        if job.status != ImportJob.Status.CHECKED:
            messages.error(request, _("Only a checked import without errors can be confirmed."))
            return redirect("identity_import_detail", pk=pk)
        job.status = ImportJob.Status.APPLYING
        job.save(update_fields=["status"])
        tasks.apply_import.send_on_commit(job.pk)
    return redirect("identity_import_detail", pk=pk)


# --- API keys ---------------------------------------------------------------------------------


@console_permission("identity.manage_api_keys")
def api_key_create(request):
    form = ApiKeyForm(request.POST or None, for_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            key, raw = actions.create_api_key(
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                expires_at=form.cleaned_data["expires_at"],
                actor=request.user,
            )
        except ValidationError as exc:
            from kernel.console import add_validation_error

            add_validation_error(form, exc)
        else:
            # The only time the key is ever shown.
            return render(
                request,
                "identity/console/api_key_created.html",
                {"key": key, "raw": raw, "page_title": _("API key created")},
            )
    return render(
        request, "identity/console/api_key_form.html", {"form": form, "page_title": _("New API key")}
    )


@console_permission("identity.manage_api_keys")
def api_key_revoke(request, pk):
    key = get_object_or_404(ApiKey, pk=pk)
    if request.method == "POST":
        actions.revoke_api_key(key, actor=request.user)
        messages.success(request, _("The key %(name)s is revoked; it no longer works.") % {"name": key.name})
        return redirect("identity_apikey:index")
    return render(
        request, "identity/console/api_key_revoke.html", {"key": key, "page_title": _("Revoke API key")}
    )


# --- Sign-in lockouts -------------------------------------------------------------------------


@console_permission("identity.manage_users")
def lockouts(request):
    from axes.models import AccessAttempt
    from django.conf import settings

    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).order_by(
        "-attempt_time"
    )
    users = {u.username.lower(): u for u in User.objects.filter(username__in=[a.username for a in attempts])}
    rows = [{"attempt": a, "user": users.get((a.username or "").lower())} for a in attempts]
    return render(
        request, "identity/console/lockouts.html", {"rows": rows, "page_title": _("Sign-in lockouts")}
    )


@console_permission("identity.manage_users")
@require_POST
def unlock(request, pk):
    user = get_object_or_404(access.restrict(User.objects.all(), request.user, "change"), pk=pk)
    actions.unlock_user(user, actor=request.user, request=request)
    messages.success(request, _("%(user)s can sign in again.") % {"user": user})
    return redirect("identity_lockouts")


# --- Sign-in settings ----------------------------------------------------------------------------


class SignInSettingsForm(forms.Form):
    session_idle_minutes = forms.IntegerField(
        label=gettext_lazy("Sign out after idle minutes"),
        min_value=5,
        max_value=720,
        help_text=gettext_lazy("Signed-in sessions end after this much inactivity (5–720)."),
    )


@console_permission("identity.manage_users")
def sign_in_settings(request):
    from tenants import actions as tenant_actions

    tenant = request.tenant
    form = SignInSettingsForm(
        request.POST or None, initial={"session_idle_minutes": tenant.session_idle_minutes}
    )
    if request.method == "POST" and form.is_valid():
        try:
            tenant_actions.set_session_idle_minutes(
                tenant, form.cleaned_data["session_idle_minutes"], actor=request.user.get_username()
            )
        except tenant_actions.TenantActionError as exc:
            for field, errors in exc.errors.items():
                for error in errors:
                    form.add_error(field, error)
        else:
            messages.success(request, _("Sign-in settings saved."))
            return redirect("identity_sign_in_settings")
    roles = access_roles_requiring_2fa()
    return render(
        request,
        "identity/console/sign_in_settings.html",
        {"form": form, "roles_2fa": roles, "page_title": _("Sign-in settings")},
    )


def access_roles_requiring_2fa():
    from identity.models import Role

    return list(Role.objects.filter(requires_2fa=True).order_by("code"))
