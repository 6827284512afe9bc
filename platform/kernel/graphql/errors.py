"""Errors of the API: top-level codes in `errors[].extensions.code`, and per-domain mutation errors.

Queries fail with a GraphQL error whose `extensions.code` is an `ApiErrorCode`. Mutations
never raise for bad input: they return `{result, errors {field code message}}`, where `code`
is the domain's own enum (e.g. `SpacesErrorCode`), so clients switch on codes, not text.
"""

from __future__ import annotations

import enum

import graphene
from django.core.exceptions import PermissionDenied, ValidationError


class ApiErrorCode(enum.Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    MODULE_DISABLED = "MODULE_DISABLED"
    NOT_FOUND = "NOT_FOUND"
    INVALID_ID = "INVALID_ID"
    PAGINATION_REQUIRED = "PAGINATION_REQUIRED"
    PAGINATION_LIMIT = "PAGINATION_LIMIT"
    INVALID_CURSOR = "INVALID_CURSOR"
    QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
    TOO_MANY_OPERATIONS = "TOO_MANY_OPERATIONS"
    RATE_LIMITED = "RATE_LIMITED"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    BAD_REQUEST = "BAD_REQUEST"
    INVALID_QUERY = "INVALID_QUERY"
    INTERNAL_ERROR = "INTERNAL_ERROR"


def error_type(domain: str, codes: type[graphene.Enum]) -> type[graphene.ObjectType]:
    """The error type of a domain's mutations: {field, code, message}."""
    return type(
        f"{domain}Error",
        (graphene.ObjectType,),
        {
            "field": graphene.String(description="The input field at fault; null for the whole input."),
            "code": graphene.Field(codes, required=True),
            "message": graphene.String(required=True),
            "__doc__": f"Why a {domain} mutation did not happen.",
        },
    )


def errors_from(
    exc: Exception, error_cls, codes: type[graphene.Enum], mapping: dict[str, str] | None = None
) -> list:
    """ValidationError / PermissionDenied as a list of error objects with the domain's codes.

    `mapping` turns Django's error codes (e.g. "duplicate_code") into the domain enum's names.
    """
    mapping = mapping or {}
    known = {member.name for member in codes._meta.enum}

    def code_of(raw: str | None) -> str:
        name = mapping.get(raw or "", (raw or "INVALID").upper())
        return name if name in known else "INVALID"

    if isinstance(exc, PermissionDenied):
        return [
            error_cls(field=None, code=codes.PERMISSION_DENIED.value, message=str(exc) or "Permission denied")
        ]
    errors = []
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, items in exc.error_dict.items():
            for item in items:
                name = None if field == "__all__" else _camel(field)
                errors.append(
                    error_cls(
                        field=name,
                        code=getattr(codes, code_of(item.code)).value,
                        message=" ".join(item.messages),
                    )
                )
    elif isinstance(exc, ValidationError):
        for item in exc.error_list:
            errors.append(
                error_cls(
                    field=None, code=getattr(codes, code_of(item.code)).value, message=" ".join(item.messages)
                )
            )
    return errors


def _camel(name: str) -> str:
    """`area_m2` → `areaM2`; a path keeps its tail (`custom.last_disinfected`: a custom field's key)."""
    base, dot, tail = name.partition(".")
    head, *rest = base.split("_")
    return head + "".join(part.title() for part in rest) + dot + tail
