"""The nightly reconcile of the HQ rollups, per organisation with work orders on."""

from datetime import timedelta

from django.db import connection

from kernel.jobs import tenant_actor


@tenant_actor(
    name="analytics.reconcile_workorders", queue="default", max_retries=3, time_limit=timedelta(hours=1)
)
def reconcile_workorders() -> None:
    from analytics import rollups
    from tenants.models import Tenant

    tenant = Tenant.objects.filter(schema_name=connection.schema_name).first()
    if tenant is not None:
        rollups.reconcile(tenant)
