"""Portal pages into the tenant's search index, as they are published and withdrawn."""

from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from kernel import search
from portal.models import ArticlePage, FaqPage, ServicePage

KINDS = {ArticlePage: "article", FaqPage: "faq", ServicePage: "service"}


def index_page(page) -> None:
    page = page.specific
    kind = KINDS.get(type(page))
    if kind is None:
        return
    if kind == "article":
        kind = page.kind
    search.index(
        key=f"page:{page.pk}",
        kind=kind,
        title=page.title,
        title_en=page.title_en,
        summary=getattr(page, "summary", "") or getattr(page, "answer", "") or getattr(page, "body", ""),
        summary_en=getattr(page, "summary_en", "")
        or getattr(page, "answer_en", "")
        or getattr(page, "body_en", ""),
        body=" ".join(
            filter(
                None,
                [getattr(page, "body", ""), getattr(page, "body_en", ""), getattr(page, "answer_en", "")],
            )
        ),
        url=page.url or "",
    )


@receiver(page_published)
def _published(sender, instance, **kwargs):
    index_page(instance)


@receiver(page_unpublished)
def _unpublished(sender, instance, **kwargs):
    search.remove(f"page:{instance.pk}")


@receiver(post_delete)
def _deleted(sender, instance, **kwargs):
    if sender in KINDS:
        search.remove(f"page:{instance.pk}")
