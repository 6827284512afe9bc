"""Portal pages: one waiting task, to approve or reject with a comment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lowcode.workflows import actions
from lowcode.workflows.models import Task


@login_required
def task(request, pk):
    found = get_object_or_404(
        Task.objects.select_related("instance__version__workflow", "instance__requester"),
        pk=pk,
        assignee=request.user,
    )
    if request.method == "POST":
        try:
            actions.decide(
                found,
                actor=request.user,
                approve=request.POST.get("decision") == "approve",
                comment=request.POST.get("comment", "")[:2000],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Your decision is recorded."))
            return redirect("portal:my-tasks")
    instance = found.instance
    return render(
        request,
        "lowcode_workflows/task.html",
        {"task": found, "instance": instance, "log": instance.log.select_related("actor").all()},
    )
