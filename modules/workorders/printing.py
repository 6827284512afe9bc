"""Printed work orders: the branded PDF sheet of one order (with a QR code back to the
reporter's page) and the monthly chargeback statement (PDF and XLSX).

PDFs are drawn with ReportLab; the embedded CJK font, styles, branding and footer come from
`kernel.pdf` (ADR 0012).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import segno
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.platypus import Flowable

from kernel import pdf
from kernel.pdf import FONT_NAME, font  # noqa: F401 (the names printing has always offered)

# The font, styles, branding and footer are shared with every branded PDF (kernel.pdf).
_styles = pdf.styles
_p = pdf.paragraph
_brand = pdf.brand
_logo = pdf.logo
_footer = pdf.footer


def _local(value, fmt="%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        from modules.workorders.stats import zone

        return value.astimezone(zone()).strftime(fmt)
    return value.strftime(fmt)


def _money(value) -> str:
    return f"{Decimal(value or 0):,.2f}"


class QrCode(Flowable):
    """A QR code drawn as vector squares (sharp at any print size), with a quiet zone."""

    BORDER = 2

    def __init__(self, url: str, size: float):
        super().__init__()
        self.matrix = [list(row) for row in segno.make(url, error="m").matrix]
        self.size = size

    def wrap(self, *args):
        return self.size, self.size

    def draw(self):
        count = len(self.matrix) + 2 * self.BORDER
        cell = self.size / count
        self.canv.setFillColorRGB(0, 0, 0)
        for y, row in enumerate(self.matrix):
            for x, dark in enumerate(row):
                if dark:
                    self.canv.rect(
                        (x + self.BORDER) * cell,
                        self.size - (y + self.BORDER + 1) * cell,
                        cell,
                        cell,
                        stroke=0,
                        fill=1,
                    )


# --- The work-order sheet ---------------------------------------------------------------------------


def order_sheet(order, *, portal_url: str) -> bytes:
    """One order on an A4 page (or more): who, where, what, the work, materials, costs, the
    signatures, and a QR code that opens the reporter's page of the order."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table

    brand = _brand()
    s = _styles(brand["primary"])
    grid = colors.HexColor("#c8ccd2")
    shade = colors.HexColor("#f2f4f7")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=16 * mm,
        title=f"{order.number} · {brand['name']}",
        author=brand["name"],
        subject=_("Work order"),
        creator="Facilis",
    )
    width = doc.width
    story = []

    # Header: logo, organisation and title, the QR code with the order number.
    logo = _logo(14)
    heading = [_p(brand["name"], s["org"]), _p(_("Work order") + f"  {order.number}", s["title"])]
    qr = Table(
        [[QrCode(portal_url, 26 * mm)], [_p(_("Scan to follow this order"), s["small"])]],
        colWidths=[30 * mm],
        style=[("ALIGN", (0, 0), (-1, -1), "CENTER"), ("LEFTPADDING", (0, 0), (-1, -1), 0)],
    )
    head = Table(
        [[logo or "", heading, qr]],
        colWidths=[32 * mm if logo else 2 * mm, width - (64 * mm if logo else 34 * mm), 32 * mm],
        style=[
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LINEBELOW", (0, 0), (-1, 0), 2, colors.HexColor(brand["primary"])),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ],
    )
    story += [head, Spacer(1, 4 * mm)]

    # The facts, two pairs per row.
    location = " / ".join(str(x) for x in order.room.path())
    reporter = order.reporter or order.contact_name or "—"
    contact = " ".join(x for x in (order.contact_name, order.contact_phone) if x)
    facts = [
        (_("Status"), order.get_status_display(), _("Priority"), order.get_priority_display()),
        (_("Reported"), _local(order.submitted_at), _("Channel"), order.get_channel_display()),
        (_("Trade"), order.trade, _("Department"), order.department or "—"),
        (_("Reporter"), reporter, _("Contact"), contact or "—"),
        (_("Preferred time"), order.preferred_time or "—", _("Logged by"), order.desk_officer or "—"),
        (_("Team"), order.team or "—", _("Worker"), order.assignee or "—"),
        (_("Respond by"), _local(order.response_due_at), _("Resolve by"), _local(order.resolution_due_at)),
        (_("Started"), _local(order.started_at), _("Completed"), _local(order.completed_at)),
    ]
    rows = [[_p(_("Location"), s["label"]), _p(location, s["body"]), "", ""]]
    rows += [
        [_p(a, s["label"]), _p(b, s["body"]), _p(c, s["label"]), _p(d, s["body"])] for a, b, c, d in facts
    ]
    label_w = 24 * mm
    value_w = (width - 2 * label_w) / 2
    story.append(
        Table(
            rows,
            colWidths=[label_w, value_w, label_w, value_w],
            style=[
                ("SPAN", (1, 0), (3, 0)),
                ("GRID", (0, 0), (-1, -1), 0.5, grid),
                ("BACKGROUND", (0, 0), (0, -1), shade),
                ("BACKGROUND", (2, 1), (2, -1), shade),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ],
        )
    )

    def box(title, text, min_height):
        story.append(_p(title, s["h2"]))
        story.append(
            Table(
                [[_p(text, s["body"]) if text else ""]],
                colWidths=[width],
                rowHeights=[None if text else min_height],
                style=[("BOX", (0, 0), (-1, -1), 0.5, grid), ("VALIGN", (0, 0), (-1, -1), "TOP")],
            )
        )

    box(_("What is wrong"), order.description, 18 * mm)
    box(_("What was done"), order.completion_notes, 22 * mm)

    # Materials (blank lines to fill in by hand when none are recorded yet) and costs.
    story.append(_p(_("Materials"), s["h2"]))
    lines = list(order.materials.select_related("item"))
    table = [
        [
            _p(_("Item"), s["label"]),
            _p(_("Quantity"), s["label"]),
            _p(_("Unit cost (¥)"), s["label"]),
            _p(_("Amount (¥)"), s["label"]),
        ]
    ]
    for line in lines:
        table.append(
            [
                _p(line.item, s["cell"]),
                _p(f"{line.quantity.normalize():f} {line.item.unit}", s["num"]),
                _p(_money(line.unit_cost), s["num"]),
                _p(_money(line.amount), s["num"]),
            ]
        )
    if not lines:
        table += [["", "", "", ""] for _row in range(3)]
    labour = _("Labour: %(m)s min at the organisation's rate") % {"m": order.labour_minutes}
    table += [
        [_p(labour, s["cell"]), "", "", _p(_money(order.labour_cost), s["num"])],
        [_p(_("Materials"), s["cell"]), "", "", _p(_money(order.material_cost), s["num"])],
        [
            _p(
                _("Total")
                + " · "
                + (_("charged to the department") if order.chargeable else _("free of charge")),
                s["cell"],
            ),
            "",
            "",
            _p(_money(order.total_cost), s["num"]),
        ],
    ]
    last = len(table) - 1
    story.append(
        Table(
            table,
            colWidths=[width - 84 * mm, 28 * mm, 28 * mm, 28 * mm],
            rowHeights=[None] * len(table) if lines else [None, 8 * mm, 8 * mm, 8 * mm, None, None, None],
            repeatRows=1,
            style=[
                ("GRID", (0, 0), (-1, -1), 0.5, grid),
                ("BACKGROUND", (0, 0), (-1, 0), shade),
                ("SPAN", (0, last - 2), (2, last - 2)),
                ("SPAN", (0, last - 1), (2, last - 1)),
                ("SPAN", (0, last), (2, last)),
                ("BACKGROUND", (0, last), (-1, last), shade),
            ],
        )
    )
    if order.rating:
        story.append(Spacer(1, 2 * mm))
        story.append(
            _p(
                _("Rating: %(n)s / 5 %(comment)s") % {"n": order.rating, "comment": order.rating_comment},
                s["body"],
            )
        )

    # Signatures.
    story.append(_p(_("Signatures"), s["h2"]))
    who = [_("Worker"), _("Reporter: work checked and accepted"), _("Service desk")]
    story.append(
        Table(
            [[_p(w, s["label"]) for w in who], ["", "", ""], [_p(_("Date"), s["small"])] * 3],
            colWidths=[width / 3] * 3,
            rowHeights=[None, 16 * mm, None],
            style=[
                ("BOX", (0, 0), (0, -1), 0.5, grid),
                ("BOX", (1, 0), (1, -1), 0.5, grid),
                ("BOX", (2, 0), (2, -1), 0.5, grid),
            ],
        )
    )
    printed = _("Printed %(at)s · %(org)s · %(number)s") % {
        "at": _local(timezone.now()),
        "org": brand["name"],
        "number": order.number,
    }
    doc.build(story, onFirstPage=_footer(printed), onLaterPages=_footer(printed))
    return buffer.getvalue()


# --- The chargeback statement --------------------------------------------------------------------------


def _statement_title(statement) -> str:
    title = _("Repair chargeback statement %(month)s") % {"month": statement["month"].strftime("%Y-%m")}
    if statement["department"] is not None:
        title += " · " + str(statement["department"])
    return title


def chargeback_pdf(statement) -> bytes:
    """The statement on A4 landscape: per department its orders and a subtotal, then the total
    and lines to sign."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer, Table

    brand = _brand()
    s = _styles(brand["primary"])
    grid = colors.HexColor("#c8ccd2")
    shade = colors.HexColor("#f2f4f7")
    buffer = io.BytesIO()
    title = _statement_title(statement)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=12 * mm,
        bottomMargin=16 * mm,
        title=f"{title} · {brand['name']}",
        author=brand["name"],
        creator="Facilis",
    )
    width = doc.width
    logo = _logo(11)
    head = [_p(brand["name"], s["org"]), _p(title, s["title"])]
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
        _p(
            _(
                "Chargeable orders completed in the month; labour at the organisation's rate plus materials (¥)."
            ),
            s["small"],
        ),
    ]
    widths = [30 * mm, 24 * mm, 24 * mm, 0, 20 * mm, 24 * mm, 26 * mm, 26 * mm]
    widths[3] = width - sum(widths)
    header = [
        _p(h, s["label"])
        for h in (
            _("Work order"),
            _("Completed"),
            _("Trade"),
            _("Location and fault"),
            _("Labour (min)"),
            _("Labour (¥)"),
            _("Materials (¥)"),
            _("Total (¥)"),
        )
    ]
    for group in statement["departments"]:
        rows = [header]
        for order in group["orders"]:
            rows.append(
                [
                    _p(order["number"], s["cell"]),
                    _p(order["completed_at"].strftime("%m-%d %H:%M"), s["cell"]),
                    _p(order["trade"], s["cell"]),
                    _p(f"{order['location']} · {order['description'][:60]}", s["cell"]),
                    _p(order["labour_minutes"], s["num"]),
                    _p(_money(order["labour"]), s["num"]),
                    _p(_money(order["materials"]), s["num"]),
                    _p(_money(order["total"]), s["num"]),
                ]
            )
        rows.append(
            [
                _p(_("Subtotal: %(n)s orders") % {"n": len(group["orders"])}, s["cell"]),
                "",
                "",
                "",
                "",
                _p(_money(group["labour"]), s["num"]),
                _p(_money(group["materials"]), s["num"]),
                _p(_money(group["total"]), s["num"]),
            ]
        )
        last = len(rows) - 1
        story.append(_p(f"{group['name']}  {group['code']}", s["h2"]))
        story.append(
            Table(
                rows,
                colWidths=widths,
                repeatRows=1,
                style=[
                    ("GRID", (0, 0), (-1, -1), 0.5, grid),
                    ("BACKGROUND", (0, 0), (-1, 0), shade),
                    ("SPAN", (0, last), (4, last)),
                    ("BACKGROUND", (0, last), (-1, last), shade),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ],
            )
        )
    if not statement["departments"]:
        story.append(_p(_("No chargeable orders were completed in this month."), s["body"]))
    total = Table(
        [
            [
                _p(_("Total: %(n)s orders") % {"n": statement["count"]}, s["big"]),
                _p(_("Labour") + " " + _money(statement["labour"]), s["num"]),
                _p(_("Materials") + " " + _money(statement["materials"]), s["num"]),
                _p(_money(statement["total"]), s["big"]),
            ]
        ],
        colWidths=[width - 3 * 40 * mm, 40 * mm, 40 * mm, 40 * mm],
        style=[
            ("LINEABOVE", (0, 0), (-1, 0), 1.5, colors.HexColor(brand["primary"])),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ],
    )
    sign = Table(
        [
            [_p(w + "：", s["label"]) for w in (_("Prepared by"), _("Department head"), _("Finance"))],
            ["", "", ""],
        ],
        colWidths=[width / 3] * 3,
        rowHeights=[None, 14 * mm],
        style=[("LINEBELOW", (0, 1), (-1, 1), 0.5, grid)],
    )
    story.append(KeepTogether([Spacer(1, 5 * mm), total, Spacer(1, 6 * mm), sign]))
    printed = _("Printed %(at)s · %(org)s") % {"at": _local(timezone.now()), "org": brand["name"]}
    doc.build(story, onFirstPage=_footer(printed), onLaterPages=_footer(printed))
    return buffer.getvalue()


def chargeback_xlsx(statement) -> bytes:
    """The statement as a workbook: the orders (with a subtotal per department and the total)
    and a summary per department."""
    import tablib

    headers = [
        _("Department code"),
        _("Department"),
        _("Work order"),
        _("Completed"),
        _("Trade"),
        _("Location"),
        _("Description"),
        _("Labour (min)"),
        _("Labour (¥)"),
        _("Materials (¥)"),
        _("Total (¥)"),
    ]
    orders = tablib.Dataset(headers=headers, title=_("Orders")[:31])
    summary = tablib.Dataset(
        headers=[
            _("Department code"),
            _("Department"),
            _("Orders"),
            _("Labour (¥)"),
            _("Materials (¥)"),
            _("Total (¥)"),
        ],
        title=_("Summary")[:31],
    )
    for group in statement["departments"]:
        for order in group["orders"]:
            orders.append(
                [
                    group["code"],
                    group["name"],
                    order["number"],
                    order["completed_at"].strftime("%Y-%m-%d %H:%M"),
                    order["trade"],
                    order["location"],
                    order["description"][:500],
                    order["labour_minutes"],
                    order["labour"],
                    order["materials"],
                    order["total"],
                ]
            )
        orders.append(
            [
                group["code"],
                group["name"],
                _("Subtotal"),
                "",
                "",
                "",
                "",
                "",
                group["labour"],
                group["materials"],
                group["total"],
            ]
        )
        summary.append(
            [
                group["code"],
                group["name"],
                len(group["orders"]),
                group["labour"],
                group["materials"],
                group["total"],
            ]
        )
    orders.append(
        [
            "",
            "",
            _("Total"),
            "",
            "",
            "",
            "",
            "",
            statement["labour"],
            statement["materials"],
            statement["total"],
        ]
    )
    summary.append(
        ["", _("Total"), statement["count"], statement["labour"], statement["materials"], statement["total"]]
    )
    book = tablib.Databook([summary, orders])
    return book.export("xlsx")
