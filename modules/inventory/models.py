"""The catalogue of materials (items only; the stock ledger comes with its own issue)."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from identity.scope import Scope
from kernel.models import BilingualNamed


class Item(BilingualNamed):
    code = models.CharField(_("code"), max_length=50, unique=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    specification = models.CharField(_("specification"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=20, default="个")
    unit_cost = models.DecimalField(
        _("unit cost (¥)"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    is_active = models.BooleanField(_("in use"), default=True)

    scope = Scope(module="inventory")

    class Meta:
        ordering = ["code"]
        verbose_name = _("item")
        verbose_name_plural = _("items")

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"
