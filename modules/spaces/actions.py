"""Writes to the location tree. Console screens, imports, the API and the demo call these."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from identity.actions import require
from kernel import outbox
from modules.spaces.models import Building, Campus, Floor, Location, Room


def _payload(location: Location) -> dict:
    return {"id": location.pk, "kind": location.kind_key, "code": location.code, "name": location.name}


# Constraint violations that belong to one field, so forms show them next to it.
_FIELD_OF_CODE = {"duplicate_code": "code", "duplicate_level": "level", "invalid_level": "level"}


def _validate(location: Location) -> None:
    try:
        location.full_clean()
    except ValidationError as exc:
        errors: dict[str, list] = {}
        for field, field_errors in exc.error_dict.items():
            for error in field_errors:
                errors.setdefault(_FIELD_OF_CODE.get(error.code, field), []).append(error)
        raise ValidationError(errors) from exc


def save_location(location: Location, *, user=None, custom=None, lang: str | None = None) -> Location:
    """Validate and save a campus, building, floor or room (new or changed).

    `custom`: answers for the organisation's custom fields of rooms (lowcode.forms), checked
    by the forms engine; errors come back keyed `custom.<field key>` with the others.
    """
    creating = location._state.adding
    require(user, "spaces.add" if creating else "spaces.change")
    errors: dict = {}
    try:
        _validate(location)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if custom is not None and isinstance(location, Room):
        from django.utils.translation import get_language

        from lowcode.forms.actions import clean_custom_fields

        try:
            location.custom = clean_custom_fields("spaces.room", custom, lang=lang or get_language() or "zh")
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        location.save()
        verb = "created" if creating else "updated"
        outbox.emit(f"spaces.{location.kind_key}.{verb}", _payload(location), actor=user)
    return location


def delete_location(location: Location, *, user=None) -> None:
    """Delete a location that nothing else points to; say what is in the way otherwise."""
    require(user, "spaces.delete")
    payload = _payload(location)
    try:
        with transaction.atomic():
            location.delete()
            outbox.emit(f"spaces.{location.kind_key}.deleted", payload, actor=user)
    except ProtectedError as exc:
        blockers = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects})
        raise ValidationError(
            _("%(name)s still contains %(what)s; move or delete those first, or mark it not in use.")
            % {"name": location.display_name, "what": ", ".join(blockers)},
            code="location_in_use",
        ) from exc


def create_campus(*, user=None, **fields) -> Campus:
    return save_location(Campus(**fields), user=user)


def create_building(*, user=None, **fields) -> Building:
    return save_location(Building(**fields), user=user)


def create_floor(*, user=None, **fields) -> Floor:
    return save_location(Floor(**fields), user=user)


def create_room(*, user=None, **fields) -> Room:
    return save_location(Room(**fields), user=user)


class ConsoleActions:
    """The console's create/edit/delete screens call the actions through this."""

    @staticmethod
    def create(instance: Location, *, user=None, form=None) -> Location:
        return save_location(instance, user=user)

    @staticmethod
    def update(instance: Location, *, user=None, form=None) -> Location:
        return save_location(instance, user=user)

    @staticmethod
    def delete(instance: Location, *, user=None) -> None:
        delete_location(instance, user=user)
