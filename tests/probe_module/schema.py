import graphene
from django.db import connection


class ProbeQuery(graphene.ObjectType):
    probe_schema = graphene.String(description="The schema that answered.")

    @staticmethod
    def resolve_probe_schema(root, info):
        return connection.schema_name
