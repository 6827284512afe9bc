"""The workflow design page: the step list as JSON with its checks, publishing, and a dry run
("who would approve this?") for a chosen requester and sample answers."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from identity.access import has_code
from identity.models import User
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
    return render(
        request,
        "lowcode_workflows/console/design.html",
        {
            "workflow": workflow,
            "page_title": _("Design: %(name)s") % {"name": workflow.name},
            "draft_text": draft_text,
            "problems": problems,
            "people": User.objects.filter(is_active=True).order_by("username")[:500],
            "requester": requester,
            "sample_text": sample_text,
            "path": path,
        },
    )


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
