"""Background work of imports: the dry run, and the application once confirmed."""

from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from identity import importer
from identity.models import ImportJob
from kernel import audit
from kernel.jobs import tenant_actor
from kernel.models import AuditAction


def progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def _read(job: ImportJob) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


def check(job: ImportJob) -> ImportJob:
    try:
        plan = importer.plan_file(job.kind, _read(job), job.filename)
    except importer.ImportFileError as exc:
        job.status, job.message, job.total_rows = ImportJob.Status.INVALID, str(exc), 0
    else:
        job.total_rows = plan.total
        job.errors = [{"row": e.row, "messages": e.messages} for e in plan.errors]
        job.status = ImportJob.Status.CHECKED if plan.ok else ImportJob.Status.INVALID
        job.summary = {"creates": len(plan.creates), "updates": len(plan.updates)}
        if plan.total == 0:
            job.message = "The file has no rows."
    job.save(update_fields=["status", "message", "total_rows", "errors", "summary"])
    return job


def apply(job: ImportJob) -> ImportJob:
    """All rows or none; on success the file is deleted and the import is in the audit trail."""
    actor = job.created_by
    try:
        plan, result = importer.apply_file(
            job.kind,
            _read(job),
            job.filename,
            actor=actor,
            progress=lambda n: cache.set(progress_key(job.pk), n, timeout=3600),
        )
    except importer.ImportFileError as exc:
        plan, result = None, None
        job.message = str(exc)
    if result is None:
        job.status = ImportJob.Status.FAILED
        if plan is not None:
            job.errors = [{"row": e.row, "messages": e.messages} for e in plan.errors]
    else:
        job.status, job.summary = ImportJob.Status.DONE, result
        with transaction.atomic():
            audit.record(
                AuditAction.IMPORT,
                actor=actor,
                table=f"identity_{job.kind}",
                object_id=job.pk,
                detail={"file": job.filename, **result},
            )
        job.file.delete(save=False)
    job.finished_at = timezone.now()
    job.save()
    return job


@tenant_actor(name="identity.check_import", queue="default", max_retries=0, time_limit=timedelta(minutes=10))
def check_import(job_id: int) -> None:
    check(ImportJob.objects.get(pk=job_id))


@tenant_actor(name="identity.apply_import", queue="default", max_retries=0, time_limit=timedelta(minutes=30))
def apply_import(job_id: int) -> None:
    apply(ImportJob.objects.select_related("created_by").get(pk=job_id))
