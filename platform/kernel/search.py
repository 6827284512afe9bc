"""Full-text search that understands Chinese, on PostgreSQL alone.

PostgreSQL's text search has no Chinese word splitter (zhparser is not in Debian), so
Chinese runs are cut into single characters and overlapping pairs — the "CJK bigram"
analysis search engines use — and Latin text into lower-case words. Documents and
queries are cut the same way; a query matches a document holding all its pieces.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import F, Value
from django.utils.html import strip_tags

from kernel.models import SearchEntry

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[0-9a-z]+", re.IGNORECASE)
_IS_CJK = re.compile(rf"[{_CJK}]")


def document_tokens(text: str) -> str:
    """Text as indexed: words, Chinese characters and Chinese pairs."""
    out: list[str] = []
    for run in _RUNS.findall((text or "").lower()):
        if _IS_CJK.match(run):
            out.extend(run)
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return " ".join(out)


def query_tokens(text: str) -> str:
    """Text as searched: a Chinese run of two or more characters must match its pairs."""
    out: list[str] = []
    for run in _RUNS.findall((text or "").lower()):
        if _IS_CJK.match(run) and len(run) > 1:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return " ".join(dict.fromkeys(out))  # unique, in order


def index(
    *,
    key: str,
    kind: str,
    title: str,
    url: str,
    title_en: str = "",
    summary: str = "",
    summary_en: str = "",
    body: str = "",
    model_label: str = "",
    object_pk: int | None = None,
    public: bool = True,
) -> SearchEntry:
    """Add or refresh one entry (HTML is stripped)."""
    summary, summary_en = strip_tags(summary).strip(), strip_tags(summary_en).strip()
    heading = document_tokens(f"{title} {title_en}")
    text = document_tokens(" ".join([summary, summary_en, strip_tags(body)]))
    entry, _created = SearchEntry.objects.update_or_create(
        object_key=key,
        defaults={
            "kind": kind,
            "title": title[:300],
            "title_en": title_en[:300],
            "summary": summary[:1000],
            "summary_en": summary_en[:1000],
            "url": url,
            "model_label": model_label,
            "object_pk": object_pk,
            "public": public,
        },
    )
    SearchEntry.objects.filter(pk=entry.pk).update(
        search_vector=SearchVector(Value(heading), config="simple", weight="A")
        + SearchVector(Value(text), config="simple", weight="B")
    )
    return entry


def remove(key: str) -> None:
    SearchEntry.objects.filter(object_key=key).delete()


def search(text: str, *, principal=None, limit: int = 20) -> list[SearchEntry]:
    """Entries matching every piece of `text`, best first, that the principal may see."""
    pieces = query_tokens(text)
    if not pieces:
        return []
    query = SearchQuery(pieces, config="simple", search_type="plain")
    entries = (
        SearchEntry.objects.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "-updated_at")
    )
    signed_in = principal is not None and getattr(principal, "is_authenticated", False)
    if not signed_in:
        entries = entries.filter(public=True)
    results = []
    for entry in entries[: limit * 3]:
        if entry.model_label and not _may_see(entry, principal):
            continue
        results.append(entry)
        if len(results) == limit:
            break
    return results


def _may_see(entry: SearchEntry, principal) -> bool:
    from django.apps import apps

    from identity.access import restrict

    model = apps.get_model(entry.model_label)
    return restrict(model._default_manager.filter(pk=entry.object_pk), principal, "view").exists()
