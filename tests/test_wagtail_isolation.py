"""Tenant A's Wagtail pages, images and documents are not served on tenant B's domain."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.documents.models import Document
from wagtail.images.models import Image

from portal import demo
from portal.models import ArticlePage

pytestmark = pytest.mark.django_db


def test_pages_images_and_documents_of_a_stay_on_a(tenants, in_tenant, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (10, 120, 200)).save(buffer, format="PNG")
    with in_tenant(tenants.a):
        demo.seed(tenants.a)
        article_url = ArticlePage.objects.get(title="一站式服务大厅启用").url
        image = Image.objects.create(
            title="甲的图片", file=ImageFile(io.BytesIO(buffer.getvalue()), name="a.png")
        )
        image_url = image.get_rendition("width-20").url
        original_url = image.file.url
        document = Document.objects.create(
            title="甲的文件", file=ContentFile(b"secret minutes", name="minutes.txt")
        )
        document_url = document.url
    with in_tenant(tenants.b):
        assert not Document.objects.filter(pk=document.pk).exists()
    a, b = client_for(tenants.a), client_for(tenants.b)
    assert a.get(article_url).status_code == 200
    assert b.get(article_url).status_code == 404
    for url in (image_url, original_url):
        assert a.get(url).status_code == 200, url
        assert b.get(url).status_code == 404, url
    assert a.get(document_url).status_code == 200
    assert b.get(document_url).status_code == 404
