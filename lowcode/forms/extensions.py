"""Custom fields on built-in records, for the screens of the module that owns the record.

An organisation publishes an extension form for a record ("spaces.room"); its fields then
appear on that record's console edit screen (`CustomFieldsFormMixin`), as list filters
(`CustomFieldFilterSet`), in list exports (`custom_export_columns` / `custom_cell`), and in
the API (the record's `customFields` value and `customFieldDefinitions`). Values live in
the record's `custom` JSON column and are checked by the forms engine in the record's own
save action (`lowcode.forms.actions.clean_custom_fields`). Hidden-by-condition fields are
dropped by the engine. Files and repeating rows are not offered on records (the publish
check refuses them for extension forms).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from lowcode.forms.definition import NUMERIC, Field, text_in
from lowcode.forms.display import value_text

PREFIX = "custom."
RECORD_TYPES = {
    "text",
    "textarea",
    "number",
    "money",
    "date",
    "time",
    "datetime",
    "choice",
    "multichoice",
    "boolean",
    "user",
    "department",
    "room",
}


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def current_fields(target: str) -> list[Field]:
    """The published custom fields of a record type in this tenant (none if unpublished)."""
    from lowcode.forms.actions import compiled, extension_for

    extension = extension_for(target)
    if extension is None or extension.current_version is None:
        return []
    return [f for f in compiled(extension.current_version).fields if f.type in RECORD_TYPES]


def _references(kind: str):
    from identity.models import Department, User
    from modules.spaces.models import Room

    return {
        "user": User.objects.filter(is_active=True),
        "department": Department.objects.all(),
        "room": Room.objects.filter(is_active=True).select_related("floor__building"),
    }[kind]


def django_field(field: Field, lang: str) -> forms.Field:
    """A form field that collects the raw answer; the engine decides what is required."""
    label = field.label(lang) + (" *" if field.spec.get("required") else "")
    common = {"label": label, "required": False, "help_text": text_in(field.spec.get("help"), lang)}
    kind = field.type
    options = [(o["value"], text_in(o.get("label"), lang)) for o in field.spec.get("options") or []]
    if kind == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind in NUMERIC:
        return forms.CharField(
            widget=forms.NumberInput(attrs={"step": "0.01" if kind == "money" else "any"}), **common
        )
    if kind in ("date", "time", "datetime"):
        html = {"date": "date", "time": "time", "datetime": "datetime-local"}[kind]
        return forms.CharField(widget=forms.DateInput(attrs={"type": html}), **common)
    if kind == "choice":
        return forms.ChoiceField(choices=[("", "—"), *options], **common)
    if kind == "multichoice":
        return forms.MultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple, **common)
    if kind == "boolean":
        return forms.NullBooleanField(widget=forms.NullBooleanSelect, **common)
    if kind in ("user", "department", "room"):
        return forms.ModelChoiceField(queryset=_references(kind), **common)
    placeholder = text_in(field.spec.get("placeholder"), lang)
    return forms.CharField(widget=forms.TextInput(attrs={"placeholder": placeholder}), **common)


def _initial(field: Field, value):
    if value is None:
        return None
    if field.type in NUMERIC:
        return str(value)
    return value


class CustomFieldsFormMixin:
    """For a record's ModelForm: adds the tenant's custom fields as `custom.<key>`."""

    custom_target: str = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lang = _lang()
        stored = getattr(self.instance, "custom", None) or {}
        self.custom_fields = current_fields(self.custom_target)
        for field in self.custom_fields:
            name = PREFIX + field.key
            self.fields[name] = django_field(field, lang)
            self.fields[name].initial = _initial(field, stored.get(field.key))

    def custom_answers(self) -> dict | None:
        """The raw answers for the engine (None when the record type has no custom fields)."""
        if not self.custom_fields:
            return None
        answers = {}
        for field in self.custom_fields:
            value = self.cleaned_data.get(PREFIX + field.key)
            if hasattr(value, "pk"):
                value = value.pk
            if value in (None, "", []):
                continue
            answers[field.key] = value
        return answers


class CustomFieldFilterSet(WagtailFilterSet):
    """A record list's filters plus one per custom field (exact for choices, yes/no, numbers
    and references; a substring for text) — through JSON containment, served by the GIN index."""

    custom_target: str = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lang = _lang()
        for field in current_fields(self.custom_target):
            name = PREFIX + field.key
            label = field.label(lang)
            options = [(o["value"], text_in(o.get("label"), lang)) for o in field.spec.get("options") or []]
            if field.type in ("choice", "multichoice"):
                self.filters[name] = django_filters.ChoiceFilter(
                    label=label, choices=options, method=self._filter_custom, field_name=field.key
                )
            elif field.type == "boolean":
                self.filters[name] = django_filters.ChoiceFilter(
                    label=label,
                    choices=[("true", _("Yes")), ("false", _("No"))],
                    method=self._filter_custom,
                    field_name=field.key,
                )
            else:
                self.filters[name] = django_filters.CharFilter(
                    label=label, method=self._filter_custom, field_name=field.key
                )
        self._custom = {f.key: f for f in current_fields(self.custom_target)}

    def _filter_custom(self, queryset, key, value):
        from decimal import Decimal, InvalidOperation

        field = self._custom.get(key)
        if field is None or value in (None, ""):
            return queryset
        if field.type in ("text", "textarea"):
            return queryset.filter(**{f"custom__{key}__icontains": value})
        if field.type in NUMERIC:
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                return queryset.none()
            stored = int(number) if number == number.to_integral_value() else float(number)
            return queryset.filter(custom__contains={key: stored})
        if field.type == "boolean":
            return queryset.filter(custom__contains={key: value == "true"})
        if field.type == "multichoice":
            return queryset.filter(custom__contains={key: [value]})
        if field.type in ("user", "department", "room"):
            return (
                queryset.filter(custom__contains={key: int(value)})
                if str(value).isdigit()
                else queryset.none()
            )
        return queryset.filter(custom__contains={key: value})


def custom_export_columns(target: str) -> list[tuple[str, str]]:
    """(column name, heading) of the custom fields, for list exports."""
    lang = _lang()
    return [(PREFIX + f.key, f.label(lang)) for f in current_fields(target)]


def custom_cell(target: str, record, column: str, cache: dict) -> str:
    """The export text of one custom field of a record."""
    if "fields" not in cache:
        cache["fields"] = {f.key: f for f in current_fields(target)}
    field = cache["fields"].get(column[len(PREFIX) :])
    if field is None:
        return ""
    names = cache.setdefault("names", {})
    value = (getattr(record, "custom", None) or {}).get(field.key)
    if (
        field.type in ("user", "department", "room")
        and value is not None
        and value not in names.get(field.type, {})
    ):
        from lowcode.forms.display import names_for

        names.setdefault(field.type, {}).update(names_for(field.type, {value}))
    return value_text(field.spec, value, _lang(), names)
