"""Object types whose single-object access (`node(id)`) goes through restrict() and the module guard."""

from graphene_django import DjangoObjectType

from kernel import modules
from kernel.graphql.connections import api_error
from kernel.graphql.errors import ApiErrorCode


def principal(info):
    """Who is asking: a signed-in user, or a partner's API key (kernel.graphql.views)."""
    return getattr(info.context, "principal", None) or info.context.user


def visible(queryset, info, action: str = "view"):
    from identity.access import restrict

    return restrict(queryset, principal(info), action)


class ScopedObjectType(DjangoObjectType):
    class Meta:
        abstract = True

    @classmethod
    def get_node(cls, info, id):
        model = cls._meta.model
        module_key = getattr(getattr(model, "scope", None), "module", None)
        known = {spec.key for spec in modules.all_modules()}
        if module_key in known and not modules.is_enabled(module_key, getattr(info.context, "tenant", None)):
            raise api_error(
                f"The module '{module_key}' is not enabled.",
                ApiErrorCode.MODULE_DISABLED,
                module=module_key,
            )
        return visible(model._default_manager.filter(pk=id), info).first()
