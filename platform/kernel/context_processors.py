def tenant(request):
    """The current tenant (None on the operator site) and its enabled modules."""
    current = getattr(request, "tenant", None)
    return {"tenant": current}
