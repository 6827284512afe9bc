"""The workflow design page: the step-list designer (designer.js, writing the definition into
the JSON text box that is posted) with its checks, publishing, and a dry run ("who would
approve this?") for a chosen requester and sample answers."""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from identity.access import has_code
from identity.models import Department, Role, User, Workgroup
from lowcode.workflows import actions
from lowcode.workflows import definition as defs
from lowcode.workflows.models import WorkflowDefinition


def design(request, pk):
    if not has_code(request.user, "workflows.change"):
        raise PermissionDenied
    workflow = get_object_or_404(WorkflowDefinition.objects.select_related("current_version"), pk=pk)
    draft_text = json.dumps(workflow.draft, ensure_ascii=False, indent=2)
    path, requester, sample_text = None, None, "{}"
    if request.method == "POST":
        draft_text = request.POST.get("draft", "")
        try:
            draft = json.loads(draft_text)
        except ValueError:
            messages.error(request, _("The definition is not valid JSON."))
        else:
            try:
                actions.save_draft(workflow, draft, user=request.user)
                if request.POST.get("then") == "publish":
                    version = actions.publish(workflow, user=request.user)
                    messages.success(request, _("Version %(n)s is published.") % {"n": version.number})
                    return redirect("lowcode_workflows_workflow:design", pk=workflow.pk)
                if request.POST.get("then") == "preview":
                    sample_text = request.POST.get("sample", "{}")
                    requester = User.objects.filter(pk=request.POST.get("requester") or 0).first()
                    sample = json.loads(sample_text or "{}")
                    if not defs.check(draft) and isinstance(sample, dict):
                        path = _named(actions.preview(draft, requester=requester, context=sample))
                else:
                    messages.success(request, _("Draft saved."))
                    return redirect("lowcode_workflows_workflow:design", pk=workflow.pk)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            except ValueError:
                messages.error(request, _("The sample answers are not valid JSON."))
    problems = defs.check(workflow.draft)
    people = list(User.objects.filter(is_active=True).order_by("username")[:500])
    return render(
        request,
        "lowcode_workflows/console/design.html",
        {
            "workflow": workflow,
            "page_title": _("Design: %(name)s") % {"name": workflow.name},
            "draft_text": draft_text,
            "problems": problems,
            "people": people,
            "requester": requester,
            "sample_text": sample_text,
            "path": path,
            "lang": "en" if (get_language() or "").startswith("en") else "zh",
            "choices_json": designer_choices(people),
            "messages_json": designer_messages(),
            "problems_json": [{"where": p.where, "message": str(p.message)} for p in problems],
        },
    )


def designer_choices(people) -> dict:
    """What the designer offers for approvers: this organisation's people, roles, workgroups
    and departments (the request runs in the tenant's schema)."""
    return {
        "people": [{"id": u.pk, "name": u.full_name or u.username, "username": u.username} for u in people],
        "roles": [{"code": r.code, "name": r.display_name} for r in Role.objects.order_by("code")],
        "workgroups": [{"code": w.code, "name": w.display_name} for w in Workgroup.objects.order_by("code")],
        "departments": [
            {"id": d.pk, "name": d.display_name, "depth": d.depth}
            for d in Department.objects.filter(is_active=True).order_by("path")
        ],
    }


def designer_messages() -> dict:
    """The designer's words in the user's language (designer.js has English defaults)."""
    return {
        "addStep": _("Add step"),
        "stepKind": _("Kind of step"),
        "tooManySteps": _("At most 50 steps."),
        "remove": _("Remove"),
        "confirmRemove": _("Click again to remove"),
        "moveUp": _("Move up"),
        "moveDown": _("Move down"),
        "edit": _("Edit"),
        "close": _("Close"),
        "key": _("Step key"),
        "kind": _("Kind of step"),
        "nameZh": _("Name (中文)"),
        "nameEn": _("Name (English)"),
        "badKey": _(
            "Start with a lower-case letter; then lower-case letters, digits or _ (at most 40); not “end”."
        ),
        "duplicateKey": _("Another step already uses this key."),
        "noSteps": _("No steps yet: add the first one below."),
        "malformed": _(
            "The definition in the text box is not valid JSON. The designer waits until it is fixed there."
        ),
        "unknownShape": _(
            "The definition in the text box is not a list of steps. The designer waits until it is fixed there."
        ),
        "notAnObject": _("This step cannot be shown here; fix it in the definition (JSON) or remove it."),
        "unknownKind": _("Unknown kind of step: choose one, or fix it in the definition (JSON)."),
        "notAList": _("This is not a list in the definition (JSON); adding here replaces it."),
        "serverSaid": _("At the last save:"),
        "mode": _("Who must approve"),
        "n": _("N (approvals needed)"),
        "approvers": _("Approvers"),
        "addApprover": _("Add approver"),
        "recipients": _("Recipients"),
        "addRecipient": _("Add recipient"),
        "assignees": _("For whom"),
        "addAssignee": _("Add a person or group"),
        "taskTitleZh": _("Task (中文)"),
        "taskTitleEn": _("Task (English)"),
        "noApprovers": _("Nobody yet: add at least one rule."),
        "approverType": _("Kind of approver"),
        "person": _("Person"),
        "role": _("Role"),
        "workgroup": _("Workgroup"),
        "department": _("Department"),
        "levels": _("Levels up"),
        "levelsHint": _("1 is the head of the requester's own department, 2 the one above, …"),
        "formField": _("Form field (key)"),
        "unknownChoice": _("(unknown)"),
        "notValid": _("(not valid here)"),
        "none": "—",
        "fallback": _("When nobody is found"),
        "onReject": _("When rejected"),
        "toRequester": _("Back to the requester (the workflow ends)"),
        "backTo": _("Back to {step}"),
        "sameStep": _("This step again"),
        "timeLimit": _("Time limit (working hours)"),
        "remindBefore": _("Remind before the limit (working hours)"),
        "onTimeout": _("When the time is up"),
        "ways": _("Ways out"),
        "way": _("Way out {n}"),
        "addWay": _("Add way out"),
        "noWays": _("No way out yet: add one."),
        "when": _("Condition"),
        "goto": _("Then go to"),
        "otherwise": _("Otherwise"),
        "nextStep": _("Go on with the next step ({step})"),
        "nextIsEnd": _("Go on: the end (no later step)"),
        "end": _("The end (finished)"),
        "all": _("all of"),
        "any": _("any of"),
        "addCondition": _("Add condition"),
        "advanced": _("Advanced (JSON)"),
        "invalidJson": _("Not valid JSON: the last valid condition is kept."),
        "complexCondition": _("This condition is too complex for the simple editor."),
        "field": _("Field"),
        "operator": _("Operator"),
        "value": _("Value"),
        "valueHint": _("Numbers are compared as numbers; for “is one of” separate the values with commas."),
        "action": _("Action"),
        "fieldToSet": _("Field to set (key)"),
        "newValue": _("New value"),
        "event": _("Event"),
        "kinds": {
            "approval": _("Approval"),
            "notify": _("Notify"),
            "branch": _("Branch"),
            "action": _("Automatic action"),
        },
        "modes": {
            "one": _("One person (the first found)"),
            "any": _("Any one of them (或签)"),
            "all": _("All of them (会签)"),
            "n_of_m": _("N of them"),
        },
        "approverTypes": {
            "requester_head": _("The requester's head"),
            "role": _("People with a role"),
            "workgroup": _("Members of a workgroup"),
            "user": _("A person"),
            "department": _("Members of a department"),
            "department_head": _("Head of a department"),
            "field": _("A person chosen in a form field"),
            "subject_owner": _("The subject's department head"),
            "previous_choice": _("The person the previous approver named"),
        },
        "fallbacks": {
            "admin": _("Ask the administrators"),
            "skip": _("Skip the step"),
            "fail": _("Stop the workflow"),
        },
        "timeouts": {
            "notify_supervisor": _("Tell the supervisor"),
            "reassign": _("Hand it to an administrator"),
            "approve": _("Approve automatically"),
            "reject": _("Reject automatically"),
        },
        "actions": {
            "set_field": _("Set a field"),
            "emit_event": _("Send an event"),
            "create_task": _("Create a task"),
        },
        "operators": {
            "eq": _("is"),
            "ne": _("is not"),
            "gt": _("is more than"),
            "gte": _("is at least"),
            "lt": _("is less than"),
            "lte": _("is at most"),
            "in": _("is one of"),
            "not_in": _("is none of"),
            "contains": _("contains"),
            "not_contains": _("does not contain"),
            "empty": _("is empty"),
            "not_empty": _("is filled in"),
        },
    }


def _named(path: list[dict]) -> list[dict]:
    ids = {pk for entry in path for pk in entry.get("people", [])}
    names = {u.pk: u.full_name or u.username for u in User.objects.filter(pk__in=ids)}
    return [{**entry, "names": [names.get(pk, f"#{pk}") for pk in entry.get("people", [])]} for entry in path]


def inbox(request):
    """Waiting for me: every approval across modules, newest first, with a count and a filter."""
    from django.core.paginator import Paginator

    from lowcode.workflows import selectors

    kind = request.GET.get("subject", "")
    tasks = selectors.inbox(request.user, subject_type=kind or None)
    page = Paginator(tasks, 25).get_page(request.GET.get("p"))
    kinds = sorted(set(selectors.inbox(request.user).values_list("instance__subject_type", flat=True)))
    return render(
        request,
        "lowcode_workflows/console/inbox.html",
        {
            "page": page,
            "count": page.paginator.count,
            "kinds": kinds,
            "kind": kind,
            "page_title": _("Waiting for me"),
        },
    )


class CopyForm(forms.Form):
    code = forms.SlugField(label=_lazy("code"), max_length=50)
    name = forms.CharField(label=_lazy("name"), max_length=200)
    name_en = forms.CharField(label=_lazy("English name"), max_length=200, required=False)


def copy(request, pk):
    """Adopt a workflow (e.g. a seed template) as a new, unpublished one to change."""
    if not has_code(request.user, "workflows.add"):
        raise PermissionDenied
    source = get_object_or_404(WorkflowDefinition.objects.select_related("current_version"), pk=pk)
    form = CopyForm(
        request.POST or None,
        initial={"code": f"{source.code}-copy"[:50], "name": _("%(name)s (copy)") % {"name": source.name}},
    )
    if request.method == "POST" and form.is_valid():
        try:
            made = actions.copy_workflow(source, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Copied. Change the steps, then publish."))
            return redirect("lowcode_workflows_workflow:design", pk=made.pk)
    return render(
        request,
        "lowcode_workflows/console/copy.html",
        {"form": form, "source": source, "page_title": _("Copy: %(name)s") % {"name": source.name}},
    )
