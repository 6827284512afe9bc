"""Where everything is: campus → building → floor → room or area."""

import secrets

from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from identity.scope import Scope
from kernel.models import BilingualNamed


def new_qr_token() -> str:
    # 12 URL-safe characters: short enough for a small QR code, unguessable enough.
    return secrets.token_urlsafe(9)


class Location(BilingualNamed):
    code = models.CharField(_("code"), max_length=50)
    qr_token = models.CharField(max_length=16, unique=True, default=new_qr_token, editable=False)
    is_active = models.BooleanField(_("in use"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    kind_key = "location"

    @property
    def qr_path(self) -> str:
        from django.urls import reverse

        return reverse("spaces:scan", kwargs={"token": self.qr_token})


class Campus(Location):
    address = models.CharField(_("address"), max_length=300, blank=True)

    kind_key = "campus"
    scope = Scope(module="spaces")

    class Meta:
        verbose_name = _("campus")
        verbose_name_plural = _("campuses")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="campus_code_unique",
                violation_error_code="duplicate_code",
                violation_error_message=_("Another campus already has this code."),
            )
        ]

    def path(self) -> list[Location]:
        return [self]


class Building(Location):
    campus = models.ForeignKey(
        Campus, verbose_name=_("campus"), on_delete=models.PROTECT, related_name="buildings"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    floors_above_ground = models.PositiveSmallIntegerField(_("floors above ground"), default=1)
    floors_below_ground = models.PositiveSmallIntegerField(_("floors below ground"), default=0)
    gross_area_m2 = models.DecimalField(
        _("gross area (m²)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    kind_key = "building"
    scope = Scope(module="spaces", building="pk")

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["campus__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campus", "code"],
                name="building_code_unique_in_campus",
                violation_error_code="duplicate_code",
                violation_error_message=_("Another building on this campus already has this code."),
            )
        ]

    def path(self) -> list[Location]:
        return [self.campus, self]


class Floor(Location):
    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="floors"
    )
    level = models.SmallIntegerField(_("level"), help_text=_("1 is the ground floor; -1 the first basement."))

    kind_key = "floor"
    scope = Scope(module="spaces", building="building")

    class Meta:
        verbose_name = _("floor")
        verbose_name_plural = _("floors")
        ordering = ["building__code", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "level"],
                name="floor_level_unique_in_building",
                violation_error_code="duplicate_level",
                violation_error_message=_("This building already has a floor at this level."),
            ),
            models.CheckConstraint(
                condition=~models.Q(level=0),
                name="floor_level_not_zero",
                violation_error_code="invalid_level",
                violation_error_message=_(
                    "There is no level 0: the ground floor is 1, the first basement -1."
                ),
            ),
        ]

    def path(self) -> list[Location]:
        return [self.building.campus, self.building, self]


class RoomKind(models.TextChoices):
    ROOM = "room", _("Room")
    OFFICE = "office", _("Office")
    WARD = "ward", _("Ward")
    CLINIC = "clinic", _("Clinic room")
    LAB = "lab", _("Laboratory")
    CLASSROOM = "classroom", _("Classroom")
    MEETING = "meeting", _("Meeting room")
    DORM = "dorm", _("Dormitory room")
    PLANT = "plant", _("Plant room")
    STORE = "store", _("Store room")
    TOILET = "toilet", _("Toilet")
    CORRIDOR = "corridor", _("Corridor or hall")
    AREA = "area", _("Open area")


class Room(Location):
    floor = models.ForeignKey(Floor, verbose_name=_("floor"), on_delete=models.PROTECT, related_name="rooms")
    kind = models.CharField(_("kind"), max_length=20, choices=RoomKind.choices, default=RoomKind.ROOM)
    department = models.ForeignKey(
        "identity.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rooms",
    )
    area_m2 = models.DecimalField(
        _("area (m²)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    capacity = models.PositiveIntegerField(_("capacity (people)"), null=True, blank=True)
    # The organisation's own fields (lowcode.forms extension for "spaces.room"), checked by
    # the forms engine in save_location.
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    kind_key = "room"
    scope = Scope(module="spaces", department="department", building="floor__building")

    class Meta:
        verbose_name = _("room or area")
        verbose_name_plural = _("rooms and areas")
        ordering = ["floor__building__code", "floor__level", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["floor", "code"],
                name="room_code_unique_on_floor",
                violation_error_code="duplicate_code",
                violation_error_message=_("Another room on this floor already has this code."),
            )
        ]
        indexes = [
            models.Index(fields=["department"], name="room_department"),
            GinIndex(fields=["custom"], name="room_custom_gin", opclasses=["jsonb_path_ops"]),
        ]

    def path(self) -> list[Location]:
        return [self.floor.building.campus, self.floor.building, self.floor, self]

    @property
    def building(self) -> Building:
        return self.floor.building


LOCATION_MODELS: dict[str, type[Location]] = {
    model.kind_key: model for model in (Campus, Building, Floor, Room)
}
