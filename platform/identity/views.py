"""Portal sign-in, sign-out, password reset and change, and the second factor."""

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from kernel import audit
from kernel.models import AuditAction


class LoginView(auth_views.LoginView):
    template_name = "identity/portal/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    next_page = "/"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "identity/portal/password_reset.html"
    email_template_name = "identity/email/password_reset.txt"
    subject_template_name = "identity/email/password_reset_subject.txt"
    success_url = reverse_lazy("identity:password-reset-sent")


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "identity/portal/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "identity/portal/password_reset_confirm.html"
    success_url = reverse_lazy("identity:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "identity/portal/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "identity/portal/password_change.html"
    success_url = "/"

    def form_valid(self, form):
        messages.success(self.request, _("Your password is changed."))
        return super().form_valid(form)


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=gettext_lazy("6-digit code from your authenticator app"),
        regex=r"^\d{6}$",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return "/"
    return target


def _record_second_factor(request, *, enrolling: bool, ok: bool) -> None:
    audit.record(
        AuditAction.SECOND_FACTOR,
        actor=request.user,
        request=request,
        table="identity_user",
        object_id=request.user.pk,
        detail={"enrolled": enrolling, "ok": ok},
    )


@login_required
def second_factor(request):
    """Enrol an authenticator (first time) or check its code; required for administrative roles."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="authenticator", confirmed=False
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            _record_second_factor(request, enrolling=enrolling, ok=True)
            return redirect(_safe_next(request))
        _record_second_factor(request, enrolling=enrolling, ok=False)
        form.add_error("token", _("That code is not right (or has expired). Try the current one."))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4) if enrolling else None
    return render(
        request,
        "identity/portal/second_factor.html",
        {
            "form": form,
            "enrolling": enrolling,
            "qr": qr,
            "secret": device.key if enrolling else None,
            "next": _safe_next(request),
        },
    )
