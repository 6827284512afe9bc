"""Django forms of the portal pages: the fault report (with the trade's custom fields and
photos) and the small forms behind the buttons of an order's page.

The forms check what a person can get wrong while typing (every field at once, the user's
input kept); the actions check again and decide (their refusals are mapped back onto these
fields by the views)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from lowcode.forms.extensions import PREFIX, current_fields, django_field
from modules.workorders import actions
from modules.workorders.models import Photo, Priority, Trade
from modules.workorders.templatetags.workorders_tags import room_label

# What a photo may be (judged by its bytes, as actions.store_photos does).
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp", "image/heic"}


def trade_target(trade: Trade) -> str:
    return f"workorders.trade.{trade.code}"


def _lang() -> str:
    from django.utils.translation import get_language

    return "en" if (get_language() or "").startswith("en") else "zh"


# --- Photos ------------------------------------------------------------------------------------


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each is checked by its bytes and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*", "multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > actions.MAX_PHOTOS:
            raise ValidationError(
                _("At most %(n)s photos."), code="too_many_files", params={"n": actions.MAX_PHOTOS}
            )
        from kernel.files import validate_upload

        problems = []
        for uploaded in files:
            try:
                super().clean(uploaded, initial)
                validate_upload(uploaded, allowed_types=PHOTO_TYPES)
            except ValidationError as exc:
                problems.append(
                    ValidationError(
                        "%(name)s: %(problem)s",
                        code=exc.error_list[0].code,
                        params={"name": uploaded.name, "problem": " ".join(exc.messages)},
                    )
                )
        if problems:
            raise ValidationError(problems)
        return files


def photo_help() -> str:
    return _t("Up to %(n)s photos (JPEG, PNG, WebP or HEIC), %(mb)s MB each.") % {
        "n": actions.MAX_PHOTOS,
        "mb": round(settings.FILE_UPLOAD_MAX_SIZE / 1048576),
    }


# --- The location picker -----------------------------------------------------------------------


class RoomSelect(forms.Select):
    """A grouped select of rooms whose options carry their campus, building and floor, so a
    small script can turn it into cascading selects (it works as it is without one)."""

    def __init__(self, *args, **kwargs):
        self.option_data: dict[str, dict] = {}
        super().__init__(*args, **kwargs)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].update(self.option_data.get(str(value), {}))
        return option


def room_choices(widget: RoomSelect) -> list:
    """(group label, [(id, room label)]) per floor, and the data attributes of each option."""
    from modules.spaces.models import Room

    rooms = (
        Room.objects.filter(is_active=True, floor__is_active=True, floor__building__is_active=True)
        .select_related("floor__building__campus")
        .order_by("floor__building__campus__code", "floor__building__code", "-floor__level", "code")
    )
    groups: dict[tuple, list] = {}
    labels: dict[tuple, str] = {}
    for room in rooms:
        floor = room.floor
        building = floor.building
        campus = building.campus
        key = (campus.pk, building.pk, floor.pk)
        labels[key] = f"{campus.display_name} · {building.display_name} · {floor.display_name}"
        groups.setdefault(key, []).append((str(room.pk), room_label(room)))
        widget.option_data[str(room.pk)] = {
            "data-campus": campus.pk,
            "data-campus-name": campus.display_name,
            "data-building": building.pk,
            "data-building-name": building.display_name,
            "data-floor": floor.pk,
            "data-floor-name": floor.display_name,
        }
    return [("", _t("Choose the room or area")), *[(labels[key], items) for key, items in groups.items()]]


# --- The report ----------------------------------------------------------------------------------


class ReportForm(forms.Form):
    trade = forms.ChoiceField(
        label=_("Kind of fault"),
        error_messages={
            "required": _("Choose a kind of fault."),
            "invalid_choice": _("Choose a kind of fault."),
        },
    )
    room = forms.ChoiceField(
        label=_("Where is it?"),
        required=False,
        widget=RoomSelect,
        error_messages={"invalid_choice": _("Choose where the fault is.")},
    )
    description = forms.CharField(
        label=_("What is wrong?"),
        max_length=actions.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say what is wrong.")},
    )
    priority = forms.ChoiceField(label=_("How urgent?"), choices=Priority.choices, initial=Priority.NORMAL)
    preferred_time = forms.CharField(
        label=_("Preferred time"),
        max_length=100,
        required=False,
        help_text=_("When may the worker come? For example: weekdays after 14:00."),
    )
    contact_name = forms.CharField(label=_("Contact"), max_length=100, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    photos = PhotosField(label=_("Photos"))

    def __init__(self, *args, fixed_room=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_room = fixed_room
        self.trades = list(Trade.objects.filter(is_active=True))
        self.fields["trade"].choices = [
            ("", _t("Choose…")),
            *[(str(trade.pk), trade.display_name) for trade in self.trades],
        ]
        self.fields["photos"].help_text = photo_help()
        if fixed_room is None:
            widget = self.fields["room"].widget
            self.fields["room"].choices = room_choices(widget)
        else:
            del self.fields["room"]
        # Each trade's custom fields (its published extension form), named custom.<trade>.<key>.
        lang = _lang()
        self._custom_names: dict[str, list] = {}
        for trade in self.trades:
            for field in current_fields(trade_target(trade)):
                name = f"{PREFIX}{trade.code}.{field.key}"
                self.fields[name] = django_field(field, lang)
                self._custom_names.setdefault(trade.code, []).append((field, name))

    def custom_sections(self) -> list[dict]:
        """The bound custom fields of each trade that has some, for the template."""
        return [
            {"trade": trade, "fields": [self[name] for _field, name in self._custom_names[trade.code]]}
            for trade in self.trades
            if trade.code in self._custom_names
        ]

    @property
    def chosen_trade(self) -> Trade | None:
        value = self.data.get("trade") if self.is_bound else self.initial.get("trade")
        return next((t for t in self.trades if str(t.pk) == str(value)), None)

    def clean_room(self):
        value = self.cleaned_data.get("room")
        if self.fixed_room is None and not value:
            raise ValidationError(_("Choose where the fault is."), code="required")
        return value

    def custom_answers(self, trade: Trade) -> dict:
        answers = {}
        for field, name in self._custom_names.get(trade.code, []):
            value = self.cleaned_data.get(name)
            if hasattr(value, "pk"):
                value = value.pk
            if value in (None, "", []):
                continue
            answers[field.key] = value
        return answers

    def custom_field_name(self, trade: Trade, key: str) -> str | None:
        """The form field that shows the engine's error `custom.<key>` for this trade."""
        name = f"{PREFIX}{trade.code}.{key}"
        return name if name in self.fields else None

    def clean(self):
        data = super().clean()
        trade = next((t for t in self.trades if str(t.pk) == str(data.get("trade"))), None)
        data["trade_obj"] = trade
        data["custom"] = {}
        if trade is not None:
            from lowcode.forms.actions import clean_custom_fields

            answers = self.custom_answers(trade)
            try:
                clean_custom_fields(trade_target(trade), answers, lang=_lang())
            except ValidationError as exc:
                for key, errors in exc.error_dict.items():
                    self.add_error(self.custom_field_name(trade, key.removeprefix(PREFIX)), errors)
            data["custom"] = answers
        return data

    def room_id(self):
        if self.fixed_room is not None:
            return self.fixed_room.pk
        return self.cleaned_data.get("room")

    def show_errors(self, exc: ValidationError) -> None:
        """An action's refusal, field by field (custom.<key> onto the trade's field)."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        trade = self.cleaned_data.get("trade_obj") if hasattr(self, "cleaned_data") else None
        for key, errors in exc.error_dict.items():
            name = key
            if key.startswith(PREFIX):
                name = self.custom_field_name(trade, key.removeprefix(PREFIX)) if trade else None
            elif key == "room" and self.fixed_room is not None:
                name = None
            if name not in self.fields:
                name = None
            self.add_error(name, errors)


# --- The buttons of an order's page ------------------------------------------------------------------


class ErrorsFromActions:
    """Puts an action's ValidationError onto the form's fields (else above the form)."""

    def show_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for key, errors in exc.error_dict.items():
            self.add_error(key if key in self.fields else None, errors)


class CancelForm(ErrorsFromActions, forms.Form):
    reason = forms.CharField(label=_("Why (optional)"), max_length=500, required=False)


class VerifyForm(ErrorsFromActions, forms.Form):
    RATINGS = [(str(n), str(n)) for n in range(5, 0, -1)]

    rating = forms.ChoiceField(
        label=_("How was it?"),
        choices=RATINGS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Rate from 1 to 5."), "invalid_choice": _("Rate from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=actions.MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReopenForm(ErrorsFromActions, forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong?"),
        max_length=actions.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say what is still wrong.")},
    )


class ComplainForm(ErrorsFromActions, forms.Form):
    text = forms.CharField(
        label=_("Your complaint"),
        max_length=actions.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say what went wrong.")},
    )


class PhotosForm(ErrorsFromActions, forms.Form):
    """Start (photos before) and the worker's "add photos"."""

    stage = forms.ChoiceField(
        label=_("Photos of"),
        choices=[(Photo.Stage.BEFORE, _("Before work")), (Photo.Stage.AFTER, _("After work"))],
        initial=Photo.Stage.BEFORE,
    )
    photos = PhotosField(label=_("Photos"))

    def __init__(self, *args, require_photos=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].required = require_photos
        self.fields["photos"].help_text = photo_help()


class MaterialForm(ErrorsFromActions, forms.Form):
    item = forms.ModelChoiceField(
        label=_("Material"),
        queryset=None,
        empty_label=_("Choose an item"),
        error_messages={
            "required": _("Choose an item of the catalogue."),
            "invalid_choice": _("Choose an item of the catalogue."),
        },
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        min_value=0.01,
        max_value=100000,
        decimal_places=2,
        initial=1,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={"required": _("A quantity above 0."), "invalid": _("A quantity above 0.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from modules.inventory.models import Item

        self.fields["item"].queryset = Item.objects.filter(is_active=True).order_by("category", "code")
        self.fields["item"].label_from_instance = lambda item: (
            f"{item.display_name}{f' {item.specification}' if item.specification else ''}"
            f" · ¥{item.unit_cost}/{item.unit}"
        )


class CompleteForm(ErrorsFromActions, forms.Form):
    notes = forms.CharField(
        label=_("What was done"),
        max_length=actions.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what was done.")},
    )
    labour_minutes = forms.IntegerField(
        label=_("Labour (minutes)"),
        min_value=1,
        max_value=60 * 24 * 14,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Labour in minutes, 1 to 20,160."),
            "invalid": _("Labour in minutes, 1 to 20,160."),
            "min_value": _("Labour in minutes, 1 to 20,160."),
            "max_value": _("Labour in minutes, 1 to 20,160."),
        },
    )
    chargeable = forms.BooleanField(label=_("Charge the department"), required=False)
    photos = PhotosField(label=_("Photos after work"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = photo_help()
