"""A report's result as people read it: the flat table, the pivot grid (rows by the first group,
columns by the second, one block per measure, with totals where the measure adds up), and the
files it is exported or e-mailed as — CSV, XLSX and a branded PDF.

Console export (console_views.export) and scheduled e-mails (schedules.send_due) both render
through here, so a file looks the same whichever way it was asked for.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lowcode.reports import compiler

DASH = "—"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_TYPE, "pdf": "application/pdf"}

OPERATOR_CHOICES = [
    ("eq", _lazy("is")),
    ("ne", _lazy("is not")),
    ("in", _lazy("is one of (comma-separated)")),
    ("not_in", _lazy("is none of (comma-separated)")),
    ("gt", _lazy("greater than")),
    ("gte", _lazy("at least")),
    ("lt", _lazy("less than")),
    ("lte", _lazy("at most")),
    ("between", _lazy("between (low, high)")),
    ("empty", _lazy("is empty")),
    ("not_empty", _lazy("is not empty")),
    ("relative", _lazy("in the period")),
]
PERIOD_CHOICES = [
    ("today", _lazy("Today")),
    ("last_7_days", _lazy("Last 7 days")),
    ("last_30_days", _lazy("Last 30 days")),
    ("this_month", _lazy("This month")),
    ("last_month", _lazy("Last month")),
    ("last_12_months", _lazy("Last 12 months")),
    ("this_year", _lazy("This year")),
]


def local_zone() -> ZoneInfo:
    """The current organisation's time zone (Asia/Shanghai outside one)."""
    from kernel.modules import current_tenant

    tenant = current_tenant()
    return ZoneInfo(getattr(tenant, "time_zone", None) or "Asia/Shanghai")


# --- Cells -------------------------------------------------------------------------------------


def label(cell):
    """What to show for a group's value: its label; dates (time buckets) as dates."""
    shown = cell.get("label") if isinstance(cell, dict) else cell
    if isinstance(shown, dt.datetime):
        return shown.date().isoformat()
    return DASH if shown is None else shown


def safe_cell(value):
    """Text a spreadsheet would run as a formula is written as text (OWASP: CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return str(value)
    return value


def _number(value) -> str:
    """A figure for print: thousands separated, two decimals for fractions; empty as ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def table_of(result: compiler.Result) -> tuple[list[str], list[list]]:
    """The flat table: a header of column labels and one line per result row."""
    header = [c["label"] for c in result.columns]
    body = []
    for row in result.rows:
        line = []
        for column in result.columns:
            cell = row.get(column["key"])
            if column["kind"] == "dimension":
                cell = label(cell)
            line.append("" if cell is None else cell)
        body.append(line)
    return header, body


# --- The pivot ---------------------------------------------------------------------------------


@dataclass
class PivotBlock:
    """One measure laid out rows × columns. Totals are None where the measure does not add up
    (an average of averages is not the average): shown as "—"."""

    key: str
    label: str
    additive: bool
    cells: list[list]  # [row][column]: the figure, or None where no record falls
    row_totals: list
    column_totals: list
    total: Any
    row_names: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[dict]:
        """Per row: its name, cells and total (for templates)."""
        return [
            {"name": name, "cells": cells, "total": total}
            for name, cells, total in zip(self.row_names, self.cells, self.row_totals, strict=True)
        ]


@dataclass
class Pivot:
    row_label: str
    column_label: str
    rows: list[str]
    columns: list[str]
    blocks: list[PivotBlock] = field(default_factory=list)


def _sort_key(value):
    if value is None:
        return (2, "", 0)
    if isinstance(value, (int, float, dt.datetime, dt.date)) and not isinstance(value, bool):
        return (0, "", value.timestamp() if isinstance(value, dt.datetime) else value)
    return (1, str(value), 0)


def _add(values):
    total = sum(v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool))
    return round(total, 2) if isinstance(total, float) else total


def pivot_of(result: compiler.Result) -> Pivot | None:
    """Rows by the first group (in the report's order), columns by the second (with a third
    group, by both: "A · B"; in their natural order), cells by each measure; None for a report
    with fewer than two groups (it is a plain table)."""
    dims = [c for c in result.columns if c["kind"] == "dimension"]
    measures = [c for c in result.columns if c["kind"] == "measure"]
    if len(dims) < 2:
        return None
    first, rest = dims[0]["key"], [d["key"] for d in dims[1:]]
    row_keys: dict = {}
    column_keys: dict = {}
    found: dict = {}
    for row in result.rows:
        r_cell = row.get(first) or {}
        r_key = (r_cell.get("value") if isinstance(r_cell, dict) else r_cell, str(label(r_cell)))
        row_keys.setdefault(r_key, len(row_keys))
        c_cells = [row.get(key) or {} for key in rest]
        c_key = tuple(c.get("value") if isinstance(c, dict) else c for c in c_cells)
        c_label = " · ".join(str(label(c)) for c in c_cells)
        column_keys.setdefault(c_key, c_label)
        found[(r_key, c_key)] = row
    columns = sorted(column_keys, key=lambda key: tuple(_sort_key(v) for v in key))
    rows = list(row_keys)
    pivot = Pivot(
        row_label=dims[0]["label"],
        column_label=" · ".join(d["label"] for d in dims[1:]),
        rows=[r[1] for r in rows],
        columns=[column_keys[c] for c in columns],
    )
    for measure in measures:
        key = measure["key"]
        cells = [[(found.get((r, c)) or {}).get(key) for c in columns] for r in rows]
        additive = key in result.additive
        pivot.blocks.append(
            PivotBlock(
                key=key,
                label=measure["label"],
                additive=additive,
                cells=cells,
                row_totals=[_add(line) if additive else None for line in cells],
                column_totals=[
                    _add(line[i] for line in cells) if additive else None for i in range(len(columns))
                ],
                total=_add(v for line in cells for v in line) if additive else None,
                row_names=pivot.rows,
            )
        )
    return pivot


def pivot_grid(pivot: Pivot) -> list[list]:
    """The pivot as lines of cells (for CSV and spreadsheets): per measure a heading line
    ("measure: rows \\ columns", the columns, "Total"), its rows with their totals and a line of
    column totals; an empty line between measures."""
    lines: list[list] = []
    width = len(pivot.columns) + 2
    for index, block in enumerate(pivot.blocks):
        if index:
            lines.append([""] * width)
        corner = f"{block.label}: {pivot.row_label} \\ {pivot.column_label}"
        lines.append([corner, *pivot.columns, _("Total")])
        for name, cells, total in zip(pivot.rows, block.cells, block.row_totals, strict=True):
            lines.append([name, *("" if c is None else c for c in cells), DASH if total is None else total])
        lines.append(
            [
                _("Total"),
                *(DASH if t is None else t for t in block.column_totals),
                DASH if block.total is None else block.total,
            ]
        )
    return lines


def _heading_rows(pivot: Pivot) -> set[int]:
    """Indexes (in pivot_grid) of the heading and total lines, to set them in bold."""
    found, at = set(), 0
    for index, block in enumerate(pivot.blocks):
        if index:
            at += 1
        found.add(at)
        at += len(block.cells) + 1
        found.add(at)
        at += 1
    return found


# --- Describing a report (the top of a printed report) --------------------------------------------


def describe(spec: dict) -> list[str]:
    """The dataset, filters (with relative periods as dates) and groups of a report, in words."""
    from lowcode.reports.datasets import all_datasets

    dataset = all_datasets().get(spec.get("dataset")) if isinstance(spec, dict) else None
    if dataset is None:
        return []
    operators = dict(OPERATOR_CHOICES)
    periods = dict(PERIOD_CHOICES)
    parts = []
    for item in spec.get("filters") or []:
        if not isinstance(item, dict):
            continue
        dimension = dataset.dimension(str(item.get("field", "")))
        name = str(dimension.label) if dimension else str(item.get("field", ""))
        op, value = item.get("op"), item.get("value")
        if op == "relative" and value in periods:
            start, end = compiler.period(value)
            last = (end - dt.timedelta(days=1)).date()
            parts.append(
                f"{name} {operators[op]} {periods[value]} ({start.date().isoformat()} – {last.isoformat()})"
            )
        elif op in ("empty", "not_empty"):
            parts.append(f"{name} {operators[op]}")
        else:
            shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
            verb = str(operators.get(op, op)).split(" (")[0]
            parts.append(f"{name} {verb} {shown}")
    lines = [_("Dataset: %(name)s") % {"name": dataset.label}]
    lines.append(_("Filters: %(list)s") % {"list": "; ".join(parts) if parts else _("none")})
    groups = []
    for ref in spec.get("group_by") or []:
        key, _sep, bucket = str(ref).partition(":")
        dimension = dataset.dimension(key)
        if dimension is not None:
            groups.append(f"{dimension.label} ({bucket})" if bucket else str(dimension.label))
    if groups:
        lines.append(_("Grouped by: %(list)s") % {"list": ", ".join(groups)})
    return lines


# --- Files -------------------------------------------------------------------------------------


def _lines(result: compiler.Result, pivot: bool) -> tuple[list[list], set[int]]:
    """Every line of the file (the header or headings first) and which are headings."""
    grid = pivot_of(result) if pivot else None
    if grid is not None:
        return pivot_grid(grid), _heading_rows(grid)
    header, body = table_of(result)
    return [[str(h) for h in header], *body], {0}


def to_csv(result: compiler.Result, *, pivot: bool = False) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheet programs read Chinese), formulas as text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in _lines(result, pivot)[0]:
        writer.writerow([safe_cell(cell) for cell in line])
    return ("\ufeff" + buffer.getvalue()).encode()


def _sheet_title(title: str) -> str:
    return (re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip() or "Report")[:31]


def to_xlsx(result: compiler.Result, title: str, *, pivot: bool = False) -> bytes:
    """One sheet: the table (header in bold, frozen), or the pivot grid with its headings."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(title)
    lines, headings = _lines(result, pivot)
    bold = Font(bold=True)
    for index, line in enumerate(lines):
        sheet.append([None if cell == "" else safe_cell(cell) for cell in line])
        if index in headings:
            for cell in sheet[index + 1]:
                cell.font = bold
    sheet.freeze_panes = "B2" if pivot and len(lines) > 1 else "A2"
    for column in sheet.columns:
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(longest + 2, 8), 50)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


PDF_COLUMNS_PER_TABLE = 12  # pivot columns beside the row labels before they continue below


def to_pdf(
    result: compiler.Result,
    title: str,
    *,
    pivot: bool = False,
    description: list[str] | tuple = (),
    brand: dict | None = None,
) -> bytes:
    """The report on A4 (landscape when wide) in the organisation's branding: its name, logo and
    colour, the title and what the report covers (`description`: filters and period), then the
    table or pivot with its header row repeated on every page, and page numbers."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table

    from kernel import pdf

    brand = brand or pdf.brand()
    s = pdf.styles(brand["primary"])
    grid_colour = colors.HexColor("#c8ccd2")
    shade = colors.HexColor("#f2f4f7")
    p = pdf.paragraph
    grid = pivot_of(result) if pivot else None
    if grid is not None:
        width_in_columns = min(len(grid.columns), PDF_COLUMNS_PER_TABLE) + 2
    else:
        width_in_columns = len(result.columns)
    pagesize = landscape(A4) if width_in_columns > 6 else A4
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{title} · {brand['name']}",
        author=brand["name"],
        subject=_("Report"),
        creator="Facilis",
    )
    width = doc.width
    logo = pdf.logo(11)
    head = [p(brand["name"], s["org"]), p(title, s["title"])]
    story = [
        Table(
            [[logo or "", head]],
            colWidths=[28 * mm if logo else 2 * mm, width - (28 * mm if logo else 2 * mm)],
            style=[
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, 0), 2, colors.HexColor(brand["primary"])),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ],
        ),
        Spacer(1, 3 * mm),
    ]
    story += [p(line, s["small"]) for line in description]
    story.append(Spacer(1, 3 * mm))
    base_style = [
        ("GRID", (0, 0), (-1, -1), 0.5, grid_colour),
        ("BACKGROUND", (0, 0), (-1, 0), shade),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]

    def figure(value):
        return p(_number(value), s["num"]) if value not in (None, "") else ""

    def total(value):
        return p(DASH, s["num"]) if value is None else figure(value)

    if grid is not None:
        for block in grid.blocks:
            story.append(p(block.label, s["h2"]))
            chunks = [
                range(start, min(start + PDF_COLUMNS_PER_TABLE, len(grid.columns)))
                for start in range(0, len(grid.columns), PDF_COLUMNS_PER_TABLE)
            ] or [range(0)]
            for number, chunk in enumerate(chunks):
                last_chunk = number == len(chunks) - 1
                header = [p(f"{grid.row_label} \\ {grid.column_label}", s["label"])]
                header += [p(grid.columns[i], s["label"]) for i in chunk]
                if last_chunk:
                    header.append(p(_("Total"), s["label"]))
                rows = [header]
                for r, name in enumerate(grid.rows):
                    line = [p(name, s["cell"])] + [figure(block.cells[r][i]) for i in chunk]
                    if last_chunk:
                        line.append(total(block.row_totals[r]))
                    rows.append(line)
                totals = [p(_("Total"), s["cell"])]
                totals += [total(block.column_totals[i]) for i in chunk]
                if last_chunk:
                    totals.append(total(block.total))
                rows.append(totals)
                count = len(header)
                first_width = min(45 * mm, width / count * 2)
                widths = [first_width] + [(width - first_width) / max(count - 1, 1)] * (count - 1)
                story.append(
                    Table(
                        rows,
                        colWidths=widths,
                        repeatRows=1,
                        style=[*base_style, ("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), shade)],
                    )
                )
                story.append(Spacer(1, 3 * mm))
    else:
        header, body = table_of(result)
        kinds = [c["kind"] for c in result.columns]
        rows = [[p(h, s["label"]) for h in header]]
        for line in body:
            rows.append(
                [
                    figure(cell) if kind == "measure" else p(cell, s["cell"])
                    for cell, kind in zip(line, kinds, strict=True)
                ]
            )
        if not body:
            rows.append([p(_("No rows."), s["cell"])] + [""] * (len(header) - 1))
        story.append(
            Table(rows, colWidths=[width / max(len(header), 1)] * len(header), repeatRows=1, style=base_style)
        )
    printed = _("Printed %(at)s · %(org)s") % {
        "at": timezone.now().astimezone(local_zone()).strftime("%Y-%m-%d %H:%M"),
        "org": brand["name"],
    }
    footer = pdf.footer(printed)

    def later_page(canvas, doc_):
        footer(canvas, doc_)
        canvas.saveState()
        canvas.setFont(pdf.font(), 7.5)
        canvas.setFillGray(0.4)
        canvas.drawString(doc_.leftMargin, doc_.pagesize[1] - 10 * mm, f"{brand['name']} · {title}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=later_page)
    return buffer.getvalue()


def render(report, result: compiler.Result, fmt: str) -> tuple[bytes, str, str]:
    """A saved report's result as a file: (content, content type, file name)."""
    pivot = report.view == "pivot"
    title = report.display_name
    if fmt == "csv":
        data = to_csv(result, pivot=pivot)
    elif fmt == "xlsx":
        data = to_xlsx(result, title, pivot=pivot)
    elif fmt == "pdf":
        data = to_pdf(result, title, pivot=pivot, description=describe(report.spec))
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return data, CONTENT_TYPES[fmt], f"report-{report.pk}.{fmt}"
