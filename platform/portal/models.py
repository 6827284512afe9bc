"""The portal's page types: home, news and notices, FAQ with categories, service pages.

Each tenant edits its own tree in the console (Wagtail). Texts are bilingual: the
Chinese fields are the page's own, `*_en` are shown to English readers when filled.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.snippets.models import register_snippet

from kernel.models import BilingualNamed


class HomePage(Page):
    intro = models.TextField(_("welcome text"), blank=True)
    intro_en = models.TextField(_("welcome text (English)"), blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)

    content_panels = [*Page.content_panels, "title_en", "intro", "intro_en"]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["portal.NewsIndexPage", "portal.FaqIndexPage", "portal.ServicePage"]
    max_count = 1

    class Meta:
        verbose_name = _("portal home page")

    def get_context(self, request, *args, **kwargs):
        from kernel.views import portal_entries

        context = super().get_context(request, *args, **kwargs)
        context["tiles"] = portal_entries(request.tenant)
        news = ArticlePage.objects.live().descendant_of(self).order_by("-date", "-pk")
        context["news"] = news.filter(kind=ArticleKind.NEWS)[:4]
        context["notices"] = news.filter(kind=ArticleKind.NOTICE)[:5]
        return context


class ArticleKind(models.TextChoices):
    NEWS = "news", _("News")
    NOTICE = "notice", _("Announcement")


class NewsIndexPage(Page):
    """A list of articles of one kind: news (新闻动态) or announcements (通知公告)."""

    kind = models.CharField(_("kind"), max_length=10, choices=ArticleKind.choices, default=ArticleKind.NEWS)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    content_panels = [*Page.content_panels, "title_en", "kind", "intro", "intro_en"]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.ArticlePage"]

    class Meta:
        verbose_name = _("news or announcements list")

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        context = super().get_context(request, *args, **kwargs)
        articles = ArticlePage.objects.live().child_of(self).order_by("-date", "-pk")
        context["articles"] = Paginator(articles, 10).get_page(request.GET.get("page"))
        return context


class ArticlePage(Page):
    kind = models.CharField(
        _("kind"), max_length=10, choices=ArticleKind.choices, default=ArticleKind.NEWS, editable=False
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    body = RichTextField(_("text"), blank=True)
    body_en = RichTextField(_("text (English)"), blank=True)
    pinned = models.BooleanField(_("pinned"), default=False)

    content_panels = [
        *Page.content_panels,
        "title_en",
        MultiFieldPanel(["date", "pinned"], heading=_("Publication")),
        "summary",
        FieldPanel("body"),
        "summary_en",
        FieldPanel("body_en"),
    ]
    parent_page_types = ["portal.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("article")

    def save(self, *args, **kwargs):
        parent = self.get_parent() if self.pk or self.path else None
        if parent is not None and isinstance(parent.specific, NewsIndexPage):
            self.kind = parent.specific.kind
        super().save(*args, **kwargs)


@register_snippet
class FaqCategory(BilingualNamed):
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = ["name", "name_en", "sort_order"]

    class Meta:
        verbose_name = _("FAQ category")
        verbose_name_plural = _("FAQ categories")
        ordering = ["sort_order", "name"]


class FaqIndexPage(Page):
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    content_panels = [*Page.content_panels, "title_en", "intro", "intro_en"]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.FaqPage"]

    class Meta:
        verbose_name = _("FAQ knowledge base")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        questions = (
            FaqPage.objects.live()
            .child_of(self)
            .select_related("category")
            .order_by("category__sort_order", "title")
        )
        groups: dict = {}
        for question in questions:
            groups.setdefault(question.category, []).append(question)
        context["groups"] = list(groups.items())
        return context


class FaqPage(Page):
    """One question (the page title) and its answer."""

    title_en = models.CharField(_("question (English)"), max_length=255, blank=True)
    category = models.ForeignKey(
        FaqCategory, verbose_name=_("category"), null=True, blank=True, on_delete=models.SET_NULL
    )
    answer = RichTextField(_("answer"))
    answer_en = RichTextField(_("answer (English)"), blank=True)

    content_panels = [
        *Page.content_panels,
        "title_en",
        "category",
        FieldPanel("answer"),
        FieldPanel("answer_en"),
    ]
    parent_page_types = ["portal.FaqIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("FAQ question")


class ServicePage(Page):
    """A page about a service: hours, contacts, how to apply."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    body = RichTextField(_("text"), blank=True)
    body_en = RichTextField(_("text (English)"), blank=True)

    content_panels = [*Page.content_panels, "title_en", FieldPanel("body"), FieldPanel("body_en")]
    parent_page_types = ["portal.HomePage", "portal.ServicePage"]
    subpage_types = ["portal.ServicePage"]

    class Meta:
        verbose_name = _("service page")
