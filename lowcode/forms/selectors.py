"""Reads with logic: the forms a person may fill in, their submissions, and filtered lists."""

from __future__ import annotations

from django.db.models import Q, QuerySet
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


NOTHING = Q(pk__in=[])


def listed(principal, form, *, since=None, until=None) -> QuerySet:
    """The list rows (SubmissionIndex) of a form's submitted submissions the principal may see."""
    from lowcode.forms.models import SubmissionIndex

    rows = restrict(SubmissionIndex.objects.filter(form=form), principal, "view")
    if since is not None:
        rows = rows.filter(submitted_at__date__gte=since)
    if until is not None:
        rows = rows.filter(submitted_at__date__lte=until)
    return rows


def answer_condition(compiled, filters: dict[str, str]) -> Q | None:
    """A condition on list rows' answers to any fields of a version's definition (None: no
    filter).

    `filters`: field key → the text the user typed. Choices, yes/no, numbers and ids match
    exactly (JSON containment on the short `facets`, served by their GIN index); text matches
    as a substring.
    Unknown keys are ignored — only the definition's own keys reach the query.
    """
    from decimal import Decimal

    from lowcode.forms import conditions

    parts = []
    for key, raw in filters.items():
        field = compiled.by_key.get(key)
        if field is None or raw in (None, ""):
            continue
        raw = str(raw).strip()
        if field.type == "textarea":  # long texts are not in the facets
            parts.append(Q(**{f"submission__data__{key}__icontains": raw}))
        elif field.type == "text":
            parts.append(Q(**{f"facets__{key}__icontains": raw}))
        elif field.type in ("number", "money"):
            number = conditions._number(raw)
            if number is None or abs(number) >= Decimal("1e15"):
                return NOTHING
            value = int(number) if number == number.to_integral_value() else float(number)
            parts.append(Q(facets__contains={key: value}))
        elif field.type == "boolean":
            parts.append(Q(facets__contains={key: raw.lower() in ("1", "true", "yes", "是")}))
        elif field.type == "multichoice":
            parts.append(Q(facets__contains={key: [raw]}))
        elif field.type in ("user", "department", "room"):
            if not (raw.isascii() and raw.isdigit() and len(raw) < 19):
                return NOTHING
            parts.append(Q(facets__contains={key: int(raw)}))
        elif field.type in ("date", "time", "datetime", "choice"):
            parts.append(Q(facets__contains={key: raw}))
    if not parts:
        return None
    condition = parts[0]
    for part in parts[1:]:
        condition &= part
    return condition


# Above this many matches, a page is found by walking the (form, submitted_at) index;
# below it, the GIN index finds the few matches and they are sorted.
WALK_THRESHOLD = 2000
ORDER = ("-submitted_at", "-submission_id")


def page_and_count(rows: QuerySet, condition: Q | None, *, offset: int, size: int) -> tuple[list, int]:
    """A page of submissions (newest first) among list `rows` matching `condition`, and the
    exact count of matches.

    PostgreSQL cannot estimate JSONB containment (it assumes 0.1 % of rows match), so with a
    common answer ("category = repair": a quarter of the rows) it would fetch every match
    through the GIN index and sort them all for one page. The exact count comes first; when
    it is large, the page is found by reading rows in date order with the condition as a
    column (the plan stays the ordered index scan) and keeping the matches, chunk by chunk.
    """
    from django.db.models import BooleanField, ExpressionWrapper

    if condition is None:
        total = rows.count()
        ids = list(rows.order_by(*ORDER).values_list("submission_id", flat=True)[offset : offset + size])
        return _submissions(ids), total
    matching = rows.filter(condition)
    total = matching.count()
    if total <= WALK_THRESHOLD:
        ids = list(matching.order_by(*ORDER).values_list("submission_id", flat=True)[offset : offset + size])
        return _submissions(ids), total
    everything = rows.count() or 1
    walk = (
        rows.order_by(*ORDER)
        .annotate(hit=ExpressionWrapper(condition, output_field=BooleanField()))
        .values_list("submission_id", "hit")
    )
    chunk = min(20_000, max(200, int((offset + size) * everything / total * 1.5)))
    ids, skipped, start = [], 0, 0
    while len(ids) < size:
        batch = list(walk[start : start + chunk])
        for pk, hit in batch:
            if not hit:
                continue
            if skipped < offset:
                skipped += 1
            elif len(ids) < size:
                ids.append(pk)
        if len(batch) < chunk:
            break
        start += chunk
    return _submissions(ids), total


def _submissions(ids: list) -> list:
    found = Submission.objects.select_related("form", "version", "submitter", "department").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def matching_submissions(rows: QuerySet, condition: Q | None) -> QuerySet:
    """The submissions (newest first) of list rows matching a condition, for exports."""
    if condition is not None:
        rows = rows.filter(condition)
    return Submission.objects.filter(pk__in=rows.values("submission_id")).order_by("-submitted_at", "-pk")


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
