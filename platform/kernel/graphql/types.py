import graphene
from django.db import connection

from kernel import modules


class ModuleInfo(graphene.ObjectType):
    key = graphene.String(required=True)
    name = graphene.String(required=True)
    always_on = graphene.Boolean(required=True)


class TenantInfo(graphene.ObjectType):
    name = graphene.String(required=True)
    kind = graphene.String(required=True)
    locale = graphene.String(required=True)
    time_zone = graphene.String(required=True)
    primary_colour = graphene.String(required=True)
    enabled_modules = graphene.List(graphene.NonNull(ModuleInfo), required=True)

    @staticmethod
    def resolve_primary_colour(tenant, info):
        return tenant.brand_primary_colour

    @staticmethod
    def resolve_enabled_modules(tenant, info):
        keys = modules.enabled_keys(tenant)
        return [
            ModuleInfo(key=spec.key, name=spec.name, always_on=spec.always_on)
            for spec in modules.visible_modules()
            if spec.key in keys
        ]


class KernelQuery(graphene.ObjectType):
    tenant = graphene.Field(TenantInfo, description="The organisation this endpoint serves.")
    node = graphene.relay.Node.Field()

    @staticmethod
    def resolve_tenant(root, info):
        return getattr(info.context, "tenant", None) or getattr(connection, "tenant", None)
