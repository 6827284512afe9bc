"""Which tenant a host name belongs to, without a database query on every request.

Domains are kept per process in a kernel.localcache.GenerationCache: saving or deleting
any tenant or domain drops them everywhere at once, so a suspension, a new domain or a new
brand colour applies on the next request. Requests get a copy of the cached tenant, so a
view that changes request.tenant and then fails validation leaves the cache alone.
"""

from __future__ import annotations

import copy

from kernel.localcache import GenerationCache

domains = GenerationCache("domains")
SCOPE = "all"


def domain_for(hostname: str):
    """The Domain (with a copy of its tenant) for a host name, or None."""
    from tenants.models import Domain

    cached = domains.get(
        SCOPE, hostname, load=lambda: Domain.objects.select_related("tenant").filter(domain=hostname).first()
    )
    if cached is None:
        return None
    domain = copy.copy(cached)
    domain.tenant = copy.copy(cached.tenant)
    return domain


def invalidate() -> None:
    """Every process forgets its domains (for changes made without save(), e.g. update())."""
    domains.invalidate(SCOPE)


def invalidate_on_commit(**kwargs) -> None:
    domains.invalidate_on_commit(SCOPE)
