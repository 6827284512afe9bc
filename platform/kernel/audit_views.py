"""The audit trail in the console: filter by actor, object, time and action; export as CSV."""

import csv

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel import audit
from kernel.models import AuditAction, AuditEntry


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=gettext_lazy("Actor"), required=False)
    table = forms.CharField(label=gettext_lazy("Table"), required=False)
    object_id = forms.CharField(label=gettext_lazy("Object id"), required=False)
    action = forms.ChoiceField(
        label=gettext_lazy("Action"), required=False, choices=[("", "—"), *AuditAction.choices]
    )
    since = forms.DateTimeField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    until = forms.DateTimeField(
        label=gettext_lazy("Until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["actor"]:
            value = data["actor"].strip()
            queryset = (
                queryset.filter(actor_id=int(value))
                if value.isdigit()
                else queryset.filter(actor_label__icontains=value)
            )
        if data["table"]:
            queryset = queryset.filter(table_name=data["table"].strip())
        if data["object_id"]:
            queryset = queryset.filter(object_id=data["object_id"].strip())
        if data["action"]:
            queryset = queryset.filter(action=data["action"])
        if data["since"]:
            queryset = queryset.filter(occurred_at__gte=data["since"])
        if data["until"]:
            queryset = queryset.filter(occurred_at__lte=data["until"])
        return queryset


def _require(request, code):
    from identity.access import has_code

    if not has_code(request.user, code):
        raise PermissionDenied


def audit_list(request):
    _require(request, "audit.view")
    form = AuditFilterForm(request.GET or None)
    entries = form.filter(AuditEntry.objects.all()) if request.GET else AuditEntry.objects.all()
    page = Paginator(entries.order_by("-occurred_at", "-id"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "kernel/audit_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "page_title": _("Audit trail"),
            "header_icon": "history",
        },
    )


class _Echo:
    def write(self, value):
        return value


COLUMNS = [
    "occurred_at",
    "action",
    "table_name",
    "object_id",
    "actor_id",
    "actor_label",
    "client_ip",
    "request_id",
    "changed_fields",
    "before",
    "after",
    "detail",
]


def audit_export(request):
    """CSV of the filtered trail, streamed; the export itself is recorded."""
    _require(request, "audit.export")
    form = AuditFilterForm(request.GET or None)
    entries = form.filter(AuditEntry.objects.all()) if request.GET else AuditEntry.objects.all()
    audit.record(
        AuditAction.EXPORT,
        actor=request.user,
        request=request,
        table="kernel_auditentry",
        detail={"filters": request.GET.dict()},
    )
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"  # Excel reads UTF-8 with a BOM
        yield writer.writerow(COLUMNS)
        for entry in entries.order_by("occurred_at", "id").iterator(chunk_size=2000):
            yield writer.writerow([getattr(entry, column) for column in COLUMNS])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response
