"""Console: submissions of a form — filters on any of its fields, detail, export to XLSX/CSV.

A list shows one form at a time (its current version's fields are the columns and the
filters); each submission is displayed with the version it was made with.
"""

from __future__ import annotations

import tablib
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from identity.access import has_code
from lowcode.forms import actions, selectors
from lowcode.forms.definition import text_in
from lowcode.forms.display import blocks, names_in
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
        return forms, None, None, {}, None, None
    rules = actions.compiled(chosen.current_version)
    filters = {key[2:]: value for key, value in request.GET.items() if key.startswith("f.") and value.strip()}
    # `rows`: list rows of the form's submissions the user may see, within the dates;
    # `condition`: the filters on answers.
    rows = selectors.listed(
        request.user, chosen, since=_day(request.GET.get("from")), until=_day(request.GET.get("to"))
    )
    return forms, chosen, rules, filters, rows, selectors.answer_condition(rules, filters)


class _Page:
    """What the template needs of a page, with the count taken once (selectors.page_and_count)."""

    def __init__(self, items, number, count):
        self.object_list, self.number, self.count = items, number, count
        self.num_pages = max(1, -(-count // PAGE))
        self.paginator = self

    def __iter__(self):
        return iter(self.object_list)

    def has_other_pages(self):
        return self.num_pages > 1

    def has_previous(self):
        return self.number > 1

    def has_next(self):
        return self.number < self.num_pages

    def previous_page_number(self):
        return self.number - 1

    def next_page_number(self):
        return self.number + 1


def _page(rows, condition, wanted) -> _Page:
    number = int(wanted) if str(wanted or "").isascii() and str(wanted or "").isdigit() else 1
    items, count = selectors.page_and_count(rows, condition, offset=0, size=PAGE)
    last = max(1, -(-count // PAGE))
    number = min(max(number, 1), last)
    if number > 1:
        items, count = selectors.page_and_count(rows, condition, offset=(number - 1) * PAGE, size=PAGE)
    return _Page(items, number, count)


def _day(text):
    """A YYYY-MM-DD date from a filter box; anything else is ignored."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text) if text and len(text) == 10 else None
    except ValueError:
        return None


def submission_list(request):
    forms, chosen, rules, filters, rows, condition = _listing(request)
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
    page = _page(rows, condition, request.GET.get("p")) if rows is not None else _Page([], 1, 0)
    table = []
    names = names_in([(s.version.definition, s.data) for s in page])
    for submission in page:
        shown = _shown(submission, lang, names)
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
    forms, chosen, rules, filters, rows, condition = _listing(request)
    if chosen is None:
        raise Http404
    rows = selectors.matching_submissions(rows, condition)
    lang = _lang()
    # Columns: every field any version of this form has had, in the order they appeared;
    # each row is read with its own version's labels and types.
    order: dict[str, str] = {}
    for version in chosen.versions.order_by("-number"):
        for section in version.definition.get("sections") or []:
            for spec in section.get("fields") or []:
                order.setdefault(spec["key"], text_in(spec.get("label"), lang) or spec["key"])
    headers = [
        _safe_cell(str(h))
        for h in (_("Number"), _("Submitted at"), _("Submitted by"), _("Version"), *order.values())
    ]
    data = tablib.Dataset(headers=headers, title=chosen.code[:31])
    selected = list(rows.select_related("submitter", "version")[:EXPORT_LIMIT])
    for start in range(0, len(selected), 1000):
        chunk = selected[start : start + 1000]
        names = names_in([(s.version.definition, s.data) for s in chunk])
        for submission in chunk:
            shown = _shown(submission, lang, names)
            who = submission.submitter
            data.append(
                [
                    submission.pk,
                    submission.submitted_at.strftime("%Y-%m-%d %H:%M") if submission.submitted_at else "",
                    _safe_cell((who.full_name or who.username) if who else ""),
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


def _shown(submission, lang: str, names: dict) -> dict[str, str]:
    """Field key → the answer as text, read with the submission's own version."""
    return {
        row.key: row.text
        for block in blocks(
            submission.version.definition, submission.data, lang, with_urls=False, names=names
        )
        for row in block.rows
    }


def _safe_cell(text: str) -> str:
    """Text that a spreadsheet would run as a formula is written as text (OWASP: CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
