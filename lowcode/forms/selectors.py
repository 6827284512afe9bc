"""Reads with logic: the forms a person may fill in, their submissions, and filtered lists."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from identity.access import restrict
from lowcode.forms.definition import text_in
from lowcode.forms.models import FormDefinition, Submission


def open_forms() -> QuerySet:
    return (
        FormDefinition.objects.filter(
            kind=FormDefinition.Kind.FORM, is_open=True, current_version__isnull=False
        )
        .select_related("current_version")
        .order_by("code")
    )


def visible_submissions(principal, action: str = "view") -> QuerySet:
    """Submitted rows the principal may see (drafts belong to their authors only)."""
    return restrict(
        Submission.objects.filter(status=Submission.Status.SUBMITTED).select_related(
            "form", "version", "submitter", "department"
        ),
        principal,
        action,
    )


def mine(user) -> QuerySet:
    if not getattr(user, "pk", None):
        return Submission.objects.none()
    return Submission.objects.filter(submitter=user).select_related("form", "version").order_by("-created_at")


def filter_by_answers(queryset: QuerySet, compiled, filters: dict[str, str]) -> QuerySet:
    """Filter submissions on answers of any field of a version's definition.

    `filters`: field key → the text the user typed. Choices, yes/no, numbers and ids match
    exactly (JSON containment, served by the GIN index); text matches as a substring.
    Unknown keys are ignored — only the definition's own keys reach the query.
    """
    from decimal import Decimal, InvalidOperation

    for key, raw in filters.items():
        field = compiled.by_key.get(key)
        if field is None or raw in (None, ""):
            continue
        raw = str(raw).strip()
        if field.type in ("text", "textarea"):
            queryset = queryset.filter(**{f"data__{key}__icontains": raw})
        elif field.type in ("number", "money"):
            try:
                number = Decimal(raw)
            except InvalidOperation:
                return queryset.none()
            value = int(number) if number == number.to_integral_value() else float(number)
            queryset = queryset.filter(data__contains={key: value})
        elif field.type == "boolean":
            queryset = queryset.filter(data__contains={key: raw.lower() in ("1", "true", "yes", "是")})
        elif field.type == "multichoice":
            queryset = queryset.filter(data__contains={key: [raw]})
        elif field.type in ("user", "department", "room"):
            if not raw.isdigit():
                return queryset.none()
            queryset = queryset.filter(data__contains={key: int(raw)})
        elif field.type in ("date", "time", "datetime", "choice"):
            queryset = queryset.filter(data__contains={key: raw})
    return queryset


def my_requests(user):
    """ "My requests" on the portal: the person's own submissions and drafts."""
    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    from portal.views import PersonalItem

    lang = get_language() or "zh"
    items = []
    for submission in mine(user)[:50]:
        form = submission.form
        items.append(
            PersonalItem(
                title=text_in({"zh": form.name, "en": form.name_en}, lang),
                url=reverse("forms:submission", kwargs={"pk": submission.pk}),
                status=_("Draft") if submission.status == Submission.Status.DRAFT else _("Submitted"),
                updated_at=submission.updated_at,
                module="forms",
            )
        )
    return items
