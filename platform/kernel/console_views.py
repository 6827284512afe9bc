"""Console pages of the kernel: the tenant's modules."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from kernel import modules


def modules_page(request):
    """Which modules this organisation has, and their state. Switching them is the operator's
    (later: the subscription's) business, so this page only shows and explains."""
    from identity.access import has_code

    if not has_code(request.user, "console.access"):
        raise PermissionDenied
    enabled = modules.enabled_keys(request.tenant)
    rows = [
        {"spec": spec, "enabled": spec.key in enabled, "always_on": spec.always_on}
        for spec in modules.visible_modules()
    ]
    return render(
        request, "kernel/modules.html", {"rows": rows, "page_title": _("Modules"), "header_icon": "cogs"}
    )
