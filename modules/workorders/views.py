"""Portal pages of work orders."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from identity.access import restrict
from modules.workorders import actions, selectors
from modules.workorders.models import WorkOrder


def visible_to(order: WorkOrder, user) -> bool:
    """The reporter, the worker (or their team's queue), and whoever's role scope reaches it."""
    if order.reporter_id == user.pk or actions.can_work_on(order, user):
        return True
    return restrict(WorkOrder.objects.filter(pk=order.pk), user, "view").exists()


@login_required
def detail(request, pk):
    order = get_object_or_404(selectors.orders(), pk=pk)
    if not visible_to(order, request.user):
        raise Http404
    return render(
        request,
        "workorders/detail.html",
        {"order": order, "timeline": selectors.timeline(order), "photos": order.photos.all()},
    )
