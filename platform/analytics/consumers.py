"""Incremental rollups: each change of a work order refreshes its day's cells."""

from django.db import connection

from kernel import outbox


@outbox.consumer("analytics-workorders", topics=["workorders.order.*"])
def refresh_order_day(event) -> None:
    from analytics import rollups
    from modules.workorders.models import WorkOrder
    from tenants.models import Tenant

    tenant = Tenant.objects.filter(schema_name=connection.schema_name).first()
    submitted = (
        WorkOrder.objects.filter(pk=event.payload.get("id")).values_list("submitted_at", flat=True).first()
    )
    if tenant is None or submitted is None:
        return
    rollups.refresh(tenant, {rollups.day_of(tenant, submitted)})
