"""Personal data encrypted at rest (phone and ID numbers), with key rotation.

FIELD_ENCRYPTION_KEYS is a list of Fernet keys, newest first: values are encrypted with
the first and decrypted with any, so rotation is "put the new key first, run
`manage.py rotate_field_keys`, then drop the old key". FIELD_DIGEST_KEY keys an HMAC
used for equality look-ups (find a user by phone) without decrypting every row.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

TOKEN_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte + timestamp)


@cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty")
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted value cannot be read with the configured FIELD_ENCRYPTION_KEYS "
            "(was a key removed before `rotate_field_keys` ran?)"
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token with the newest key."""
    return fernet().rotate(token.encode()).decode()


def digest(value: str | None) -> str:
    """A keyed hash for equality look-ups; empty for an empty value."""
    if not value:
        return ""
    normalised = "".join(value.split()).upper()
    key = settings.FIELD_DIGEST_KEY.encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """Plain text in Python, a Fernet token in the database (and so in the audit trail)."""

    description = "An encrypted string"

    def __init__(self, *args, max_plain_length: int = 64, **kwargs):
        self.max_plain_length = max_plain_length
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["max_plain_length"] = self.max_plain_length
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)

    def formfield(self, **kwargs):
        from django import forms

        return forms.CharField(max_length=self.max_plain_length, required=not self.blank, **kwargs)

    def get_lookup(self, lookup_name):
        # Ciphertexts of one value differ: equality goes through a digest field instead.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


def encrypted_fields():
    """(model, field) for every encrypted field of every installed model."""
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedCharField)
    ]
