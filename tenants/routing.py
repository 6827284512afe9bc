"""Which tenant a host name belongs to, without a database query on every request.

Each process keeps the domains it has looked up, stamped with a generation number that
lives in Redis. Saving or deleting any tenant or domain sets a new generation (at once and
again after the commit), so every process looks its domains up again on its next request: a suspension,
a new domain or a new brand colour applies at once, everywhere. A Redis that was emptied
has no generation; the first reader sets a fresh one, which also discards every cache.

Requests get a copy of the cached tenant, so a view that changes request.tenant and fails
validation leaves the cache alone.
"""

from __future__ import annotations

import copy
import secrets

from django.conf import settings
from django.db import transaction

MAX_ENTRIES = 5000
_cache: dict[str, tuple[str, object]] = {}


def _key() -> str:
    return f"{settings.REDIS_KEY_PREFIX}:tenants:generation"


def generation() -> str:
    from kernel.redis import get_redis

    client = get_redis()
    current = client.get(_key())
    if current is None:
        client.set(_key(), secrets.token_hex(8), nx=True)
        current = client.get(_key())
    return current.decode() if isinstance(current, bytes) else str(current)


def invalidate() -> None:
    """Every process forgets its domains (call after the change is committed)."""
    from kernel.redis import get_redis

    get_redis().set(_key(), secrets.token_hex(8))


def domain_for(hostname: str):
    """The Domain (with its tenant, a copy of it) for a host name, or None."""
    from tenants.models import Domain

    stamp = generation()
    hit = _cache.get(hostname)
    if hit is None or hit[0] != stamp:
        domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
        if domain is None:
            return None  # unknown hosts are not remembered: they would fill the cache
        if len(_cache) >= MAX_ENTRIES:
            _cache.clear()
        _cache[hostname] = hit = (stamp, domain)
    domain = copy.copy(hit[1])
    domain.tenant = copy.copy(hit[1].tenant)
    return domain


def invalidate_on_commit(**kwargs) -> None:
    """On a save: now (this transaction's own later requests see the change) and after the
    commit (other processes may have re-read the old row in between)."""
    invalidate()
    transaction.on_commit(invalidate)
