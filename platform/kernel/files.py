"""File storage with a per-tenant prefix, and short-lived signed URLs.

Every stored key starts with `tenants/<schema>/`: the name saved in a FileField is
relative, so the same name read in another tenant resolves under that tenant's prefix
and can never reach this one's file. Local files are the default; S3 (django-storages,
boto3) is used when AWS_STORAGE_BUCKET_NAME is set. Both hand out URLs that expire
(FILE_URL_MAX_AGE): presigned on S3, signed tokens served by `serve_signed_file` here.
"""

from __future__ import annotations

import mimetypes
import posixpath

import filetype
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from storages.backends.s3 import S3Storage

_SIGNING_SALT = "facilis.files"


def tenant_prefix(schema_name: str | None = None) -> str:
    """`tenants/<schema>` for a tenant, `platform` for the public schema."""
    schema = schema_name or getattr(connection, "schema_name", "public")
    return "platform" if schema == "public" else f"tenants/{schema}"


class TenantFileSystemStorage(FileSystemStorage):
    """Local files under MEDIA_ROOT/tenants/<schema>/, served only through signed URLs."""

    @property
    def base_location(self):  # not cached: it follows the current tenant
        root = self._location if self._location is not None else settings.MEDIA_ROOT
        return posixpath.join(str(root), tenant_prefix())

    @property
    def location(self):
        import os

        return os.path.abspath(self.base_location)

    def key(self, name: str) -> str:
        """The object key, as it would be on S3: tenants/<schema>/<name>."""
        return f"{tenant_prefix()}/{name}"

    def url(self, name):
        token = signing.dumps({"s": connection.schema_name, "n": name}, salt=_SIGNING_SALT, compress=True)
        return reverse("kernel-files:signed", kwargs={"token": token})


class TenantS3Storage(S3Storage):
    """S3 keys under <AWS_LOCATION>/tenants/<schema>/; URLs are presigned and expire."""

    @property
    def location(self):
        base = getattr(self, "_base_location", "") or ""
        return posixpath.join(base, tenant_prefix()) if base else tenant_prefix()

    @location.setter
    def location(self, value):
        self._base_location = value

    def key(self, name: str) -> str:
        return self._normalize_name(self._clean_name(name))


def serve_signed_file(request, token: str):
    """Serve a local file for a signed, unexpired token minted in this same tenant."""
    try:
        data = signing.loads(token, salt=_SIGNING_SALT, max_age=settings.FILE_URL_MAX_AGE)
    except signing.BadSignature:
        raise Http404("expired or invalid file link") from None
    if data.get("s") != connection.schema_name:
        raise Http404("file of another tenant")
    from django.core.files.storage import default_storage

    name = data["n"]
    if not default_storage.exists(name):
        raise Http404("no such file")
    content_type, _encoding = mimetypes.guess_type(name)
    response = FileResponse(
        default_storage.open(name, "rb"), content_type=content_type or "application/octet-stream"
    )
    response["Cache-Control"] = "private, max-age=60"
    response["X-Content-Type-Options"] = "nosniff"
    return response


ALLOWED_UPLOAD_TYPES = {
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heic",
    "application/pdf",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


# Formats whose bytes carry no signature: for these alone the file name tells the type.
SIGNATURELESS_TYPES = {"text/csv", "text/plain"}


def validate_upload(uploaded, *, allowed_types: set[str] | None = None) -> str:
    """Refuse files over FILE_UPLOAD_MAX_SIZE or of a type not allowed, with a clear message;
    returns the type the bytes show (not the one the browser claimed)."""
    limit = settings.FILE_UPLOAD_MAX_SIZE
    if uploaded.size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB."),
            code="file_too_large",
            params={"size": round(uploaded.size / 1048576, 1), "limit": round(limit / 1048576)},
        )
    allowed = allowed_types or ALLOWED_UPLOAD_TYPES
    # Trust the bytes, not the browser's claim; text formats have no signature.
    head = uploaded.read(4096)
    uploaded.seek(0)
    kind = filetype.guess(head)
    content_type = kind.mime if kind else mimetypes.guess_type(uploaded.name)[0]
    if kind is None and content_type not in SIGNATURELESS_TYPES:
        content_type = None  # e.g. a page called "report.pdf": its bytes are no PDF
    if content_type not in allowed:
        raise ValidationError(
            _("Files of type %(type)s are not accepted."),
            code="file_type",
            params={"type": content_type or _("unknown")},
        )
    return content_type


# What documents and photos attached to records may be (judged by the bytes), and the extension
# each is stored with: the stored name never keeps the browser's extension, so a PNG called
# "x.html" is never served back as a page.
DOCUMENT_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}


def store_file(uploaded, *, prefix: str, types: dict[str, str] | None = None) -> dict:
    """Check and keep one uploaded file under `prefix` (in the current tenant's storage);
    returns its reference: {"key", "name", "size", "type"}. Refused with a ValidationError
    (file_too_large, file_type) before anything is written."""
    import secrets

    from django.core.files.storage import default_storage

    types = types or DOCUMENT_TYPES
    content_type = validate_upload(uploaded, allowed_types=set(types))
    key = default_storage.save(f"{prefix}{secrets.token_urlsafe(12)}{types[content_type]}", uploaded)
    return {
        "key": key,
        "name": posixpath.basename(uploaded.name or "")[:200],
        "size": uploaded.size,
        "type": content_type,
    }


def discard_files(references) -> None:
    """Remove stored files again (the record they were for was not written)."""
    from django.core.files.storage import default_storage

    for reference in references:
        default_storage.delete(reference["key"])


def delete_tenant_files(schema_name: str, storage=None) -> None:
    """Remove every stored file of a deleted tenant (local folder or S3 prefix)."""
    if storage is None:
        from django.core.files.storage import default_storage as storage

    prefix = tenant_prefix(schema_name)
    if isinstance(storage, TenantS3Storage):
        base = getattr(storage, "_base_location", "") or ""
        key_prefix = posixpath.join(base, prefix) + "/" if base else prefix + "/"
        storage.bucket.objects.filter(Prefix=key_prefix).delete()
    else:
        import shutil
        from pathlib import Path

        root = storage._location if storage._location is not None else settings.MEDIA_ROOT
        shutil.rmtree(Path(root) / prefix, ignore_errors=True)


def branding_storage():
    """Where tenants' logos and favicons live: keyed by the tenant's schema in the file name,
    not by the current schema, so that any context (a job, the operator site) finds them."""
    from django.core.files.storage import FileSystemStorage

    if settings.AWS_STORAGE_BUCKET_NAME:
        return S3Storage(location="branding")
    return FileSystemStorage(location=posixpath.join(str(settings.MEDIA_ROOT), "branding"))


def branding_upload_to(instance, filename: str) -> str:
    import secrets

    extension = posixpath.splitext(filename)[1].lower()[:6]
    return f"{instance.schema_name}/{secrets.token_hex(6)}{extension}"


BRANDING_TYPES = {"image/png", "image/jpeg", "image/webp", "image/x-icon", "image/vnd.microsoft.icon"}
BRANDING_MAX_SIZE = 1024 * 1024
