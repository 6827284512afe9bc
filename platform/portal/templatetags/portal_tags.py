"""Bilingual content: `{% loc page "title" %}` is `title_en` in English when it is filled."""

from django import template
from django.utils.translation import get_language

register = template.Library()


def localized(obj, field: str):
    value = getattr(obj, field, "")
    if (get_language() or "").startswith("en"):
        english = getattr(obj, f"{field}_en", None)
        if english:
            return english
    return value


@register.simple_tag
def loc(obj, field):
    return localized(obj, field)


@register.filter
def loc_title(page):
    return localized(page.specific if hasattr(page, "specific") else page, "title")
