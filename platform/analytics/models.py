"""Rollups of tenants' records, kept in the public schema for group headquarters.

One row per tenant × day (the organisation's local date of submission) × trade × priority,
with counts, sums and the response and resolution durations themselves (so medians and
percentiles over any set of subsidiaries and months are exact, not estimated). A row is
always recomputed whole from the tenant's own orders (`rollups.refresh`), so the figures
equal what the subsidiary's own reports show.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models


class WorkOrderRollup(models.Model):
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    trade = models.CharField(max_length=40)
    priority = models.CharField(max_length=10)
    orders = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    responded_in_time = models.PositiveIntegerField(default=0)
    resolved_in_time = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    response_minutes = ArrayField(models.FloatField(), default=list)
    resolution_minutes = ArrayField(models.FloatField(), default=list)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day", "trade", "priority"], name="wo_rollup_cell")
        ]
        indexes = [models.Index(fields=["day", "tenant"], name="wo_rollup_day")]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.day} {self.trade}/{self.priority}"
