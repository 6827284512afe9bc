"""The portal home page: the tenant's entry points from its enabled modules."""

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


def brand_asset(request, kind: str):
    """The tenant's logo or favicon, on its own domains (public: sign-in pages show it)."""
    from django.http import FileResponse, Http404
    from django.utils.cache import patch_cache_control

    field = {"logo": "brand_logo", "favicon": "brand_favicon"}.get(kind)
    tenant = getattr(request, "tenant", None)
    upload = getattr(tenant, field, None) if field else None
    if not upload:
        raise Http404("no such brand asset")
    import mimetypes

    content_type = mimetypes.guess_type(upload.name)[0] or "application/octet-stream"
    response = FileResponse(upload.storage.open(upload.name, "rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=3600)
    return response
