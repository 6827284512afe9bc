"""The portal home page: the tenant's entry points from its enabled modules."""

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from kernel import modules


def portal_entries(tenant) -> list[dict]:
    """Tiles for the portal home: each enabled module's declared entries."""
    enabled = modules.enabled_keys(tenant)
    tiles = []
    for spec in modules.visible_modules():
        if spec.key not in enabled:
            continue
        for label, url_name, icon in spec.portal_entries:
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            tiles.append({"module": spec.key, "label": label, "url": url, "icon": icon})
    return tiles


def portal_home(request):
    return render(request, "portal/home.html", {"tiles": portal_entries(request.tenant)})
