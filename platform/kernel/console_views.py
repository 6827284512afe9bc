"""Console pages of the kernel: the tenant's modules and its business calendar."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel import modules


def modules_page(request):
    """Which modules this organisation has, and their state. Switching them is the operator's
    (later: the subscription's) business, so this page only shows and explains."""
    from identity.access import has_code

    if not has_code(request.user, "console.access"):
        raise PermissionDenied
    enabled = modules.enabled_keys(request.tenant)
    rows = [
        {"spec": spec, "enabled": spec.key in enabled, "always_on": spec.always_on}
        for spec in modules.visible_modules()
    ]
    return render(
        request, "kernel/modules.html", {"rows": rows, "page_title": _("Modules"), "header_icon": "cogs"}
    )


WEEKDAYS = [
    (i, gettext_lazy(name))
    for i, name in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))
]


class CalendarForm(forms.Form):
    working_weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Working weekdays"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    day_starts = forms.TimeField(
        label=gettext_lazy("Working day starts"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    day_ends = forms.TimeField(
        label=gettext_lazy("Working day ends"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    holidays = forms.CharField(
        label=gettext_lazy("Holidays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One date per line (YYYY-MM-DD), e.g. the national holidays of the year."),
    )
    extra_working_days = forms.CharField(
        label=gettext_lazy("Extra working days (调休)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Weekend dates that are worked, one per line."),
    )

    def _dates(self, name):
        import datetime as dt

        found, bad = [], []
        for line in self.cleaned_data.get(name, "").replace(",", "\n").split():
            try:
                found.append(dt.date.fromisoformat(line.strip()).isoformat())
            except ValueError:
                bad.append(line.strip())
        if bad:
            raise forms.ValidationError(_("Not dates (YYYY-MM-DD): %(bad)s") % {"bad": ", ".join(bad[:5])})
        return sorted(set(found))

    def clean_holidays(self):
        return self._dates("holidays")

    def clean_extra_working_days(self):
        return self._dates("extra_working_days")

    def clean(self):
        data = super().clean()
        if data.get("day_starts") and data.get("day_ends") and data["day_ends"] <= data["day_starts"]:
            self.add_error("day_ends", _("The day ends after it starts."))
        if not data.get("working_weekdays") and not data.get("extra_working_days"):
            self.add_error("working_weekdays", _("Choose at least one working day."))
        return data


def calendar_page(request):
    """The organisation's working time: deadlines in business hours follow it (kernel.calendar)."""
    from identity.access import has_code
    from kernel.models import BusinessCalendar

    if not has_code(request.user, "calendar.manage"):
        raise PermissionDenied
    current = BusinessCalendar.objects.first() or BusinessCalendar()
    initial = {
        "working_weekdays": current.working_weekdays,
        "day_starts": current.day_starts,
        "day_ends": current.day_ends,
        "holidays": "\n".join(current.holidays),
        "extra_working_days": "\n".join(current.extra_working_days),
    }
    form = CalendarForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        for field in ("working_weekdays", "day_starts", "day_ends", "holidays", "extra_working_days"):
            setattr(current, field, form.cleaned_data[field])
        current.save()
        messages.success(request, _("The calendar is saved; new deadlines follow it."))
        return redirect("kernel_calendar")
    return render(
        request,
        "kernel/calendar.html",
        {"form": form, "page_title": _("Business calendar"), "header_icon": "date"},
    )
