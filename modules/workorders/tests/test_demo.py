"""The demo data: a year of history and an open order in every state, seeded twice."""

import pytest
from django.db.models import Count

from modules.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def test_demo_orders_cover_every_state_and_a_year(tenants, in_tenant, wo):
    from identity import demo as identity_demo
    from modules.inventory import demo as inventory_demo
    from modules.spaces import demo as spaces_demo
    from modules.workorders import demo

    with in_tenant(tenants.a):
        for seed in (spaces_demo.seed, identity_demo.seed, inventory_demo.seed, demo.seed):
            seed(tenants.a)
        count = WorkOrder.objects.count()
        demo.seed(tenants.a)  # idempotent
        assert WorkOrder.objects.count() == count and count >= 300
        states = dict(WorkOrder.objects.values_list("status").annotate(n=Count("pk")))
        assert set(states) == set(WorkOrder.Status.values), states
        months = WorkOrder.objects.dates("submitted_at", "month")
        assert len(months) >= 12
        from analytics.models import WorkOrderRollup

        rolled = sum(WorkOrderRollup.objects.filter(tenant=tenants.a).values_list("orders", flat=True))
        assert rolled == WorkOrder.objects.count()  # the HQ sees the demo history too
        closed = WorkOrder.objects.filter(status="closed").first()
        assert closed.events.filter(kind="completed").exists() and closed.total_cost > 0
