import graphene
from django.db import connection

from kernel import modules
from kernel.graphql.scoped import object_for, principal


class ModuleInfo(graphene.ObjectType):
    key = graphene.String(required=True)
    name = graphene.String(required=True)
    always_on = graphene.Boolean(required=True)


class Branding(graphene.ObjectType):
    primary_colour = graphene.String(required=True)
    accent_colour = graphene.String(required=True)
    short_name = graphene.String(required=True)
    logo_url = graphene.String(description="Absolute URL of the logo, if there is one.")


class TenantInfo(graphene.ObjectType):
    name = graphene.String(required=True)
    name_en = graphene.String(required=True)
    kind = graphene.String(required=True)
    locale = graphene.String(required=True)
    time_zone = graphene.String(required=True)
    branding = graphene.Field(Branding, required=True)
    enabled_modules = graphene.List(graphene.NonNull(ModuleInfo), required=True)

    @staticmethod
    def resolve_branding(tenant, info):
        from kernel.branding import branding_for

        brand = branding_for(tenant)
        return Branding(
            primary_colour=brand.primary,
            accent_colour=brand.accent,
            short_name=brand.short_name,
            logo_url=brand.absolute_logo_url,
        )

    @staticmethod
    def resolve_enabled_modules(tenant, info):
        keys = modules.enabled_keys(tenant)
        return [
            ModuleInfo(key=spec.key, name=spec.name, always_on=spec.always_on)
            for spec in modules.visible_modules()
            if spec.key in keys
        ]


class KernelQuery(graphene.ObjectType):
    tenant = graphene.Field(TenantInfo, required=True, description="The organisation this endpoint serves.")
    node = graphene.Field(
        graphene.relay.Node,
        id=graphene.ID(required=True),
        description="Any object by its global id; null if it does not exist or is not yours to see.",
    )
    permissions = graphene.List(
        graphene.NonNull(graphene.String), required=True, description="Permission codes the caller holds."
    )

    @staticmethod
    def resolve_node(root, info, id):
        return object_for(info, id)

    @staticmethod
    def resolve_tenant(root, info):
        return getattr(info.context, "tenant", None) or getattr(connection, "tenant", None)

    @staticmethod
    def resolve_permissions(root, info):
        from identity.access import grants_of
        from identity.permissions import known_codes

        caller = principal(info)
        if getattr(caller, "is_superuser", False):
            return sorted(known_codes())
        codes = set()
        for grant in grants_of(caller):
            codes |= {code for code in known_codes() if grant.allows(code)}
        return sorted(codes)
