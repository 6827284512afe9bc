"""Password policy: complexity and no reuse of the last few passwords."""

import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class ComplexityValidator:
    """At least `min_classes` of: lower-case, upper-case, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(c in string.punctuation or c.isspace() or not c.isascii() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _(
            "Use at least %(n)s of: lower-case letters, upper-case letters, digits, other characters."
        ) % {"n": self.min_classes}


class PasswordHistoryValidator:
    """Refuses the current password and the `count` before it; records each new one."""

    def __init__(self, count: int = 5):
        self.count = count

    def _recent(self, user):
        from identity.models import PasswordHistory

        if user is None or not getattr(user, "pk", None):
            return []
        try:
            return list(
                PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count]
            )
        except Exception:  # noqa: BLE001 - no history table in this schema (public)
            return []

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        from identity.models import User

        stored = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        hashes = [h for h in [stored, *self._recent(user)] if h]
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                ngettext(
                    "You used this password recently; choose one different from your last %(n)s.",
                    "You used this password recently; choose one different from your last %(n)s.",
                    self.count,
                )
                % {"n": self.count},
                code="password_reused",
            )

    def password_changed(self, password, user=None):
        from identity.models import PasswordHistory, User

        if user is None or not getattr(user, "pk", None) or not user.password:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now())
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.count :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self):
        return _("Your password cannot be one of your last %(n)s.") % {"n": self.count}
