"""The branding screen of the console."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenants import actions
from tenants.models import Tenant


class BrandingForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = [
            "name",
            "name_en",
            "brand_short_name",
            "brand_primary_colour",
            "brand_accent_colour",
            "brand_logo",
            "brand_favicon",
            "brand_email_sender_name",
            "brand_email_footer",
        ]
        widgets = {
            "brand_primary_colour": forms.TextInput(attrs={"type": "color"}),
            "brand_accent_colour": forms.TextInput(attrs={"type": "color"}),
            "brand_logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
            "brand_favicon": forms.ClearableFileInput(attrs={"accept": "image/png,image/x-icon"}),
            "brand_email_footer": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"brand_email_footer": gettext_lazy("e.g. the service desk's phone number and address.")}


def branding(request):
    from identity.access import has_code

    if not has_code(request.user, "portal.manage_branding"):
        raise PermissionDenied
    tenant = Tenant.objects.get(pk=request.tenant.pk)
    form = BrandingForm(request.POST or None, request.FILES or None, instance=tenant)
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in actions.BRANDING_FIELDS}
        try:
            actions.update_branding(
                tenant,
                data,
                logo=request.FILES.get("brand_logo"),
                favicon=request.FILES.get("brand_favicon"),
                actor=request.user.get_username(),
            )
        except actions.TenantActionError as exc:
            for field, errors in exc.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Branding saved: the portal, the console and e-mails use it now."))
            return redirect("portal_branding")
    return render(
        request, "portal/console/branding.html", {"form": form, "page_title": _("Branding"), "tenant": tenant}
    )
