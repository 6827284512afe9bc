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
        decision, comment = request.POST.get("decision"), request.POST.get("comment", "")[:2000]
        try:
            if found.kind == Task.Kind.RESPOND:
                actions.respond(found, actor=request.user, comment=comment)
            elif decision == "return":
                actions.return_for_information(found, actor=request.user, comment=comment)
            else:
                actions.decide(found, actor=request.user, approve=decision == "approve", comment=comment)
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
