"""Console screens of forms beyond the definition list: the designer, publishing with its
impact, versions, moving submissions to a new version, and submissions (list, detail, export)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.access import has_code
from lowcode.forms import actions
from lowcode.forms import definition as defs
from lowcode.forms.models import FormDefinition, VersionMigration


def _form_or_404(request, pk, code="forms.change") -> FormDefinition:
    if not has_code(request.user, code):
        raise PermissionDenied
    return get_object_or_404(FormDefinition.objects.select_related("current_version"), pk=pk)


def designer_messages() -> dict:
    """The designer's words in the user's language (designer.js has English defaults)."""
    return {
        "addSection": _("Add section"),
        "addField": _("Add field"),
        "remove": _("Remove"),
        "moveUp": _("Move up"),
        "moveDown": _("Move down"),
        "key": _("Key"),
        "labelZh": _("Label (中文)"),
        "labelEn": _("Label (English)"),
        "helpZh": _("Help text (中文)"),
        "helpEn": _("Help text (English)"),
        "placeholderZh": _("Placeholder (中文)"),
        "placeholderEn": _("Placeholder (English)"),
        "default": _("Default"),
        "required": _("Required"),
        "min": _("Minimum"),
        "max": _("Maximum"),
        "minLength": _("Minimum length"),
        "maxLength": _("Maximum length"),
        "pattern": _("Pattern (regular expression)"),
        "options": _("Options"),
        "addOption": _("Add option"),
        "columns": _("Columns"),
        "addColumn": _("Add column"),
        "visibleWhen": _("Show only when"),
        "requiredWhen": _("Required when"),
        "all": _("all of"),
        "any": _("any of"),
        "addCondition": _("Add condition"),
        "advanced": _("Advanced (JSON)"),
        "preview": _("Preview"),
        "sectionTitleZh": _("Section title (中文)"),
        "sectionTitleEn": _("Section title (English)"),
        "assetLater": _("Asset fields arrive with the assets module."),
        "confirmRemove": _("Click again to remove"),
        "drag": _("Drag to move"),
        "edit": _("Edit"),
        "close": _("Close"),
        "type": _("Type"),
        "field": _("Field"),
        "operator": _("Operator"),
        "minSelections": _("Minimum selections"),
        "maxSelections": _("Maximum selections"),
        "minRows": _("Minimum rows"),
        "maxRows": _("Maximum rows"),
        "maxFiles": _("Maximum files"),
        "patternUnreadable": _("The browser cannot check this pattern; the server will."),
        "optionValue": _("Value"),
        "always": _("No condition"),
        "invalidJson": _("Not valid JSON: the last valid condition is kept."),
        "noEarlierFields": _("A condition can only use fields above this one."),
        "notEarlier": _("(not above this one)"),
        "notAllowed": _("(not allowed)"),
        "value": _("Value"),
        "addValue": _("Add value"),
        "yes": _("Yes"),
        "no": _("No"),
        "previewFailed": _("The preview cannot show this definition."),
        "section": _("Section"),
        "sectionKey": _("Section key"),
        "removeSection": _("Remove section"),
        "noFields": _("No fields yet."),
        "fieldType": _("Field type"),
        "badKey": _("Start with a lower-case letter; then lower-case letters, digits or _ (at most 40)."),
        "duplicateKey": _("Another field already uses this key."),
        "malformed": _("The definition in the text box is not valid JSON; fix it there or start again here."),
        "types": {key: str(label) for key, label in defs.FIELD_TYPES.items()},
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


def design(request, pk):
    form = _form_or_404(request, pk)
    problems: list = []
    if request.method == "POST":
        try:
            draft = json.loads(request.POST.get("draft") or "")
        except ValueError:
            messages.error(request, _("The definition is malformed."))
        else:
            try:
                problems = actions.save_draft(form, draft, user=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                if request.POST.get("then") == "publish":
                    return redirect("lowcode_forms_form:publish", pk=form.pk)
                messages.success(request, _("Draft saved."))
                return redirect("lowcode_forms_form:design", pk=form.pk)
    else:
        problems = actions.publish_problems(form)
    lang = "en" if (get_language() or "").startswith("en") else "zh"
    return render(
        request,
        "lowcode_forms/console/design.html",
        {
            "form": form,
            "page_title": _("Design: %(name)s") % {"name": form.display_name},
            "draft_json": json.dumps(form.draft, ensure_ascii=False, indent=1),
            "messages_json": designer_messages(),
            "lang": lang,
            "problems": problems,
        },
    )


def publish(request, pk):
    """GET: what publishing the draft would do; POST: publish."""
    form = _form_or_404(request, pk)
    problems = actions.publish_problems(form)
    impact = actions.publish_impact(form)
    if request.method == "POST":
        try:
            version = actions.publish(form, user=request.user, note=request.POST.get("note", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("lowcode_forms_form:publish", pk=form.pk)
        messages.success(request, _("Version %(n)s is published.") % {"n": version.number})
        return redirect("lowcode_forms_form:versions", pk=form.pk)
    return render(
        request,
        "lowcode_forms/console/publish.html",
        {
            "form": form,
            "page_title": _("Publish: %(name)s") % {"name": form.display_name},
            "problems": problems,
            "impact": impact,
            "unchanged": form.current_version is not None and form.current_version.definition == form.draft,
        },
    )


def versions(request, pk):
    form = _form_or_404(request, pk, "forms.view")
    rows = form.versions.select_related("published_by").all()
    counts = {}
    for version_id in form.submissions.values_list("version_id", flat=True):
        counts[version_id] = counts.get(version_id, 0) + 1
    return render(
        request,
        "lowcode_forms/console/versions.html",
        {
            "form": form,
            "page_title": _("Versions: %(name)s") % {"name": form.display_name},
            "rows": [(v, counts.get(v.pk, 0)) for v in rows],
            "older": sum(n for vid, n in counts.items() if vid != form.current_version_id),
            "migrations": form.migrations.all()[:10],
        },
    )


@require_POST
def migrate(request, pk):
    form = _form_or_404(request, pk)
    try:
        job = actions.start_migration(form, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("lowcode_forms_form:versions", pk=form.pk)
    return redirect("lowcode_forms_form:migration", pk=job.pk)


def migration_detail(request, pk):
    if not has_code(request.user, "forms.change"):
        raise PermissionDenied
    job = get_object_or_404(VersionMigration.objects.select_related("form", "to_version"), pk=pk)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse(
            {
                "status": job.status,
                "total": job.total,
                "done": job.done,
                "migrated": job.migrated,
                "failed": job.failed,
            }
        )
    return render(
        request,
        "lowcode_forms/console/migration.html",
        {
            "job": job,
            "page_title": _("Moving submissions to version %(n)s") % {"n": job.to_version.number},
            "status_url": reverse("lowcode_forms_form:migration", kwargs={"pk": job.pk}),
        },
    )
