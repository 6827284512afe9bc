"""Writes for plain configuration records (catalogue items, trades, teams, rules…).

`record_actions("inventory")` gives the console viewsets (and the API, imports, demo) the
create / update / delete every such record needs: the module's add / change / delete
permission, model validation with errors per field, one transaction with an outbox event
`<module>.<model>.<created|updated|deleted>`, and a refusal that names what is in the way
when something still points at the record.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from identity.actions import require
from kernel import outbox


def _topic(module: str, instance, verb: str) -> str:
    return f"{module}.{instance._meta.model_name}.{verb}"


def save_record(instance, *, module: str, user=None, permission: str | None = None):
    creating = instance._state.adding
    require(user, permission or f"{module}.{'add' if creating else 'change'}")
    instance.full_clean()
    with transaction.atomic():
        instance.save()
        outbox.emit(
            _topic(module, instance, "created" if creating else "updated"), {"id": instance.pk}, actor=user
        )
    return instance


def delete_record(instance, *, module: str, user=None, permission: str | None = None) -> None:
    require(user, permission or f"{module}.delete")
    pk = instance.pk
    try:
        with transaction.atomic():
            instance.delete()
            outbox.emit(_topic(module, instance, "deleted"), {"id": pk}, actor=user)
    except ProtectedError as exc:
        blockers = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        raise ValidationError(
            _("%(name)s is still used by %(what)s; mark it not in use instead.")
            % {"name": instance, "what": ", ".join(blockers)},
            code="in_use",
        ) from exc


def record_actions(module: str, *, permission: str | None = None):
    """The `actions` object of an ActionModelViewSet for records of `module` (`permission`:
    one code for every change instead of the module's add / change / delete)."""

    class RecordActions:
        @staticmethod
        def create(instance, *, user=None, form=None):
            return save_record(instance, module=module, user=user, permission=permission)

        @staticmethod
        def update(instance, *, user=None, form=None):
            return save_record(instance, module=module, user=user, permission=permission)

        @staticmethod
        def delete(instance, *, user=None):
            delete_record(instance, module=module, user=user, permission=permission)

    return RecordActions
