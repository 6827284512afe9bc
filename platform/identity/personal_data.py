"""Phone and ID numbers: shown masked (138****1234) unless the viewer holds the permission."""

from identity import access

PERMISSION = "identity.view_personal_data"


def may_view(principal) -> bool:
    return access.has_code(principal, PERMISSION)


def mask_phone(value: str | None) -> str:
    digits = (value or "").strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_id_number(value: str | None) -> str:
    text = (value or "").strip()
    if len(text) <= 10:
        return "*" * len(text)
    return f"{text[:6]}{'*' * (len(text) - 10)}{text[-4:]}"


def show(field: str, value: str | None, reveal: bool) -> str:
    if not value:
        return ""
    if reveal:
        return value
    return mask_phone(value) if field == "phone" else mask_id_number(value)
