def portal(request):
    """Branding and the bell's unread count for every portal page."""
    from kernel.branding import branding_for
    from kernel.notifications import unread_count

    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return {}
    user = getattr(request, "user", None)
    return {"brand": branding_for(tenant), "unread_count": unread_count(user) if user is not None else 0}
