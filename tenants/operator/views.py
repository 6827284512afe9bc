"""Operator screens: tenants, their domains and modules. Every change goes through tenants.actions."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kernel import modules
from tenants import actions
from tenants.models import Tenant
from tenants.operator.forms import DeleteForm, DomainForm, SuspendForm, TenantForm


def operator_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("operator:login"))
        if not request.user.is_staff:
            return HttpResponseForbidden(_("Platform operators only."))
        return view(request, *args, **kwargs)

    return wrapped


def _tenants():
    return Tenant.objects.filter(is_template=False)


@operator_required
def dashboard(request):
    tenants = list(_tenants().select_related("parent").prefetch_related("domains").order_by("name"))
    children: dict[int | None, list[Tenant]] = {}
    for tenant in tenants:
        children.setdefault(tenant.parent_id, []).append(tenant)

    rows = []

    def walk(parent_id, depth):
        for tenant in children.get(parent_id, []):
            rows.append({"tenant": tenant, "depth": depth})
            walk(tenant.pk, depth + 1)

    walk(None, 0)
    counts = dict(_tenants().values_list("status").annotate(n=Count("id")))
    return render(
        request,
        "operator/dashboard.html",
        {
            "rows": rows,
            "total": len(tenants),
            "active": counts.get("active", 0),
            "suspended": counts.get("suspended", 0),
        },
    )


@operator_required
def tenant_new(request):
    form = TenantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        req = actions.TenantRequest(
            schema_name=data["schema_name"].strip(),
            name=data["name"],
            name_en=data["name_en"],
            kind=data["kind"],
            parent_schema=data["parent"] or None,
            domain=data["domain"],
            locale=data["locale"],
            time_zone=data["time_zone"],
            modules=list(data["modules"]),
            admin_name=data["admin_name"],
            admin_email=data["admin_email"],
            admin_password=data["admin_password"],
        )
        try:
            tenant = actions.provision_tenant(req, actor=request.user.get_username())
        except actions.TenantActionError as exc:
            for field, errors in exc.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            if not exc.errors:
                form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("%(name)s is ready at %(domain)s.") % {"name": tenant.name, "domain": req.domain}
            )
            return redirect("operator:tenant", pk=tenant.pk)
    return render(request, "operator/tenant_form.html", {"form": form})


@operator_required
def tenant_detail(request, pk):
    tenant = get_object_or_404(_tenants().select_related("parent"), pk=pk)
    enabled = modules.enabled_keys(tenant)
    module_rows = [{"spec": spec, "enabled": spec.key in enabled} for spec in modules.visible_modules()]
    return render(
        request,
        "operator/tenant_detail.html",
        {
            "t": tenant,
            "domains": tenant.domains.order_by("-is_primary", "domain"),
            "subsidiaries": tenant.subsidiaries.order_by("name"),
            "module_rows": module_rows,
            "suspend_form": SuspendForm(),
            "delete_form": DeleteForm(),
            "domain_form": DomainForm(),
        },
    )


def _run(request, pk, fn, success):
    tenant = get_object_or_404(_tenants(), pk=pk)
    try:
        fn(tenant)
    except actions.TenantActionError as exc:
        details = "; ".join(m for errors in exc.errors.values() for m in errors)
        messages.error(request, f"{exc.message} {details}".strip())
        return tenant, False
    messages.success(request, success % {"name": tenant.name})
    return tenant, True


@operator_required
@require_POST
def tenant_suspend(request, pk):
    form = SuspendForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _run(
        request,
        pk,
        lambda t: actions.suspend_tenant(t, reason=reason, actor=request.user.get_username()),
        _("%(name)s is suspended."),
    )
    return redirect("operator:tenant", pk=pk)


@operator_required
@require_POST
def tenant_resume(request, pk):
    _run(
        request,
        pk,
        lambda t: actions.resume_tenant(t, actor=request.user.get_username()),
        _("%(name)s is active again."),
    )
    return redirect("operator:tenant", pk=pk)


@operator_required
@require_POST
def tenant_delete(request, pk):
    confirm = request.POST.get("confirm_schema", "")
    _tenant, ok = _run(
        request,
        pk,
        lambda t: actions.delete_tenant(t, confirm_schema=confirm, actor=request.user.get_username()),
        _("%(name)s and all its data are deleted."),
    )
    return redirect("operator:dashboard") if ok else redirect("operator:tenant", pk=pk)


@operator_required
@require_POST
def domain_add(request, pk):
    form = DomainForm(request.POST)
    domain = form.cleaned_data["domain"] if form.is_valid() else ""
    _run(
        request,
        pk,
        lambda t: actions.add_domain(t, domain, actor=request.user.get_username()),
        _("Domain added to %(name)s."),
    )
    return redirect("operator:tenant", pk=pk)


@operator_required
@require_POST
def module_toggle(request, pk, key):
    enable = request.POST.get("enabled") == "1"
    try:
        modules.get_module(key)
    except modules.UnknownModule:
        messages.error(request, _("Unknown module."))
        return redirect("operator:tenant", pk=pk)
    _run(
        request,
        pk,
        lambda t: actions.set_module_enabled(t, key, enable, actor=request.user.get_username()),
        _("Modules of %(name)s updated."),
    )
    return redirect("operator:tenant", pk=pk)
