"""Article metadata from a parsed page: JSON-LD first, then OpenGraph and meta tags, then markup.

Everything here reads an lxml tree and never changes it, so the same tree is
handed on to body extraction afterwards.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from htmldate import find_date
from lxml.etree import XPath
from lxml.html import HtmlElement

from archive.records import ArticleMetadata
from crawler.extraction import json_ld
from crawler.extraction.authors import extract_authors, site_keys
from crawler.extraction.dates import DateReading, as_shown, date_from_url, in_time_zone, most_precise, page_time_zone, read_date
from crawler.extraction.meta_tags import MetaTags
from crawler.extraction.titles import extract_title

PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "sailthru.date",
    "parsely-pub-date",
    "dcterms.created",
    "dc.date.issued",
    "cXenseParse:recs:publishtime",
    "date",
)
"""The ``<meta>`` tags that date a publication, in the order they are trusted (whatever their order on the page):
tags that name the publication first; the generic ``dc.date.issued`` and ``date``, which many systems fill with
the time of the latest change, and the recommendation engines' copy of the time, after them."""
MODIFIED_META = ("article:modified_time", "og:updated_time", "dateModified", "dcterms.modified", "last-modified")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")
HTMLDATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
NOT_A_TOPIC = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-|^_|^(category|nlp\b[^:]*|section|tag|type|author)\s*:|(?-i:^[a-z0-9.-]+\.(com|net|org|co\.uk|com\.au|ca|de|fr)$)",
    re.IGNORECASE,
)
"""Internal labels some sites list among their tags: ids, "Category: …", "_commerce", the site's domain name."""
MAX_TOPIC_LENGTH = 100
TAG_LINKS = XPath('//a[contains(concat(" ", normalize-space(@rel), " "), " tag ")]')
UPDATE_CLASS = re.compile(r"modifi|moddate|[\w-]updated|updated[\w-]", re.IGNORECASE)
UPDATE_LABEL = re.compile(
    r"\b(updated?|last modified|actualizad[oa]|aktualisiert|mis à jour|aggiornat[oa]|atualizad[oa]|zaktualizowan[oy]|aktualizováno|güncellenme)\b",
    re.IGNORECASE,
)
"""A ``<time>`` of the latest change: its class or itemprop says so ("date-updated", "dateModified"; not the bare
"updated" of WordPress themes, which mark the publication "entry-date published updated"), or its text
("Actualizado el 25/05/2025 21:57 h", "Aktualisiert am", "Mis à jour le")."""
CANONICAL_LINKS = XPath('//link[@rel="canonical"]/@href')


@dataclass
class PageMetadata(ArticleMetadata):
    """The archived metadata fields, plus what the crawler needs to judge the page."""

    site_name: str | None = None
    json_ld_article: bool = False
    """The page's JSON-LD describes it as an article (Article, NewsArticle, BlogPosting, ...)."""
    og_article: bool = False


def _split(values: list[str]) -> list[str]:
    return [part for value in values for part in value.split(",")]


def _topic_sources(tree: HtmlElement, meta: MetaTags, article: dict[str, Any]) -> Iterator[list[str]]:
    """Each source's list in turn, read only when the ones before it gave no topic."""
    yield _split(meta.values("article:tag"))
    yield _split(meta.values("keywords"))
    keywords = article.get("keywords")
    yield _split([keywords]) if isinstance(keywords, str) else json_ld.names(keywords)
    yield _split(meta.values("news_keywords"))
    yield [a.text_content() for a in TAG_LINKS(tree)]


def extract_topics(tree: HtmlElement, meta: MetaTags, article: dict[str, Any]) -> list[str]:
    """The page's tags from the first source that lists any.

    Sources, in order: ``article:tag``, the keywords ``<meta>``, JSON-LD ``keywords``,
    ``news_keywords``, ``rel=tag`` links. Each is a publisher's whole list, so they are not
    mixed; internal labels (:data:`NOT_A_TOPIC`) and duplicates (any case) are dropped.
    """
    for source in _topic_sources(tree, meta, article):
        topics: list[str] = []
        seen: set[str] = set()
        for topic in source:
            topic = " ".join(html.unescape(topic).split())
            if topic and len(topic) <= MAX_TOPIC_LENGTH and not NOT_A_TOPIC.search(topic) and topic.casefold() not in seen:
                seen.add(topic.casefold())
                topics.append(topic)
        if topics:
            return topics
    return []


def _published_from_markup(tree: HtmlElement, zone: ZoneInfo | None) -> DateReading | None:
    """The first ``<time>`` element's ``datetime``, told by the text it shows (``as_shown``); a ``<time>`` of the
    latest change (:data:`UPDATE_CLASS`, :data:`UPDATE_LABEL`) dates no publication."""
    for element in tree.iter("time"):
        reading = read_date(element.get("datetime"))
        if reading is None or UPDATE_CLASS.search(f"{element.get('class', '')} {element.get('itemprop', '')}"):
            continue
        shown = element.text_content()
        if not UPDATE_LABEL.search(shown):
            return as_shown(reading, shown, zone)
    return None


def _language_tag(value: str | None) -> str | None:
    """A BCP 47 language tag such as "en" or "en-US", or None for anything else."""
    tag = (value or "").strip().replace("_", "-")
    return tag if LANGUAGE_TAG.match(tag) else None


def _published_by_htmldate(tree: HtmlElement, url: str, extensive: bool = False) -> DateReading | None:
    """htmldate's reading of the page's markup, or with ``extensive`` of its text too; at midnight it is a day, whatever
    its format says (``read_date``); nothing where htmldate fails on a string it takes for a date (an asset path such
    as ``/static/2024-03-07T16:09:04-6890adf/``, whose "offset" is out of range)."""
    try:
        found = find_date(tree, url=url, original_date=True, extensive_search=extensive, outputformat=HTMLDATE_FORMAT)
    except (ValueError, OverflowError):
        return None
    return read_date(found) if isinstance(found, str) else None


def extract_published(tree: HtmlElement, url: str, meta: MetaTags, article: dict[str, Any], zone: ZoneInfo | None) -> DateReading | None:
    """The publication date: the first source that gives one, as precisely as any source states it.

    Sources, in order: JSON-LD ``datePublished`` and ``dateCreated``, the publication
    ``<meta>`` tags, the first ``<time datetime>``, the URL. Unless they already give a time
    with an offset, htmldate's reading of the markup is asked too: it refines a date the
    sources give less precisely, and where the date came only from ``<time>`` or the URL
    and htmldate names another moment, htmldate's date is taken. Where nothing in the markup
    dates the page, htmldate's search of its text ("13 January 2025, 20:01") does.
    """
    declared = [
        read_date(value)
        for value in (
            json_ld.text(article.get("datePublished")),
            json_ld.text(article.get("dateCreated")),
            *meta.values_by_name(*PUBLISHED_META),
        )
    ]
    found = [reading for reading in (*declared, _published_from_markup(tree, zone), date_from_url(url)) if reading]
    if found and found[0].has_time and found[0].has_offset:
        return most_precise(found)
    by_htmldate = _published_by_htmldate(tree, url)
    if not (found or by_htmldate):
        return _published_by_htmldate(tree, url, extensive=True)
    if by_htmldate and found and not any(declared) and not found[0].states_same_moment(by_htmldate):
        return most_precise([by_htmldate, *found])
    return most_precise([*found, by_htmldate])


def extract_metadata(tree: HtmlElement, url: str) -> PageMetadata:
    """Title, authors, dates, language, tags, description and canonical URL of a page."""
    objects = json_ld.json_ld_objects(tree)
    article = next((obj for obj in objects if json_ld.is_article(obj)), {})
    meta = MetaTags.read(tree)
    site_name = meta.first("og:site_name") or next(
        (json_ld.text(obj.get("name")) for obj in objects if "WebSite" in json_ld.types(obj) and obj.get("name")), None
    )
    publisher = json_ld.text(json_ld.resolve(article.get("publisher"), objects))
    site = site_keys([site_name, publisher, urlsplit(url).hostname])
    title = extract_title(tree, meta, article, site)

    language_candidates = [tree.get("lang"), tree.get("xml:lang"), *meta.values("content-language", "og:locale", "dc.language")]
    language_candidates.append(json_ld.text(article.get("inLanguage")))
    language_tags = [tag for tag in map(_language_tag, language_candidates) if tag]
    language = next(iter(language_tags), None)

    zone = page_time_zone(urlsplit(url).hostname, language_tags)
    published = in_time_zone(extract_published(tree, url, meta, article, zone), zone)
    modified_readings = (read_date(value) for value in (json_ld.text(article.get("dateModified")), *meta.values(*MODIFIED_META)))
    modified = in_time_zone(most_precise(modified_readings), zone)
    canonical = next(iter(CANONICAL_LINKS(tree)), None) or meta.first("og:url")

    return PageMetadata(
        title=title,
        authors=extract_authors(tree, meta, article, objects, site),
        published_at=published,
        modified_at=modified,
        description=meta.first("og:description", "description", "twitter:description") or json_ld.text(article.get("description")),
        language=language,
        tags=extract_topics(tree, meta, article),
        canonical_url=canonical.strip() if canonical else None,
        site_name=site_name,
        json_ld_article=bool(article),
        og_article=(meta.first("og:type") or "").lower() == "article",
    )
