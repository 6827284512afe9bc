"""Every e-mail the product sends wears the tenant's branding: sender name, logo, colours, footer."""

from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from kernel.branding import branding_for


def send_branded_email(
    *, to: str, subject: str, text: str, action_url: str = "", action_label: str = ""
) -> None:
    brand = branding_for()
    sender_name = brand.email_sender if brand else "Facilis"
    context = {
        "brand": brand,
        "subject": subject,
        "text": text,
        "action_url": action_url,
        "action_label": action_label,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("kernel/email/message.txt", context),
        from_email=formataddr((sender_name, settings.DEFAULT_FROM_EMAIL)),
        to=[to],
    )
    message.attach_alternative(render_to_string("kernel/email/message.html", context), "text/html")
    message.send()


def send_notification_email(notification, address: str) -> None:
    from django.utils import translation

    brand = branding_for()
    url = notification.url
    if url and url.startswith("/") and brand:
        url = f"{brand.base_url}{url}"
    with translation.override(notification.recipient.language):
        send_branded_email(
            to=address,
            subject=notification.title,
            text=notification.body,
            action_url=url,
            action_label=translation.gettext("Open") if url else "",
        )
