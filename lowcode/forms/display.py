"""A stored answer as people read it, with the labels and types of the version it was made with."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext as _

from lowcode.forms.definition import text_in


@dataclass
class Row:
    key: str
    label: str
    type: str
    text: str  # plain text (exports)
    files: list = field(default_factory=list)  # [(name, url)]
    table: list | None = None  # header + rows of text, for repeating rows


@dataclass
class Block:
    title: str
    rows: list[Row]


def names_for(kind: str, ids: set) -> dict:
    from identity.models import Department, User
    from modules.spaces.models import Room

    if not ids:
        return {}
    if kind == "user":
        return {
            u.pk: u.full_name or u.username
            for u in User.objects.filter(pk__in=ids).only("full_name", "username")
        }
    if kind == "department":
        return dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
    if kind == "room":
        return {
            r.pk: f"{r.floor.building.code}-{r.floor.code}-{r.code} {r.name}"
            for r in Room.objects.filter(pk__in=ids).select_related("floor__building")
        }
    return {}


def _collect_ids(fields, data, found):
    for spec in fields:
        value = data.get(spec.get("key")) if isinstance(data, dict) else None
        if value is None:
            continue
        kind = spec.get("type")
        if kind in ("user", "department", "room") and isinstance(value, int):
            found.setdefault(kind, set()).add(value)
        elif kind == "table" and isinstance(value, list):
            for row in value:
                _collect_ids(spec.get("columns") or [], row, found)


def value_text(spec: dict, value, lang: str, names: dict) -> str:
    kind = spec.get("type")
    if value is None or value == "" or value == []:
        return ""
    if kind == "choice":
        labels = {o.get("value"): text_in(o.get("label"), lang) for o in spec.get("options") or []}
        return labels.get(value) or str(value)
    if kind == "multichoice":
        labels = {o.get("value"): text_in(o.get("label"), lang) for o in spec.get("options") or []}
        return "、".join(labels.get(v) or str(v) for v in value) if isinstance(value, list) else str(value)
    if kind == "boolean":
        return _("Yes") if value is True else _("No") if value is False else str(value)
    if kind in ("user", "department", "room"):
        return names.get(kind, {}).get(value) or f"#{value}"
    if kind == "file":
        return ", ".join(str(item.get("name") or item.get("key")) for item in value if isinstance(item, dict))
    if kind == "datetime" and isinstance(value, str):
        return value.replace("T", " ")
    if kind == "table" and isinstance(value, list):
        return f"{len(value)}"
    return str(value)


def names_in(rows) -> dict:
    """Names of the people, departments and rooms answered in many (definition, data) pairs,
    in one query per kind (for lists and exports)."""
    found: dict = {}
    for definition, data in rows:
        for section in definition.get("sections") or []:
            _collect_ids(section.get("fields") or [], data, found)
    return {kind: names_for(kind, ids) for kind, ids in found.items()}


def blocks(
    definition: dict, data: dict, lang: str, *, with_urls: bool = True, names: dict | None = None
) -> list[Block]:
    """Sections of a version with the answers in `data` (answered fields only)."""
    with translation.override("en" if lang.startswith("en") else "zh-hans"):
        if names is None:
            names = names_in([(definition, data)])
        result = []
        for section in definition.get("sections") or []:
            rows = []
            for spec in section.get("fields") or []:
                key = spec.get("key")
                if data.get(key) in (None, "", []):
                    continue
                value = data[key]
                row = Row(
                    key=key,
                    label=text_in(spec.get("label"), lang) or key,
                    type=spec.get("type"),
                    text=value_text(spec, value, lang, names),
                )
                if spec.get("type") == "file" and with_urls and isinstance(value, list):
                    row.files = [
                        (item.get("name") or item.get("key"), default_storage.url(item["key"]))
                        for item in value
                        if isinstance(item, dict) and item.get("key")
                    ]
                if spec.get("type") == "table" and isinstance(value, list):
                    columns = spec.get("columns") or []
                    row.table = [[text_in(c.get("label"), lang) or c.get("key") for c in columns]] + [
                        [value_text(c, r.get(c.get("key")), lang, names) for c in columns]
                        for r in value
                        if isinstance(r, dict)
                    ]
                    row.text = "; ".join(", ".join(cell for cell in cells if cell) for cells in row.table[1:])
                rows.append(row)
            if rows:
                result.append(Block(title=text_in(section.get("title"), lang), rows=rows))
        return result
