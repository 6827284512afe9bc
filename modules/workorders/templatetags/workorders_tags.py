"""Template tags other modules' pages use to offer work-order links."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def report_fault_url(location) -> str:
    """The report form pre-filled with this room (its QR token), or "" when the location is
    not a room or the organisation has not switched work orders on."""
    from kernel.modules import is_enabled

    if getattr(location, "kind_key", None) != "room" or not getattr(location, "is_active", False):
        return ""
    if not is_enabled("workorders"):
        return ""
    return f"{reverse('workorders:new')}?{urlencode({'room': location.qr_token})}"


@register.filter
def room_label(room) -> str:
    """ "301 病房" rather than "301 301 病房" when the name already starts with the code."""
    name = room.display_name
    return name if name.startswith(room.code) else f"{room.code} {name}"


PIN = (
    '<svg class="wo-pin" aria-hidden="true" width="16" height="16" viewBox="0 0 24 24" fill="currentColor">'
    '<path d="M12 2a7 7 0 0 0-7 7c0 5.25 7 13 7 13s7-7.75 7-13a7 7 0 0 0-7-7Zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 '
    '2.5 0 0 1 0 5Z"/></svg>'
)


@register.simple_tag
def pin_icon():
    from django.utils.safestring import mark_safe

    return mark_safe(PIN)  # a constant of ours
