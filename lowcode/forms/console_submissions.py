"""Console: submissions of a form — filters on any of its fields, detail, export to XLSX/CSV.

A list shows one form at a time (its current version's fields are the columns and the
filters); each submission is displayed with the version it was made with.
"""

from __future__ import annotations

import tablib
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from identity.access import has_code
from lowcode.forms import actions, selectors
from lowcode.forms.definition import text_in
from lowcode.forms.display import blocks
from lowcode.forms.models import FormDefinition

PAGE = 25
EXPORT_LIMIT = 50_000


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def _listing(request):
    if not has_code(request.user, "forms.view"):
        raise PermissionDenied
    forms = list(
        FormDefinition.objects.filter(kind=FormDefinition.Kind.FORM, current_version__isnull=False)
        .select_related("current_version")
        .order_by("code")
    )
    chosen = None
    wanted = request.GET.get("form", "")
    for form in forms:
        if str(form.pk) == wanted:
            chosen = form
    if chosen is None and forms:
        chosen = forms[0]
    if chosen is None:
        return forms, None, None, {}, selectors.visible_submissions(request.user).none()
    rules = actions.compiled(chosen.current_version)
    filters = {key[2:]: value for key, value in request.GET.items() if key.startswith("f.") and value.strip()}
    rows = selectors.visible_submissions(request.user).filter(form=chosen)
    rows = selectors.filter_by_answers(rows, rules, filters)
    if request.GET.get("from"):
        rows = rows.filter(submitted_at__date__gte=request.GET["from"])
    if request.GET.get("to"):
        rows = rows.filter(submitted_at__date__lte=request.GET["to"])
    rows = rows.order_by("-submitted_at", "-pk")
    return forms, chosen, rules, filters, rows


def submission_list(request):
    forms, chosen, rules, filters, rows = _listing(request)
    lang = _lang()
    columns, filter_fields = [], []
    if rules is not None:
        simple = [f for f in rules.fields if f.type not in ("table", "file", "textarea")]
        columns = [(f.key, f.label(lang)) for f in simple[:6]]
        filter_fields = [
            {
                "key": f.key,
                "label": f.label(lang),
                "type": f.type,
                "value": filters.get(f.key, ""),
                "options": [(o["value"], text_in(o.get("label"), lang)) for o in f.spec.get("options") or []],
            }
            for f in rules.fields
            if f.type not in ("table", "file")
        ]
    page = Paginator(rows, PAGE).get_page(request.GET.get("p"))
    table = []
    for submission in page:
        shown = {
            row.key: row.text
            for block in blocks(submission.version.definition, submission.data, lang, with_urls=False)
            for row in block.rows
        }
        table.append((submission, [shown.get(key, "") for key, _label in columns]))
    query = request.GET.copy()
    query.pop("p", None)
    return render(
        request,
        "lowcode_forms/console/submissions.html",
        {
            "page_title": _("Submissions"),
            "forms": [(f, text_in({"zh": f.name, "en": f.name_en}, lang)) for f in forms],
            "chosen": chosen,
            "columns": columns,
            "filter_fields": filter_fields,
            "table": table,
            "page": page,
            "count": page.paginator.count,
            "query": query.urlencode(),
        },
    )


def submission_detail(request, pk):
    if not has_code(request.user, "forms.view"):
        raise PermissionDenied
    submission = selectors.visible_submissions(request.user).filter(pk=pk).first()
    if submission is None:
        raise Http404
    lang = _lang()
    return render(
        request,
        "lowcode_forms/console/submission.html",
        {
            "page_title": f"{text_in({'zh': submission.form.name, 'en': submission.form.name_en}, lang)} #{submission.pk}",
            "submission": submission,
            "blocks": blocks(submission.version.definition, submission.data, lang),
        },
    )


def submission_export(request, fmt):
    if fmt not in ("xlsx", "csv"):
        raise Http404
    forms, chosen, rules, filters, rows = _listing(request)
    if chosen is None:
        raise Http404
    lang = _lang()
    # Columns: every field any version of this form has had, in the order they appeared;
    # each row is read with its own version's labels and types.
    order: dict[str, str] = {}
    for version in chosen.versions.order_by("-number"):
        for section in version.definition.get("sections") or []:
            for spec in section.get("fields") or []:
                order.setdefault(spec["key"], text_in(spec.get("label"), lang) or spec["key"])
    headers = [_("Number"), _("Submitted at"), _("Submitted by"), _("Version"), *order.values()]
    data = tablib.Dataset(headers=headers, title=chosen.code[:31])
    for submission in rows.select_related("submitter")[:EXPORT_LIMIT]:
        shown = {
            row.key: row.text
            for block in blocks(submission.version.definition, submission.data, lang, with_urls=False)
            for row in block.rows
        }
        data.append(
            [
                submission.pk,
                submission.submitted_at.strftime("%Y-%m-%d %H:%M") if submission.submitted_at else "",
                (submission.submitter.full_name or submission.submitter.username)
                if submission.submitter
                else "",
                submission.version.number,
                *[_safe_cell(shown.get(key, "")) for key in order],
            ]
        )
    if fmt == "csv":
        response = HttpResponse(
            ("\ufeff" + data.export("csv")).encode(), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            data.export("xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{chosen.code}-submissions.{fmt}"'
    return response


def _safe_cell(text: str) -> str:
    """Answers that a spreadsheet would run as formulas are written as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
