"""Portal pages: one waiting task (approve, reject, ask; a comment and attachments), one
request (history, comments, withdraw, urge), and out of office."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from identity.models import User
from lowcode.workflows import actions, selectors
from lowcode.workflows.models import Delegation, Instance, Task, WorkflowDefinition


def _refusal_messages(request, exc) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for errors in exc.message_dict.values():
            for message in errors:
                messages.error(request, message)
    else:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def task(request, pk):
    found = get_object_or_404(
        Task.objects.select_related("instance__version__workflow", "instance__requester"),
        pk=pk,
        assignee=request.user,
    )
    if request.method == "POST":
        decision, comment = request.POST.get("decision"), request.POST.get("comment", "")[:2000]

        def act(attachments):
            if found.kind == Task.Kind.TODO:
                return actions.finish_todo(found, actor=request.user, comment=comment)
            if found.kind == Task.Kind.RESPOND:
                return actions.respond(found, actor=request.user, comment=comment, attachments=attachments)
            if decision in ("signer", "hand_over"):
                person = _int(request.POST.get("person"))
                if person is None:
                    raise ValidationError(
                        {"person": ValidationError(_("Choose a colleague."), code="required")}
                    )
                if decision == "hand_over":
                    return actions.delegate(found, actor=request.user, to=person, comment=comment)
                return actions.add_signer(
                    found,
                    actor=request.user,
                    person=person,
                    comment=comment,
                    position=request.POST.get("position", "before"),
                )
            if decision == "return":
                return actions.return_for_information(
                    found, actor=request.user, comment=comment, attachments=attachments
                )
            return actions.decide(
                found,
                actor=request.user,
                approve=decision == "approve",
                comment=comment,
                attachments=attachments,
            )

        try:
            actions.with_attachments(request.FILES.getlist("files"), actor=request.user, then=act)
        except (ValidationError, PermissionDenied) as exc:
            _refusal_messages(request, exc)
        else:
            messages.success(request, _("Your decision is recorded."))
            return redirect("portal:my-tasks")
    instance = found.instance
    return render(
        request,
        "lowcode_workflows/task.html",
        {
            "task": found,
            "instance": instance,
            "log": selectors.history(instance),
            "max_files": actions.MAX_ATTACHMENTS,
            "colleagues": User.objects.filter(is_active=True)
            .exclude(pk=request.user.pk)
            .order_by("username")[:500],
            "todo": actions.todo_title(found, request.LANGUAGE_CODE or "zh")
            if found.kind == Task.Kind.TODO
            else "",
        },
    )


@login_required
def request_page(request, pk):
    """One request as its requester and everyone taking part see it: where it stands, the
    history with attachments, a comment box; withdraw and urge for the requester."""
    instance = get_object_or_404(Instance.objects.select_related("version__workflow", "requester"), pk=pk)
    if not actions.involved(instance, request.user):
        raise Http404
    if request.method == "POST":
        what = request.POST.get("do")
        try:
            if what == "withdraw":
                actions.withdraw(instance, actor=request.user)
                messages.success(request, _("The request is withdrawn."))
            elif what == "urge":
                count = actions.urge(instance, actor=request.user)
                messages.success(request, _("Reminder sent to %(n)s people.") % {"n": count})
            else:
                text = request.POST.get("comment", "")[:2000]
                actions.with_attachments(
                    request.FILES.getlist("files"),
                    actor=request.user,
                    then=lambda refs: actions.comment(
                        instance, actor=request.user, text=text, attachments=refs
                    ),
                )
                messages.success(request, _("Your comment is added."))
        except (ValidationError, PermissionDenied) as exc:
            _refusal_messages(request, exc)
        else:
            return redirect("workflows:request", pk=instance.pk)
        instance.refresh_from_db()
    waiting = instance.tasks.filter(status=Task.Status.PENDING).select_related("assignee")
    mine = waiting.filter(assignee=request.user).first()
    return render(
        request,
        "lowcode_workflows/request.html",
        {
            "instance": instance,
            "log": selectors.history(instance),
            "waiting": waiting,
            "my_task": mine,
            "is_requester": instance.requester_id == request.user.pk,
            "max_files": actions.MAX_ATTACHMENTS,
        },
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
