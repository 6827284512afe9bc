"""Background work of forms: moving submissions to a newer version."""

from datetime import timedelta

from kernel.jobs import tenant_actor
from lowcode.forms import actions
from lowcode.forms.models import VersionMigration


@tenant_actor(
    name="forms.migrate_submissions", queue="default", max_retries=0, time_limit=timedelta(minutes=30)
)
def migrate_submissions(job_id: int) -> None:
    job = VersionMigration.objects.select_related("form", "to_version").filter(pk=job_id).first()
    if job is not None and job.status == VersionMigration.Status.QUEUED:
        actions.run_migration(job)
