"""The GraphQL schema, assembled from the module registry.

Each module declares a Query (and Mutation) fragment on its ModuleSpec; the root types
inherit from all of them. The schema is the same for every tenant (it is committed as
schema.graphql); a field of a module the tenant has not enabled answers the typed error
MODULE_DISABLED (guard_module_fields).
"""

import graphene
from django.utils import translation
from graphql import GraphQLError

from kernel import modules


def build_schema() -> graphene.Schema:
    """Built in English: descriptions come from model labels, read once when types are made."""
    with translation.override("en"):
        return _build()


def _build() -> graphene.Schema:
    from kernel.graphql.types import KernelQuery

    queries, mutations = [], []
    for spec in modules.all_modules():
        if spec.graphql_query:
            queries.append(spec.import_attr("graphql_query"))
        if spec.graphql_mutation:
            mutations.append(spec.import_attr("graphql_mutation"))
    query = type("Query", (*queries, KernelQuery, graphene.ObjectType), {})
    mutation = type("Mutation", (*mutations, graphene.ObjectType), {}) if mutations else None
    built = graphene.Schema(query=query, mutation=mutation, auto_camelcase=True)
    guard_module_fields(built.graphql_schema)
    return built


def guard_module_fields(graphql_schema) -> None:
    """Root fields of modules a tenant may switch off answer MODULE_DISABLED when it has.

    Wrapped once here, on the root fields only: a GraphQL middleware would run for every
    field of every answer.
    """
    from graphql import default_field_resolver

    owners = modules.module_for_graphql_field()
    for root in (graphql_schema.query_type, graphql_schema.mutation_type):
        if root is None:
            continue
        for name, field in root.fields.items():
            key = owners.get((root.name, name))
            if key is None or not modules.get_module(key).togglable:
                continue
            field.resolve = _guarded(key, field.resolve or default_field_resolver)


def _guarded(key: str, resolve):
    def resolver(root, info, **kwargs):
        if not modules.is_enabled(key, getattr(info.context, "tenant", None)):
            raise GraphQLError(
                f"The module '{key}' is not enabled for this organisation.",
                extensions={"code": modules.ModuleDisabled.code, "module": key},
            )
        return resolve(root, info, **kwargs)

    return resolver


schema = build_schema()
