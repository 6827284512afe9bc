"""Portal pages: the open forms, filling one in (with draft save), and one's own submissions."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lowcode.forms import actions, selectors
from lowcode.forms.definition import text_in
from lowcode.forms.display import blocks
from lowcode.forms.models import Submission
from lowcode.workflows.selectors import latest_request


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def reference_choices(definition: dict) -> dict:
    """Lists for the person, department and room pickers the definition uses."""
    from identity.models import Department, User
    from modules.spaces.models import Room

    kinds = set()
    for section in definition.get("sections") or []:
        for spec in section.get("fields") or []:
            kinds.add(spec.get("type"))
            kinds.update(c.get("type") for c in spec.get("columns") or [])
    refs = {}
    if "department" in kinds:
        refs["department"] = [
            {"id": pk, "label": name} for pk, name in Department.objects.values_list("pk", "name")
        ]
    if "room" in kinds:
        refs["room"] = [
            {"id": r.pk, "label": f"{r.floor.building.code}-{r.floor.code}-{r.code} {r.name}"}
            for r in Room.objects.filter(is_active=True).select_related("floor__building")[:5000]
        ]
    if "user" in kinds:
        refs["user"] = [
            {"id": pk, "label": name or username}
            for pk, name, username in User.objects.filter(is_active=True).values_list(
                "pk", "full_name", "username"
            )[:5000]
        ]
    return refs


@login_required
def index(request):
    lang = _lang()
    forms = [
        {"form": f, "name": text_in({"zh": f.name, "en": f.name_en}, lang)} for f in selectors.open_forms()
    ]
    return render(request, "lowcode_forms/portal/index.html", {"forms": forms})


@login_required
def fill(request, code):
    form = get_object_or_404(selectors.open_forms(), code=code)
    draft = None
    if request.GET.get("draft") or request.POST.get("draft_id"):
        draft_id = request.POST.get("draft_id") or request.GET.get("draft")
        draft = get_object_or_404(
            Submission,
            pk=int(draft_id) if str(draft_id).isdigit() else 0,
            submitter=request.user,
            status=Submission.Status.DRAFT,
            form=form,
        )
    values, errors, status = (draft.data if draft else {}), {}, 200
    if request.method == "POST":
        try:
            values = json.loads(request.POST.get("answers") or "{}")
        except ValueError:
            values = {}
        try:
            if request.POST.get("action") == "draft":
                draft = actions.save_submission_draft(form, values, user=request.user, submission=draft)
                return redirect(
                    f"{reverse('forms:fill', kwargs={'code': form.code})}?draft={draft.pk}&saved=1"
                )
            submission = actions.submit(form, values, user=request.user, lang=_lang(), submission=draft)
            return redirect("forms:submission", pk=submission.pk)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {
                    key: [{"code": e.code, "message": " ".join(e.messages)} for e in items]
                    for key, items in exc.error_dict.items()
                }
            else:
                errors = {"__all__": [{"code": exc.code, "message": " ".join(exc.messages)}]}
            status = 400
    definition = form.current_version.definition
    config = {
        "definition": definition,
        "values": values,
        "errors": errors,
        "lang": _lang(),
        "refs": reference_choices(definition),
        "uploadUrl": reverse("forms:upload"),
        "readOnly": False,
    }
    return render(
        request,
        "lowcode_forms/portal/fill.html",
        {
            "form": form,
            "name": text_in({"zh": form.name, "en": form.name_en}, _lang()),
            "config": config,
            "draft": draft,
            "saved": request.GET.get("saved") == "1",
            "form_errors": errors.get("__all__", []),
            "error_count": len(errors),
        },
        status=status,
    )


@login_required
@require_POST
def upload(request):
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return JsonResponse({"error": _("Choose a file.")}, status=400)
    try:
        return JsonResponse(actions.store_upload(uploaded, user=request.user))
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    except PermissionDenied:
        return JsonResponse({"error": _("Sign in to upload.")}, status=403)


@login_required
def mine(request):
    lang = _lang()
    rows = [
        {"submission": s, "name": text_in({"zh": s.form.name, "en": s.form.name_en}, lang)}
        for s in selectors.mine(request.user)[:200]
    ]
    return render(request, "lowcode_forms/portal/mine.html", {"rows": rows})


@login_required
def submission(request, pk):
    submission = get_object_or_404(
        Submission.objects.select_related("form", "version"), pk=pk, submitter=request.user
    )
    if submission.status == Submission.Status.DRAFT:
        if not submission.form.is_open:
            raise Http404
        return redirect(
            f"{reverse('forms:fill', kwargs={'code': submission.form.code})}?draft={submission.pk}"
        )
    lang = _lang()
    return render(
        request,
        "lowcode_forms/portal/submission.html",
        {
            "submission": submission,
            "name": text_in({"zh": submission.form.name, "en": submission.form.name_en}, lang),
            "blocks": blocks(submission.version.definition, submission.data, lang),
            "approval": latest_request("forms.submission", submission.pk) if submission.approval else None,
        },
    )
