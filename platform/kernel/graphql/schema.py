"""The GraphQL schema, assembled from the module registry.

Each module declares a Query (and Mutation) fragment on its ModuleSpec; the root types
inherit from all of them. The schema is the same for every tenant (it is committed as
schema.graphql); a field of a module the tenant has not enabled answers the typed error
MODULE_DISABLED (kernel.graphql.middleware).
"""

import graphene
from django.utils import translation

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
    return graphene.Schema(query=query, mutation=mutation, auto_camelcase=True)


schema = build_schema()
