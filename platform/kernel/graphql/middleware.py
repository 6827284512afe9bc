from graphql import GraphQLError

from kernel import modules


class ModuleGuardMiddleware:
    """A root field of a disabled module answers MODULE_DISABLED instead of data."""

    def resolve(self, next_, root, info, **kwargs):
        if root is None:
            key = modules.module_for_graphql_field().get((info.parent_type.name, info.field_name))
            tenant = getattr(info.context, "tenant", None)
            if key and not modules.is_enabled(key, tenant):
                raise GraphQLError(
                    f"The module '{key}' is not enabled for this organisation.",
                    extensions={"code": modules.ModuleDisabled.code, "module": key},
                )
        return next_(root, info, **kwargs)
