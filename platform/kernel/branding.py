"""A tenant's look: name, logo, colours, favicon, e-mail sender and footer, for every surface."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    hex_colour = hex_colour.lstrip("#")
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def readable_on(hex_colour: str) -> str:
    """Black or white, whichever contrasts more with the colour (WCAG relative luminance)."""
    lum = luminance(hex_colour)
    return "#000000" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "#ffffff"


def hsl(hex_colour: str) -> tuple[int, int, int]:
    import colorsys

    hex_colour = hex_colour.lstrip("#")
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4))
    h, lightness, s = colorsys.rgb_to_hls(r, g, b)
    return round(h * 360), round(s * 100), round(lightness * 100)


@dataclass
class Branding:
    name: str
    short_name: str
    primary: str
    accent: str
    on_primary: str
    logo_url: str | None
    favicon_url: str | None
    email_sender: str
    email_footer: str
    base_url: str

    @property
    def absolute_logo_url(self) -> str | None:
        return f"{self.base_url}{self.logo_url}" if self.logo_url else None


def branding_for(tenant=None) -> Branding | None:
    """The branding of a tenant (default: the current one); None on the operator site."""
    if tenant is None:
        tenant = getattr(connection, "tenant", None)
        if tenant is None or not hasattr(tenant, "brand_primary_colour"):
            from kernel.modules import current_tenant

            tenant = current_tenant()
    if tenant is None:
        return None
    from django.urls import reverse

    domain = tenant.primary_domain or "localhost"
    scheme = "https" if not settings.DEBUG and not domain.endswith("localhost") else "http"
    port = getattr(settings, "PORTAL_PORT_SUFFIX", "")
    version = int(tenant.updated_at.timestamp()) if tenant.updated_at else 0
    return Branding(
        name=tenant.display_name,
        short_name=tenant.brand_short_name or tenant.display_name,
        primary=tenant.brand_primary_colour,
        accent=tenant.brand_accent_colour,
        on_primary=readable_on(tenant.brand_primary_colour),
        logo_url=f"{reverse('brand-asset', kwargs={'kind': 'logo'})}?v={version}"
        if tenant.brand_logo
        else None,
        favicon_url=f"{reverse('brand-asset', kwargs={'kind': 'favicon'})}?v={version}"
        if tenant.brand_favicon
        else None,
        email_sender=tenant.brand_email_sender_name or tenant.display_name,
        email_footer=tenant.brand_email_footer,
        base_url=f"{scheme}://{domain}{port}",
    )
