from kernel.panels import ModulePanel
from portal.models import ArticleKind, ArticlePage, FaqPage


class ContentPanel(ModulePanel):
    name = "portal-content"
    template_name = "portal/panels/content.html"

    def data(self, request):
        articles = ArticlePage.objects.live()
        return {
            "news": articles.filter(kind=ArticleKind.NEWS).count(),
            "notices": articles.filter(kind=ArticleKind.NOTICE).count(),
            "faq": FaqPage.objects.live().count(),
            "latest": articles.order_by("-last_published_at")[:4],
        }
