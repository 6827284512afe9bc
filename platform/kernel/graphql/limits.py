"""What a single request may ask: depth, cost, aliases, operations; and the rate per caller.

Cost model (documented in docs/api.md): every selected field costs 1; a field that takes
`first` or `last` multiplies the cost of what is selected inside it by that number (a
page of 100 rooms with 5 fields costs 1 + 100 × 5). Introspection (`__schema`, `__type`)
is free of depth and cost limits so that GraphiQL and code generators work.
"""

from __future__ import annotations

import time

from django.conf import settings
from graphql import GraphQLError
from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
)

from kernel.graphql.connections import MAX_PAGE
from kernel.graphql.errors import ApiErrorCode

INTROSPECTION = {"__schema", "__type"}


def _selections(node, fragments, seen):
    """The fields directly inside a selection set, with fragments expanded."""
    if node.selection_set is None:
        return
    for selection in node.selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _selections(selection, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen or name not in fragments:
                continue
            yield from _selections(fragments[name], fragments, seen | {name})


def _int_argument(field: FieldNode, names, variables) -> int | None:
    for argument in field.arguments or ():
        if argument.name.value in names:
            value = argument.value
            if hasattr(value, "value"):
                try:
                    return int(value.value)
                except (TypeError, ValueError):
                    return None
            if value.kind == "variable":
                raw = (variables or {}).get(value.name.value)
                return raw if isinstance(raw, int) else None
    return None


def cost_of(node, fragments, variables, depth=0) -> tuple[int, int]:
    """(cost, depth) of a selection set."""
    total, deepest = 0, depth
    for field in _selections(node, fragments, frozenset()):
        if field.name.value in INTROSPECTION:
            continue
        inner, inner_depth = cost_of(field, fragments, variables, depth + 1)
        # Page sizes outside 1–100 are refused by the list itself (PAGINATION_LIMIT).
        multiplier = min(max(_int_argument(field, ("first", "last"), variables) or 1, 1), MAX_PAGE)
        total += 1 + multiplier * inner
        deepest = max(deepest, inner_depth)
    return total, max(deepest, depth)


def aliases_in(node, fragments) -> int:
    count = 0
    for field in _selections(node, fragments, frozenset()):
        count += 1 if field.alias is not None else 0
        count += aliases_in(field, fragments)
    return count


def limit_errors(document, variables: dict | None) -> list[GraphQLError]:
    """Depth, cost, alias and operation-count limits of a parsed request (empty: within limits).

    Run before validation: a query over the limits is refused without further work.
    """
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) > settings.GRAPHQL_MAX_OPERATIONS:
        return [
            GraphQLError(
                f"One operation per request (found {len(operations)}).",
                extensions={"code": ApiErrorCode.TOO_MANY_OPERATIONS.value},
            )
        ]
    errors = []
    for operation in operations:
        cost, depth = cost_of(operation, fragments, variables or {})
        if depth > settings.GRAPHQL_MAX_DEPTH:
            errors.append(
                GraphQLError(
                    f"The query is {depth} levels deep; the limit is {settings.GRAPHQL_MAX_DEPTH}.",
                    extensions={"code": ApiErrorCode.QUERY_TOO_DEEP.value, "depth": depth},
                )
            )
        if cost > settings.GRAPHQL_MAX_COST:
            errors.append(
                GraphQLError(
                    f"The query costs {cost}; the limit is {settings.GRAPHQL_MAX_COST} (see docs/api.md).",
                    extensions={"code": ApiErrorCode.QUERY_TOO_COMPLEX.value, "cost": cost},
                )
            )
        aliases = aliases_in(operation, fragments)
        if aliases > settings.GRAPHQL_MAX_ALIASES:
            errors.append(
                GraphQLError(
                    f"The query uses {aliases} aliases; the limit is {settings.GRAPHQL_MAX_ALIASES}.",
                    extensions={"code": ApiErrorCode.TOO_MANY_ALIASES.value},
                )
            )
    return errors


# --- Rate limit: a token bucket per caller in Redis ------------------------------------------------

_BUCKET = """
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + (now - at) * rate)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', key, 'tokens', tokens, 'at', now)
redis.call('EXPIRE', key, math.ceil(capacity / rate) + 60)
return {allowed, tostring(wait)}
"""
_script = None


def take_token(caller_key: str, *, per_minute: int, burst: int) -> tuple[bool, float]:
    """(allowed, seconds to wait). Refills `per_minute` tokens a minute, holds at most `burst`."""
    global _script
    from django.db import connection

    from kernel.redis import get_redis

    client = get_redis()
    if _script is None:
        _script = client.register_script(_BUCKET)
    key = f"{settings.REDIS_KEY_PREFIX}:ratelimit:{connection.schema_name}:{caller_key}"
    allowed, wait = _script(keys=[key], args=[burst, per_minute / 60.0, time.time()])
    return bool(allowed), float(wait)
