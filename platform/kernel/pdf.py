"""Shared pieces of every branded PDF (ReportLab): the embedded CJK font, paragraph styles in the
tenant's colours, the organisation's name and logo, and the footer with page numbers.

Chinese text needs a TrueType CJK font embedded as a subset (ADR 0012): the first of
`PDF_CJK_FONT` (setting: a .ttf/.ttc path) and the Debian fonts below that exists.
`bin/bootstrap` installs fonts-wqy-zenhei. Without any, ReportLab's built-in STSong-Light is
used (not embedded: readers need their own CJK font).
"""

from __future__ import annotations

import io
import logging
import threading
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

FONT_NAME = "FacilisCJK"
FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", None),
)
FALLBACK_CID_FONT = "STSong-Light"
_font_lock = threading.Lock()
_font: str | None = None


def font() -> str:
    """The registered name of the CJK font (registered once per process)."""
    global _font
    if _font is not None:
        return _font
    with _font_lock:
        if _font is not None:
            return _font
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        configured = getattr(settings, "PDF_CJK_FONT", "") or ""
        candidates = ([(configured, 0)] if configured else []) + list(FONT_CANDIDATES)
        for path, index in candidates:
            if not Path(path).is_file():
                continue
            try:
                kwargs = {"subfontIndex": index} if index is not None else {}
                pdfmetrics.registerFont(TTFont(FONT_NAME, path, **kwargs))
            except Exception:  # a broken font file: try the next one
                log.warning("cannot use %s as the PDF font", path, exc_info=True)
                continue
            _font = FONT_NAME
            return _font
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        log.warning("no CJK TrueType font found for PDFs; using %s (not embedded)", FALLBACK_CID_FONT)
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
        _font = FALLBACK_CID_FONT
        return _font


def styles(primary: str):
    """Paragraph styles in the CJK font, headings in the tenant's primary colour."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    name = font()
    body = ParagraphStyle("body", fontName=name, fontSize=9.5, leading=13, wordWrap="CJK")
    return {
        "body": body,
        "small": ParagraphStyle(
            "small", parent=body, fontSize=8, leading=10.5, textColor=colors.HexColor("#555555")
        ),
        "label": ParagraphStyle("label", parent=body, fontSize=8.5, textColor=colors.HexColor("#555555")),
        "title": ParagraphStyle("title", parent=body, fontSize=17, leading=22),
        "org": ParagraphStyle(
            "org", parent=body, fontSize=11, leading=14, textColor=colors.HexColor(primary)
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontSize=11,
            leading=15,
            spaceBefore=8,
            spaceAfter=4,
            textColor=colors.HexColor(primary),
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9, leading=12),
        "num": ParagraphStyle("num", parent=body, fontSize=9, leading=12, alignment=2),
        "big": ParagraphStyle("big", parent=body, fontSize=13, leading=17),
    }


def paragraph(text, style):
    """Text (escaped; empty as "—"; new lines kept) as a Paragraph."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text if text not in (None, "") else "—")).replace("\n", "<br/>"), style)


def brand() -> dict:
    """The current tenant's name and colours (kernel.branding), with defaults outside one."""
    from kernel.branding import branding_for

    found = branding_for()
    name = found.name if found else ""
    return {
        "name": name,
        "short": found.short_name if found else name,
        "primary": found.primary if found else "#1f6feb",
        "accent": found.accent if found else "#0e9f6e",
    }


def logo(height_mm: float):
    """The current tenant's logo as an image flowable of the given height, or None."""
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image

    from kernel.modules import current_tenant

    tenant = current_tenant()
    field = getattr(tenant, "brand_logo", None)
    if not field:
        return None
    try:
        with field.open("rb") as handle:
            data = handle.read()
        reader = ImageReader(io.BytesIO(data))
        width, height = reader.getSize()
    except (OSError, ValueError):
        log.warning("the logo of %s cannot be read", getattr(tenant, "schema_name", "?"), exc_info=True)
        return None
    target = height_mm * mm
    return Image(io.BytesIO(data), width=target * width / height, height=target)


def footer(text: str):
    """A page callback: `text` at the bottom left, "Page n" at the bottom right."""

    def draw(canvas, doc):
        from reportlab.lib.units import mm

        canvas.saveState()
        canvas.setFont(font(), 7.5)
        canvas.setFillGray(0.4)
        canvas.drawString(doc.leftMargin, 9 * mm, text)
        canvas.drawRightString(
            doc.pagesize[0] - doc.rightMargin, 9 * mm, _("Page %(n)s") % {"n": canvas.getPageNumber()}
        )
        canvas.restoreState()

    return draw
