"""Request middleware: request id and context, tenant routing, module guard."""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpResponseForbidden, HttpResponseNotFound
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.urls import set_urlconf
from django.utils import translation

from kernel import modules
from kernel.context import PUBLIC, new_request_id, request_id_var, tenant_schema_var


class RequestContextMiddleware:
    """Gives each request an id (X-Request-ID in, and out) and a fresh log context.

    The context is set anew at the start of every request rather than reset at its end,
    so that Django's own request logging (which runs after the middleware returns)
    still carries the tenant and request id.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = new_request_id(request.headers.get("X-Request-ID"))
        request_id_var.set(request.request_id)
        tenant_schema_var.set("-")
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


def public_hosts() -> set[str]:
    return set(getattr(settings, "PUBLIC_HOSTS", ["localhost", "127.0.0.1"]))


class TenantMiddleware:
    """Routes a request by host name: the operator site, a tenant, or nothing.

    - a public host (PUBLIC_HOSTS) gets the operator site in the public schema;
    - a tenant's domain gets that tenant's schema and URLs; 403 when it is suspended;
    - any other host gets 404.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from tenants.routing import domain_for

        connection.set_schema_to_public()
        try:
            hostname = request.get_host().split(":")[0].lower()
        except DisallowedHost:
            return _plain_page(HttpResponseNotFound, "kernel/unknown_host.html", {"host": "?"})
        if hostname.startswith("www."):
            hostname = hostname[4:]

        if hostname in public_hosts():
            request.tenant = None
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            tenant_schema_var.set(PUBLIC)
            return self.get_response(request)

        domain = domain_for(hostname)  # cached per process, invalidated through Redis (tenants.routing)
        if domain is None or domain.tenant.is_template:
            return _plain_page(HttpResponseNotFound, "kernel/unknown_host.html", {"host": hostname})
        tenant = domain.tenant
        if not tenant.is_active:
            with translation.override(tenant.locale):
                return _plain_page(HttpResponseForbidden, "kernel/suspended.html", {"tenant": tenant})

        tenant.domain_url = hostname
        request.tenant = tenant
        connection.set_tenant(tenant)
        tenant_schema_var.set(tenant.schema_name)
        request.urlconf = settings.ROOT_URLCONF
        set_urlconf(request.urlconf)
        return self.get_response(request)


def _plain_page(response_class, template: str, context: dict):
    return response_class(render_to_string(template, context), content_type="text/html; charset=utf-8")


class TenantLocaleMiddleware(LocaleMiddleware):
    """Django's language negotiation, with the tenant's language as the fallback.

    A language cookie or the browser's Accept-Language wins; without either, the page
    is in the tenant's own language rather than the platform default.
    """

    def process_request(self, request):
        super().process_request(request)
        tenant = getattr(request, "tenant", None)
        if (
            tenant is not None
            and not request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            and not request.META.get("HTTP_ACCEPT_LANGUAGE")
        ):
            translation.activate(tenant.locale)
            request.LANGUAGE_CODE = translation.get_language()


# Wagtail's own user and group screens would bypass our people and role management
# (identity.viewsets), so they do not exist in the console.
REPLACED_CONSOLE_NAMESPACES = {"wagtailusers_users", "wagtailusers_groups"}


class ModuleGuardMiddleware:
    """A view that belongs to a disabled module answers 404: the module has no URL there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        tenant = getattr(request, "tenant", None)
        if tenant is None or request.resolver_match is None:
            return None
        owners = modules.module_for_url_namespace()
        if REPLACED_CONSOLE_NAMESPACES.intersection(request.resolver_match.namespaces):
            return _plain_page(HttpResponseNotFound, "kernel/unknown_host.html", {"host": request.get_host()})
        for namespace in request.resolver_match.namespaces:
            key = owners.get(namespace)
            if key and not modules.is_enabled(key, tenant):
                return _plain_page(
                    HttpResponseNotFound, "kernel/unknown_host.html", {"host": request.get_host()}
                )
        return None


class ConsoleAccessMiddleware:
    """Someone signed in without the console permission gets a plain 403 on /console/,
    not Wagtail's endless way back to its sign-in page."""

    OPEN = ("/console/login/", "/console/logout/", "/console/password_reset/", "/console/jsi18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path.startswith("/console/")
            and not request.path.startswith(self.OPEN)
            and getattr(request, "tenant", None) is not None
            and user is not None
            and user.is_authenticated
            and not user.has_perm("wagtailadmin.access_admin")
        ):
            return _plain_page(HttpResponseForbidden, "kernel/no_console.html", {"user": user})
        return self.get_response(request)
