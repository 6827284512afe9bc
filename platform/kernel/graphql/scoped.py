"""Object types whose single-object access goes through restrict() and the module guard.

Global ids are decoded in one place (`object_for`): a malformed id, or an id of another
type than expected, is the typed error INVALID_ID; an id of an object the caller may not
see (including another tenant's, which does not exist in this schema) resolves to null.
"""

from django.core.exceptions import ValidationError
from graphene import relay
from graphene_django import DjangoObjectType
from graphql import GraphQLError
from graphql_relay import from_global_id

from kernel import modules
from kernel.graphql.connections import api_error
from kernel.graphql.errors import ApiErrorCode


def principal(info):
    """Who is asking: a signed-in user, or a partner's API key (kernel.graphql.views)."""
    return getattr(info.context, "principal", None) or info.context.user


def visible(queryset, info, action: str = "view"):
    from identity.access import restrict

    return restrict(queryset, principal(info), action)


def _cache(info) -> dict:
    return info.context.__dict__.setdefault("_facilis_visible", {})


def remember_visible(info, model, values, key: str = "pk") -> None:
    """Load the rows of `model` whose `key` is one of `values` and the caller may see into the
    request's cache (one query); the others are remembered as invisible.

    Node types call this from `prime_page` so that resolvers of related objects on a page
    ask the cache instead of the database row by row.
    """
    cache = _cache(info)
    wanted = {value for value in values if value is not None and (model, key, value) not in cache}
    if not wanted:
        return
    for row in visible(model._default_manager.filter(**{f"{key}__in": wanted}), info):
        cache[(model, key, getattr(row, key))] = row
    for value in wanted:
        cache.setdefault((model, key, value), None)


def visible_one(info, model, value, key: str = "pk"):
    """The visible row of `model` whose `key` is `value` (from the cache when primed), or None."""
    if value is None:
        return None
    cache = _cache(info)
    entry = (model, key, value)
    if entry not in cache:
        cache[entry] = visible(model._default_manager.filter(**{key: value}), info).first()
    return cache[entry]


def decode_id(global_id, only_type=None) -> tuple[str, str]:
    """(type name, primary key) of a global id; INVALID_ID if it is not one of `only_type`."""
    try:
        type_name, pk = from_global_id(str(global_id))
    except Exception as exc:
        raise api_error("That is not an id this API gave out.", ApiErrorCode.INVALID_ID) from exc
    if not type_name or not pk:
        raise api_error("That is not an id this API gave out.", ApiErrorCode.INVALID_ID)
    if only_type is not None and type_name != only_type._meta.name:
        raise api_error(f"Expected the id of a {only_type._meta.name}.", ApiErrorCode.INVALID_ID)
    return type_name, pk


def pk_for(global_id, node_type):
    """The primary key a global id of `node_type` names, without loading the row (INVALID_ID
    if it is not one). For filters: the rows filtered are already restricted to the caller's."""
    _type_name, pk = decode_id(global_id, node_type)
    try:
        return node_type._meta.model._meta.pk.to_python(pk)
    except ValidationError as exc:
        raise api_error("That is not an id this API gave out.", ApiErrorCode.INVALID_ID) from exc


def object_for(info, global_id, only_type=None, action: str = "view"):
    """The object a global id names, if the caller may act on it; else None."""
    type_name, pk = decode_id(global_id, only_type)
    graphql_type = info.schema.get_type(type_name)
    graphene_type = getattr(graphql_type, "graphene_type", None)
    if graphene_type is None or relay.Node not in getattr(graphene_type._meta, "interfaces", ()):
        raise api_error("That is not an id this API gave out.", ApiErrorCode.INVALID_ID)
    if issubclass(graphene_type, ScopedObjectType):
        return graphene_type.get_node(info, pk, action=action)
    return graphene_type.get_node(info, pk)


class ScopedObjectType(DjangoObjectType):
    """Override `get_queryset(queryset, info)` to select_related what the type shows: lists and
    `node(id)` both start from it."""

    class Meta:
        abstract = True

    @classmethod
    def rows(cls, info, action: str = "view"):
        """The rows of this type the caller may `action`, with their relations joined."""
        return visible(cls.get_queryset(cls._meta.model._default_manager.all(), info), info, action)

    @classmethod
    def get_node(cls, info, id, action: str = "view"):
        model = cls._meta.model
        module_key = getattr(getattr(model, "scope", None), "module", None)
        known = {spec.key for spec in modules.all_modules()}
        if module_key in known and not modules.is_enabled(module_key, getattr(info.context, "tenant", None)):
            raise api_error(
                f"The module '{module_key}' is not enabled.",
                ApiErrorCode.MODULE_DISABLED,
                module=module_key,
            )
        try:
            pk = model._meta.pk.to_python(id)
        except ValidationError as exc:
            raise api_error("That is not an id this API gave out.", ApiErrorCode.INVALID_ID) from exc
        return visible(cls.get_queryset(model._default_manager.filter(pk=pk), info), info, action).first()


class PersonalObjectType(ScopedObjectType):
    """A type whose rows are the caller's by the type's own rule in `get_queryset` (the tasks
    assigned to them, the requests they take part in), whatever their role's data scope: an
    id of anyone else's row, or one that is malformed, finds nothing."""

    class Meta:
        abstract = True

    @classmethod
    def get_node(cls, info, id, action: str = "view"):
        try:
            pk = int(id)
        except (TypeError, ValueError):
            return None
        return cls.get_queryset(cls._meta.model._default_manager.filter(pk=pk), info).first()


def mutation_target(info, global_id, node_type, action: str, error_cls, codes, field: str = "id"):
    """(object, errors) for a mutation acting on `global_id` with `action` (change, delete, add…).

    Mutations report these as payload errors, not top-level ones: NOT_FOUND when the id is
    malformed, of another type, or names nothing the caller can see (another tenant's object
    does not exist here); PERMISSION_DENIED when the caller may see it but not `action` it.
    """
    try:
        target = object_for(info, global_id, node_type, action=action)
        seen = target is not None or object_for(info, global_id, node_type) is not None
    except GraphQLError:
        target, seen = None, False
    if target is not None:
        return target, []
    name = node_type._meta.name.lower()
    if seen:
        return None, [
            error_cls(
                field=field,
                code=codes.PERMISSION_DENIED.value,
                message=f"You may see this {name} but not {action} it.",
            )
        ]
    return None, [error_cls(field=field, code=codes.NOT_FOUND.value, message=f"No such {name} here.")]
