"""Portal pages: one waiting task, to approve or reject with a comment."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lowcode.workflows import actions
from lowcode.workflows.models import Delegation, Task, WorkflowDefinition


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


class AwayForm(forms.ModelForm):
    class Meta:
        model = Delegation
        fields = ["delegate", "starts_on", "ends_on", "workflows"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    workflows = forms.MultipleChoiceField(required=False, label=_("Only these workflows (none: all)"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from identity.models import User

        self.fields["delegate"].queryset = (
            User.objects.filter(is_active=True).exclude(pk=user.pk).order_by("username")
        )
        self.fields["delegate"].label = _("Colleague who decides for me")
        self.fields["workflows"].choices = list(WorkflowDefinition.objects.values_list("code", "name"))


@login_required
def away(request):
    """Out of office: my delegations, and a form to add one."""
    form = AwayForm(request.POST or None, user=request.user)
    if request.method == "POST" and request.POST.get("end"):
        found = get_object_or_404(Delegation, pk=request.POST["end"], delegator=request.user)
        actions.end_away(found, actor=request.user)
        messages.success(request, _("Delegation ended."))
        return redirect("workflows:away")
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_away(form.save(commit=False), actor=request.user)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Your approvals will go to your colleague on those days."))
            return redirect("workflows:away")
    mine = Delegation.objects.filter(delegator=request.user).select_related("delegate")
    return render(request, "lowcode_workflows/away.html", {"form": form, "mine": mine})
