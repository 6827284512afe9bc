"""Form submissions as datasets of the report builder (lowcode.reports): one per published form.

Rows are the form's submitted submissions (drafts never count), restricted by the viewer's
data scope on `Submission`. Dimensions: when it was submitted, the submitter's department,
the approval status, and the form's own short fields of its current version; measures:
the count and, for number and money fields, their sum and average.
"""

from __future__ import annotations

from django.db.models import Avg, FloatField, Sum, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from lowcode.forms.definition import NUMERIC, compile_form, text_in
from lowcode.reports import datasets as d

# Field types that make sense to group or filter by (one short value per submission).
GROUPABLE = {"choice", "boolean", "number", "money", "text", "department"}


def _number(key: str):
    """A field's answer as a number: CAST(data ->> 'key' AS double precision)."""
    return Cast(KeyTextTransform(key, "data"), FloatField())


def _total(key: str):
    return lambda: Coalesce(Sum(_number(key)), Value(0.0), output_field=FloatField())


def _average(key: str):
    return lambda: Avg(_number(key))


def _dataset(form) -> d.Dataset:
    from lowcode.forms.models import Submission

    lang = get_language() or "zh-hans"
    compiled = compile_form(form.current_version.definition)
    dimensions = [
        d.Dimension("submitted", _("Submitted"), "submitted_at", "time"),
        d.Dimension("department", _("Department"), "department_id", label_path="department__name"),
        d.Dimension("approval", _("Approval"), "approval", choices=dict(Submission.Approval.choices)),
    ]
    measures = [d.Measure("count", _("Submissions"), d.count)]
    for field in compiled.fields:
        if field.type not in GROUPABLE:
            continue
        label = field.label(lang)
        if field.type in NUMERIC:
            kind = "number"
        elif field.type == "boolean":
            kind = "boolean"
        else:
            kind = "category"
        choices = None
        if field.type == "choice":
            choices = {
                option.get("value"): text_in(option.get("label"), lang)
                for option in field.get("options", [])
                if isinstance(option, dict)
            }
        dimensions.append(
            d.Dimension(f"field.{field.key}", label, f"data__{field.key}", kind, choices=choices)
        )
        if field.type in NUMERIC:
            unit = "¥" if field.type == "money" else ""
            measures.append(
                d.Measure(
                    f"sum.{field.key}",
                    gettext("%(field)s (total)") % {"field": label},
                    _total(field.key),
                    unit,
                )
            )
            measures.append(
                d.Measure(
                    f"avg.{field.key}",
                    gettext("%(field)s (average)") % {"field": label},
                    _average(field.key),
                    unit,
                )
            )
    columns = [
        d.Column("number", _("Number"), "pk"),
        d.Column("submitted", _("Submitted"), "submitted_at"),
        d.Column("submitter", _("Submitted by"), "submitter__full_name"),
        d.Column("department", _("Department"), "department__name"),
        d.Column("approval", _("Approval"), "approval", choices=dict(Submission.Approval.choices)),
    ]
    for dimension in dimensions[3:6]:
        columns.append(d.Column(dimension.key, dimension.label, dimension.path, choices=dimension.choices))
    form_id = form.pk
    return d.Dataset(
        key=f"forms.{form.code}",
        label=form.display_name,
        module="forms",
        rows=lambda: Submission.objects.filter(form_id=form_id, status=Submission.Status.SUBMITTED),
        time="submitted_at",
        dimensions=dimensions,
        measures=measures,
        columns=columns,
        record_url=lambda pk: reverse("lowcode_forms_submission", kwargs={"pk": pk}),
    )


def datasets() -> list[d.Dataset]:
    """One dataset per published stand-alone form (extensions are custom fields, not forms)."""
    from lowcode.forms.models import FormDefinition

    forms = FormDefinition.objects.filter(
        kind=FormDefinition.Kind.FORM, current_version__isnull=False
    ).select_related("current_version")
    return [_dataset(form) for form in forms]
