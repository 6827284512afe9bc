"""The tenant's GraphQL endpoint: who is calling, how much they may ask, and how often.

- A partner sends `Authorization: Bearer fk_…` (read by identity.middleware.ApiKeyMiddleware;
  a key is looked up in the tenant's own schema, so another tenant's key is simply unknown).
- Signed-in users (console, portal) use their session; their POSTs need the CSRF token.
- Limits: body size, one operation, depth, cost and aliases (kernel.graphql.limits),
  and a token bucket per key or user (429 with Retry-After).
"""

import json
import logging
import math
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.settings import graphene_settings
from graphene_django.views import GraphQLView, HttpError
from graphql import ExecutionResult, GraphQLError, OperationType, execute, get_operation_ast, parse, validate

from kernel.graphql.errors import ApiErrorCode
from kernel.graphql.limits import limit_errors, take_token

logger = logging.getLogger("facilis.graphql")


@lru_cache(maxsize=512)
def checked_document(query: str):
    """(document, validation errors) of a query text; (None, (syntax error,)) if it does not parse."""
    from kernel.graphql.schema import schema

    try:
        document = parse(query)
    except GraphQLError as exc:
        return None, (exc,)
    errors = validate(schema.graphql_schema, document, max_errors=graphene_settings.MAX_VALIDATION_ERRORS)
    return document, tuple(errors)


def error_response(status: int, code: ApiErrorCode, message: str, **headers) -> HttpResponse:
    response = HttpResponse(
        json.dumps({"errors": [{"message": message, "extensions": {"code": code.value}}]}),
        status=status,
        content_type="application/json",
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@method_decorator(csrf_exempt, name="dispatch")
class TenantGraphQLView(GraphQLView):
    def dispatch(self, request, *args, **kwargs):
        if int(request.META.get("CONTENT_LENGTH") or 0) > settings.GRAPHQL_MAX_BODY_BYTES:
            return error_response(
                413,
                ApiErrorCode.PAYLOAD_TOO_LARGE,
                f"Requests are limited to {settings.GRAPHQL_MAX_BODY_BYTES} bytes.",
            )
        caller, refusal = self.authenticate(request)
        if refusal is not None:
            return refusal
        request.principal = caller
        limit_key, per_minute, burst = self.rate_for(caller)
        allowed, wait = take_token(limit_key, per_minute=per_minute, burst=burst)
        if not allowed:
            return error_response(
                429,
                ApiErrorCode.RATE_LIMITED,
                f"Too many requests: {per_minute} a minute.",
                Retry_After=str(max(1, math.ceil(wait))),
            )
        return super().dispatch(request, *args, **kwargs)

    def authenticate(self, request):
        from identity.actions import note_api_key_use

        # identity.middleware.ApiKeyMiddleware has read any Bearer key (and the audit binding used it).
        if getattr(request, "api_key_refused", False):
            return None, error_response(
                401,
                ApiErrorCode.UNAUTHENTICATED,
                "Unknown, revoked or expired API key.",
                WWW_Authenticate='Bearer realm="facilis"',
            )
        principal = getattr(request, "principal", None)
        if principal is not None:
            note_api_key_use(principal, request=request)
            return principal, None
        user = request.user
        if not user.is_authenticated:
            if request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
                return None, redirect_to_login(request.get_full_path())  # GraphiQL is for signed-in users
            return None, error_response(
                401,
                ApiErrorCode.UNAUTHENTICATED,
                "Sign in, or send an API key as a Bearer token.",
                WWW_Authenticate='Bearer realm="facilis"',
            )
        if request.method == "POST":
            refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
            if refused is not None:
                return None, error_response(
                    403, ApiErrorCode.PERMISSION_DENIED, "Missing or wrong CSRF token."
                )
        return user, None

    @staticmethod
    def rate_for(caller) -> tuple[str, int, int]:
        key = getattr(caller, "key", None)
        if key is not None:
            per_minute = key.requests_per_minute
            return f"key:{key.pk}", per_minute, max(10, per_minute // 5)
        per_minute = settings.GRAPHQL_USER_REQUESTS_PER_MINUTE
        return f"user:{caller.pk}", per_minute, max(10, per_minute // 5)

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        """graphene-django's, with the parse and the standard validation cached per query text.

        Partners send the same few documents with different variables: parsing and validating
        them was a third of a small request's time. Limits depend on variables (`first: $n`),
        so they are checked on every request, before validation.
        """
        if not query:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseBadRequest("Must provide query string."))
        document, errors = checked_document(query)
        if document is None:
            return ExecutionResult(data=None, errors=list(errors))
        operation = get_operation_ast(document, operation_name)
        if (
            request.method.lower() == "get"
            and operation is not None
            and operation.operation != OperationType.QUERY
        ):
            if show_graphiql:
                return None
            raise HttpError(
                HttpResponseNotAllowed(
                    ["POST"], f"Only queries over GET; send a {operation.operation.value} by POST."
                )
            )
        refused = limit_errors(document, variables if isinstance(variables, dict) else {})
        if refused or errors:
            return ExecutionResult(data=None, errors=refused or list(errors))
        options = {
            "root_value": self.get_root_value(request),
            "context_value": self.get_context(request),
            "variable_values": variables,
            "operation_name": operation_name,
            "middleware": self.get_middleware(request),
        }
        try:
            if operation is not None and operation.operation == OperationType.MUTATION:
                with transaction.atomic():  # a mutation is all or nothing
                    result = execute(self.schema.graphql_schema, document, **options)
                    if result.errors:
                        # An error anywhere in the answer (even while shaping the result after the
                        # change) undoes the change: the client was told it failed.
                        transaction.set_rollback(True)
                    return result
            return execute(self.schema.graphql_schema, document, **options)
        except Exception as exc:  # noqa: BLE001 - reported as INTERNAL_ERROR by format_error
            return ExecutionResult(errors=[exc])

    @staticmethod
    def format_error(error):
        """Every error carries `extensions.code`; unexpected failures never show their text."""
        if not isinstance(error, GraphQLError):  # graphene-django's HttpError: bad JSON, no query…
            return {"message": str(error), "extensions": {"code": ApiErrorCode.BAD_REQUEST.value}}
        original = error.original_error
        if isinstance(original, PermissionDenied):
            formatted = error.formatted
            formatted["message"] = str(original) or "Permission denied."
            formatted["extensions"] = {"code": ApiErrorCode.PERMISSION_DENIED.value}
            return formatted
        if original is not None and not isinstance(original, GraphQLError):
            logger.error("GraphQL resolver failed at %s", error.path, exc_info=original)
            formatted = error.formatted
            formatted["message"] = "Internal error; it has been reported."
            formatted["extensions"] = {"code": ApiErrorCode.INTERNAL_ERROR.value}
            return formatted
        formatted = error.formatted
        extensions = formatted.setdefault("extensions", {})
        extensions.setdefault("code", ApiErrorCode.INVALID_QUERY.value)
        return formatted
