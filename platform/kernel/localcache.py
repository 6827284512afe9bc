"""Rows every request needs (a host's tenant, a partner's API key), kept in each process and
dropped everywhere at once when they change.

A `GenerationCache` remembers loaded values per process, each stamped with a generation
number kept in Redis (one per scope, e.g. per tenant schema). Changing the underlying rows
sets a new generation — at once, and again after the commit, because another process may
re-read the old row in between — so every process loads again on its next request. A
Redis that was emptied has no generation; the first reader sets a fresh one, which also
discards every cache. Cost per request: one Redis GET instead of a database query.

    keys = GenerationCache("apikeys")
    key = keys.get(schema, prefix, load=lambda: ApiKey.objects.filter(prefix=prefix).first())
    keys.invalidate_on_commit(schema)      # from post_save / post_delete signals
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

MAX_ENTRIES = 5000


class GenerationCache:
    def __init__(self, name: str):
        self.name = name
        self._entries: dict[tuple[str, str], tuple[str, Any]] = {}

    def _key(self, scope: str) -> str:
        return f"{settings.REDIS_KEY_PREFIX}:localcache:{self.name}:{scope}"

    def generation(self, scope: str) -> str:
        from kernel.redis import get_redis

        client = get_redis()
        current = client.get(self._key(scope))
        if current is None:
            client.set(self._key(scope), secrets.token_hex(8), nx=True)
            current = client.get(self._key(scope))
        return current.decode() if isinstance(current, bytes) else str(current)

    def get(self, scope: str, key: str, load: Callable[[], Any]) -> Any:
        """The value for `key`, loaded by `load()` unless this process has it for the current
        generation. None (not found) is not remembered: unknown keys would fill the cache."""
        stamp = self.generation(scope)
        hit = self._entries.get((scope, key))
        if hit is not None and hit[0] == stamp:
            return hit[1]
        value = load()
        if value is not None:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[(scope, key)] = (stamp, value)
        return value

    def invalidate(self, scope: str) -> None:
        from kernel.redis import get_redis

        get_redis().set(self._key(scope), secrets.token_hex(8))

    def invalidate_on_commit(self, scope: str) -> None:
        """Now (later reads in this transaction see the change) and after the commit."""
        self.invalidate(scope)
        transaction.on_commit(lambda: self.invalidate(scope))
