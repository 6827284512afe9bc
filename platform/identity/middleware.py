"""Sessions that end when idle, and the second factor for administrative roles."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from identity.access import requires_second_factor

LAST_SEEN = "facilis_last_seen"


class IdleSessionMiddleware:
    """Signs out a session idle for longer than the tenant allows (Tenant.session_idle_minutes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            tenant = getattr(request, "tenant", None)
            minutes = getattr(tenant, "session_idle_minutes", None) or settings.SESSION_IDLE_MINUTES_DEFAULT
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - last_seen > minutes * 60:
                logout(request)
                return redirect(
                    f"{request.path}?{urlencode({'expired': 1})}" if request.method == "GET" else request.path
                )
            # Write at most once a minute: a session save per request would be wasteful.
            if last_seen is None or now - last_seen >= 60:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """A user holding a role marked administrative must pass TOTP before anything else."""

    EXEMPT_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/console/logout/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(request, "tenant", None) is not None
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and not user.is_verified()
            and requires_second_factor(user)
        ):
            return redirect(
                f"{reverse('identity:second-factor')}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)


API_PATHS = frozenset({"/graphql/"})  # where keys are accepted; elsewhere the header means nothing


class ApiKeyMiddleware:
    """`Authorization: Bearer fk_…`: the caller is a partner's key (request.principal).

    Runs after authentication and before the audit binding, so that the connection is bound
    once, to the key. A header that names no usable key sets `request.api_key_refused`; the
    API answers 401 to it (kernel.graphql.views). Keys are looked up in this tenant's schema.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from identity.actions import find_api_key

        request.principal = None
        request.api_key_refused = False
        header = request.headers.get("Authorization", "")
        if header and request.path_info in API_PATHS and getattr(request, "tenant", None) is not None:
            scheme, _, token = header.partition(" ")
            principal = find_api_key(token) if scheme.lower() == "bearer" else None
            request.principal = principal
            request.api_key_refused = principal is None
        return self.get_response(request)
