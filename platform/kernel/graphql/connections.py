"""Lists in the API: Relay connections with keyset cursors, required page sizes, filters, sorting.

    rooms = ConnectionField(RoomNode, filter=RoomFilter, sort=RoomSort, resolver=rooms_for)

- `first` or `last` (1–100) is required; `after` / `before` take cursors.
- Order is stable: the chosen sort field, then the primary key. Cursors encode both (keyset
  pagination), so pages do not shift when rows are added before them.
- `totalCount` is computed only when the query asks for it.
- The resolver returns a queryset the caller may see (identity.access.restrict); filters
  are applied through an explicit whitelist, never by passing names to the ORM.
- N+1: the resolver select_related/prefetch_related what nodes show; what needs a
  visibility check per related row is loaded for the whole page by the node type's
  `prime_page(rows, info)` (kernel.graphql.scoped.remember_visible). Tests pin the counts.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import graphene
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from graphene import relay
from graphql import GraphQLError

from kernel.graphql.errors import ApiErrorCode

MAX_PAGE = 100


class CountableConnection(relay.Connection):
    class Meta:
        abstract = True

    total_count = graphene.Int(
        required=True, description="Rows matching the filters (computed only when asked)."
    )

    @staticmethod
    def resolve_total_count(root, info):
        return root.iterable.count()


def connection_for(node_type) -> type[CountableConnection]:
    name = node_type._meta.name
    return type(f"{name}Connection", (CountableConnection,), {"Meta": type("Meta", (), {"node": node_type})})


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False


def sort_enum(name: str, options: dict[str, SortKey], description: str = "") -> type[graphene.Enum]:
    """A GraphQL enum whose values name sort keys (e.g. CODE_ASC)."""
    enum = graphene.Enum(name, [(key, key) for key in options], description=description)
    enum.sort_keys = options
    return enum


def _encode(key: SortKey, value, pk) -> str:
    """A cursor names its sort field, so one from another sort is refused rather than misread."""
    return base64.urlsafe_b64encode(json.dumps([key.field, value, pk], default=_jsonable).encode()).decode()


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


def _invalid_cursor() -> GraphQLError:
    return api_error("That cursor is not one this API gave out for this list.", ApiErrorCode.INVALID_CURSOR)


def _decode(cursor: str, queryset: QuerySet, key: SortKey) -> list:
    """[value, pk] from a cursor made for this sort, with both converted to the fields' types."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise _invalid_cursor() from exc
    if not isinstance(values, list) or len(values) != 3 or values[0] != key.field:
        raise _invalid_cursor()
    _, value, pk = values
    model = queryset.model
    field = model._meta.get_field(key.field.split("__")[0])
    for part in key.field.split("__")[1:]:
        field = field.related_model._meta.get_field(part)
    try:
        value = field.to_python(value)
        pk = model._meta.pk.to_python(pk)
    except (ValidationError, TypeError, ValueError) as exc:
        raise _invalid_cursor() from exc
    if pk is None or value is None:  # sort keys are NOT NULL columns
        raise _invalid_cursor()
    return [value, pk]


def api_error(message: str, code, **extensions) -> GraphQLError:
    return GraphQLError(message, extensions={"code": getattr(code, "value", code), **extensions})


def _after(key: SortKey, values: list, forward: bool) -> Q:
    """Rows strictly after (or before) a cursor in (field, pk) order."""
    value, pk = values
    greater = forward != key.descending
    op = "gt" if greater else "lt"
    return Q(**{f"{key.field}__{op}": value}) | Q(**{key.field: value, f"pk__{op}": pk})


def paginate(queryset: QuerySet, key: SortKey, *, first=None, last=None, after=None, before=None):
    """(rows, has_previous, has_next, iterable) for one page."""
    if first is None and last is None:
        raise api_error("Lists need `first` or `last` (1–100).", ApiErrorCode.PAGINATION_REQUIRED)
    for name, size in (("first", first), ("last", last)):
        if size is not None and not 1 <= size <= MAX_PAGE:
            raise api_error(f"`{name}` must be between 1 and {MAX_PAGE}.", ApiErrorCode.PAGINATION_LIMIT)
    if first is not None and last is not None:
        raise api_error("Give `first` or `last`, not both.", ApiErrorCode.PAGINATION_REQUIRED)
    total = queryset
    if after:
        queryset = queryset.filter(_after(key, _decode(after, queryset, key), forward=True))
    if before:
        queryset = queryset.filter(_after(key, _decode(before, queryset, key), forward=False))
    direction = "-" if key.descending else ""
    if first is not None:
        ordered = queryset.order_by(f"{direction}{key.field}", f"{direction}pk")
        rows = list(ordered[: first + 1])
        has_next, rows = len(rows) > first, rows[:first]
        has_previous = bool(after)
    else:
        reverse = "" if key.descending else "-"
        ordered = queryset.order_by(f"{reverse}{key.field}", f"{reverse}pk")
        rows = list(ordered[: last + 1])
        has_previous, rows = len(rows) > last, list(reversed(rows[:last]))
        has_next = bool(before)
    return rows, has_previous, has_next, total


def _cursor_of(row, key: SortKey) -> str:
    value = row
    for part in key.field.split("__"):
        value = getattr(value, part)
    return _encode(key, value, row.pk)


class ConnectionField(graphene.Field):
    """A paginated, filtered, sorted list of `node_type`.

    `resolver(root, info)` returns the visible queryset; `filter` is an InputObjectType whose
    `apply(queryset, value, info)` classmethod applies it; `sort` is a `sort_enum`.
    """

    def __init__(self, node_type, *, resolver: Callable, filter=None, sort=None, default_sort=None, **kwargs):
        self.node_type = node_type
        self.connection_type = connection_for(node_type)
        self.list_resolver = resolver
        self.filter_type = filter
        self.sort_type = sort
        self.default_sort = default_sort
        arguments = {
            "first": graphene.Int(description="Page size from the start (1–100)."),
            "last": graphene.Int(description="Page size from the end (1–100)."),
            "after": graphene.String(),
            "before": graphene.String(),
        }
        if filter is not None:
            arguments["filter"] = graphene.Argument(filter)
        if sort is not None:
            arguments["sort"] = graphene.Argument(sort, default_value=default_sort)
        super().__init__(self.connection_type, args=arguments, resolver=self.resolve, **kwargs)

    def resolve(self, root, info, first=None, last=None, after=None, before=None, **kwargs):
        queryset = self.list_resolver(root, info)
        if self.filter_type is not None and kwargs.get("filter"):
            queryset = self.filter_type.apply(queryset, kwargs["filter"], info)
        key = SortKey("pk")
        if self.sort_type is not None:
            choice = kwargs.get("sort") or self.default_sort
            choice = getattr(choice, "value", choice)
            key = self.sort_type.sort_keys[choice]
        rows, has_previous, has_next, total = paginate(
            queryset, key, first=first, last=last, after=after, before=before
        )
        prime = getattr(self.node_type, "prime_page", None)
        if prime is not None and rows:
            prime(rows, info)  # load what the page's nodes point to in a few queries, not one per row
        edge_type = self.connection_type.Edge
        edges = [edge_type(node=row, cursor=_cursor_of(row, key)) for row in rows]
        page_info = relay.PageInfo(
            has_previous_page=has_previous,
            has_next_page=has_next,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        )
        connection = self.connection_type(edges=edges, page_info=page_info)
        connection.iterable = total  # for totalCount, counted only if asked
        return connection
