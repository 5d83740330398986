"""Article metadata from a parsed page: JSON-LD first, then OpenGraph and meta tags, then markup.

Everything here reads an lxml tree and never changes it, so the same tree is
handed on to body extraction afterwards.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from htmldate import find_date
from lxml.html import HtmlElement

from archive.store import ArticleMetadata
from crawler.extraction.dates import date_from_url, parse_date

ARTICLE_TYPES = frozenset(
    {
        "Article", "NewsArticle", "BlogPosting", "TechArticle", "ReportageNews", "AnalysisNewsArticle",
        "OpinionNewsArticle", "ReviewNewsArticle", "BackgroundNewsArticle", "LiveBlogPosting",
        "ScholarlyArticle", "SocialMediaPosting", "Report", "Review",
    }
)
PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "datePublished", "pubdate", "publishdate",
    "publish-date", "date", "dc.date.issued", "dcterms.created", "sailthru.date", "parsely-pub-date",
    "cXenseParse:recs:publishtime",
)
MODIFIED_META = ("article:modified_time", "og:updated_time", "dateModified", "dcterms.modified", "last-modified")
AUTHOR_PREFIX = re.compile(r"^\s*(by|written by|posted by|author:?)\s+", re.IGNORECASE)
AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|\|)\s*", re.IGNORECASE)
TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ")
MAX_JSON_LD_BYTES = 1_000_000
MAX_AUTHORS = 20
MAX_JSON_LD_DEPTH = 10
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")
HTMLDATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


@dataclass
class PageMetadata(ArticleMetadata):
    """The archived metadata fields, plus what the crawler needs to judge the page."""

    site_name: str | None = None
    json_ld_article: bool = False
    """The page's JSON-LD describes it as an article (Article, NewsArticle, BlogPosting, ...)."""
    og_article: bool = False


def _flatten(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > MAX_JSON_LD_DEPTH:
        return
    if isinstance(node, list):
        for child in node:
            yield from _flatten(child, depth + 1)
    elif isinstance(node, dict):
        yield node
        if "@graph" in node:
            yield from _flatten(node["@graph"], depth + 1)


def json_ld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page (``@graph`` members included); invalid blocks are skipped."""
    objects: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        text = script.text or ""
        if len(text) > MAX_JSON_LD_BYTES:
            continue
        try:
            data = json.loads(text.strip().rstrip(";"))
        except (ValueError, RecursionError):
            continue
        objects.extend(_flatten(data))
    return objects


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1] for v in values if isinstance(v, str)}


def _meta(tree: HtmlElement, names: tuple[str, ...]) -> list[str]:
    wanted = {name.lower() for name in names}
    found: list[str] = []
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()
        content = (element.get("content") or "").strip()
        if key in wanted and content:
            found.append(content)
    return found


def _first_meta(tree: HtmlElement, *names: str) -> str | None:
    values = _meta(tree, names)
    return values[0] if values else None


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return " ".join(value.split()) or None
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("@value"))
    if isinstance(value, list) and value:
        return _text(value[0])
    return None


def _names(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [name for name in (_text(v) for v in values) if name]


def clean_authors(candidates: list[str], site_name: str | None) -> list[str]:
    """Author names without "By", URLs, the site's own name or duplicates."""
    authors: list[str] = []
    seen: set[str] = set()
    excluded = {(site_name or "").casefold(), "admin", "staff", ""}
    for candidate in candidates:
        candidate = AUTHOR_PREFIX.sub("", " ".join(candidate.split()))
        if candidate.startswith(("http://", "https://", "/")):
            continue
        for name in AUTHOR_SPLIT.split(candidate):
            name = name.strip(" .")
            key = name.casefold()
            if key in excluded or key in seen or len(name) > 80 or not re.search(r"\w", name):
                continue
            seen.add(key)
            authors.append(name)
    return authors[:MAX_AUTHORS]


def _clean_title(title: str, site_name: str | None) -> str:
    title = " ".join(title.split())
    for separator in TITLE_SEPARATORS:
        if separator in title:
            head, _, tail = title.rpartition(separator)
            if site_name and tail.strip().casefold() == site_name.casefold() and head:
                return head.strip()
    return title


def _html_title(tree: HtmlElement, site_name: str | None) -> str:
    h1 = tree.xpath("//h1")
    if len(h1) == 1:
        text = " ".join(h1[0].text_content().split())
        if text:
            return text
    title = tree.findtext(".//title") or ""
    return _clean_title(title, site_name)


def _tags(tree: HtmlElement, article: dict[str, Any]) -> list[str]:
    candidates = _meta(tree, ("article:tag",))
    keywords = article.get("keywords")
    if isinstance(keywords, str):
        candidates.extend(keywords.split(","))
    elif isinstance(keywords, list):
        candidates.extend(k for k in keywords if isinstance(k, str))
    candidates.extend(a.text_content() for a in tree.xpath('//a[contains(concat(" ", normalize-space(@rel), " "), " tag ")]'))
    tags: list[str] = []
    seen: set[str] = set()
    for tag in candidates:
        tag = " ".join(tag.split())
        if tag and tag.casefold() not in seen and len(tag) <= 100:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


def _published_from_markup(tree: HtmlElement) -> datetime | None:
    for element in tree.xpath("//time[@datetime]"):
        parsed = parse_date(element.get("datetime"))
        if parsed:
            return parsed
    return None


def _language_tag(value: str | None) -> str | None:
    """A BCP 47 language tag such as "en" or "en-US", or None for anything else."""
    tag = (value or "").strip().replace("_", "-")
    return tag if LANGUAGE_TAG.match(tag) else None


def _published_by_htmldate(tree: HtmlElement, url: str) -> datetime | None:
    """htmldate's reading of the page's markup (not its free text), the last resort for a date."""
    found = find_date(tree, url=url, original_date=True, extensive_search=False, outputformat=HTMLDATE_FORMAT)
    return parse_date(found) if isinstance(found, str) else None


def extract_metadata(tree: HtmlElement, url: str) -> PageMetadata:
    """Title, authors, dates, language, tags, description and canonical URL of a page."""
    objects = json_ld_objects(tree)
    article = next((obj for obj in objects if _types(obj) & ARTICLE_TYPES), {})
    site_name = _first_meta(tree, "og:site_name") or next(
        (_text(obj.get("name")) for obj in objects if "WebSite" in _types(obj) and obj.get("name")), None
    )
    title = _text(article.get("headline")) or _first_meta(tree, "og:title", "twitter:title") or ""
    title = _clean_title(title, site_name) if title else _html_title(tree, site_name)

    author_candidates = _names(article.get("author")) or _meta(tree, ("author", "article:author", "parsely-author", "sailthru.author"))
    if not author_candidates:
        author_candidates = [a.text_content() for a in tree.xpath('//a[@rel="author"] | //*[@itemprop="author"]//*[@itemprop="name"]')]

    published = parse_date(_text(article.get("datePublished")) or _text(article.get("dateCreated")))
    for value in _meta(tree, PUBLISHED_META):
        if published:
            break
        published = parse_date(value)
    published = published or _published_from_markup(tree) or date_from_url(url) or _published_by_htmldate(tree, url)
    modified = parse_date(_text(article.get("dateModified")))
    for value in _meta(tree, MODIFIED_META):
        if modified:
            break
        modified = parse_date(value)

    language_candidates = [tree.get("lang"), tree.get("xml:lang"), *_meta(tree, ("content-language", "og:locale", "dc.language"))]
    language = next((tag for tag in map(_language_tag, [*language_candidates, _text(article.get("inLanguage"))]) if tag), None)
    canonical = next(iter(tree.xpath('//link[@rel="canonical"]/@href')), None) or _first_meta(tree, "og:url")

    return PageMetadata(
        title=title,
        authors=clean_authors(author_candidates, site_name),
        published_at=published,
        modified_at=modified,
        description=_first_meta(tree, "og:description", "description", "twitter:description") or _text(article.get("description")),
        language=language,
        tags=_tags(tree, article),
        canonical_url=canonical.strip() if canonical else None,
        site_name=site_name,
        json_ld_article=bool(article),
        og_article=(_first_meta(tree, "og:type") or "").lower() == "article",
    )
