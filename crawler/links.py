"""Which links of an index page lead to articles, to the next index page, or nowhere we go.

Zero-configuration discovery lives here: link filters (same site, http(s)
only, never tag/category/author/about/privacy/feed pages or files) and
pagination detection (rel=next, "next"/"older" links, ``/page/N/`` patterns).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from archive.canonical_urls import canonicalize_url

NON_ARTICLE_PATH = re.compile(
    r"/(tag|tags|category|categories|topic|topics|author|authors|user|users|page|search|feed|rss|"
    r"wp-admin|wp-login\.php|wp-json|wp-content|login|register|signup|subscribe|newsletter|cart|"
    r"about|about-us|contact|contact-us|privacy|privacy-policy|cookie-policy|cookies|terms|"
    r"terms-of-service|terms-of-use|disclaimer|advertise|advertising|sitemap|archive|archives(?!/\d+/?$))(/|$|\.)",
    re.IGNORECASE,
)
"""Listing, navigation and legal pages (WordPress' numeric permalinks, /archives/123, are articles)."""
PLAIN_PERMALINK = re.compile(r"(^|&)p=\d+(&|$)")
"""WordPress' plain permalinks: /?p=123."""
FILE_EXTENSION = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|pdf|zip|gz|tar|xz|iso|exe|dmg|deb|rpm|mp3|mp4|webm|css|js|xml|json|txt)$",
    re.IGNORECASE,
)
NEXT_TEXT = re.compile(
    r"^\s*(next|older|older posts|older entries|next page|more posts|load more|»|›|→)(?![\w-])", re.IGNORECASE
)  # a whole word: "Nextcloud 30 released" is an article, not the next page
PAGE_NUMBER = re.compile(r"(/page/|[?&]paged?=)(\d+)")
ARTICLE_LINK_XPATH = (
    "//article//h1//a/@href | //article//h2//a/@href | //article//h3//a/@href | //article//h4//a/@href"
    " | //a[contains(concat(' ', normalize-space(@rel), ' '), ' bookmark ')]/@href"
    " | //*[contains(@class, 'entry-title') or contains(@class, 'post-title')]//a/@href"
)
ALL_LINKS_XPATH = "//main//a/@href | //*[@id='content' or @id='main']//a/@href"
ARTICLE_SLUG = re.compile(r"/[^/]*\w+-\w+-\w+[^/]*/?$|/\d{4}/\d{2}/|/\d{5,}")


def ascii_domain(domain: str) -> str:
    """A domain as it appears in canonical URLs: lower case, an international name in its xn-- form."""
    return urlsplit(canonicalize_url(f"http://{domain}/")).hostname or domain.lower()


def site_of(host: str, allowed_domains: tuple[str, ...]) -> bool:
    host = host.lower()
    return any(host == domain or host.endswith("." + domain) for domain in allowed_domains)


def is_on_site(url: str, allowed_domains: tuple[str, ...]) -> bool:
    """An http(s) URL on one of the site's domains."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and site_of(parts.hostname or "", allowed_domains)


def is_followable(url: str, allowed_domains: tuple[str, ...]) -> bool:
    """An http(s) URL on the site that is not a file."""
    return is_on_site(url, allowed_domains) and not FILE_EXTENSION.search(urlsplit(url).path)


def is_candidate_article(url: str, allowed_domains: tuple[str, ...]) -> bool:
    """A followable URL that is not a listing, navigation or legal page, nor the home page."""
    parts = urlsplit(url)
    is_root = parts.path in ("", "/") and not PLAIN_PERMALINK.search(parts.query)
    return is_followable(url, allowed_domains) and not is_root and not NON_ARTICLE_PATH.search(parts.path)


def absolute_url(page_url: str, href: str) -> str | None:
    """The canonical absolute URL of a link, or None for a fragment, a script or an invalid URL."""
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "data:", "tel:")):
        return None
    try:
        return canonicalize_url(urljoin(page_url, href))
    except ValueError:
        return None


def _absolute(page_url: str, hrefs: list[str]) -> list[str]:
    return list(dict.fromkeys(url for url in (absolute_url(page_url, href) for href in hrefs) if url))


def article_links(page: Selector, page_url: str, allowed_domains: tuple[str, ...], css: str | None = None) -> list[str]:
    """Canonical URLs of the articles an index page lists, in page order.

    With a profile selector, the links it selects; without one, or when it
    selects nothing, links in article headings, then links in the main area
    whose path looks like an article slug.
    """
    candidates: list[str] = []
    if css:
        candidates = _absolute(page_url, page.css(css).xpath("@href").getall())
    if not candidates:
        candidates = _absolute(page_url, page.xpath(ARTICLE_LINK_XPATH).getall())
    if not candidates:
        candidates = [u for u in _absolute(page_url, page.xpath(ALL_LINKS_XPATH).getall()) if ARTICLE_SLUG.search(urlsplit(u).path)]
    current = canonicalize_url(page_url)
    return [u for u in candidates if u != current and is_candidate_article(u, allowed_domains)]


def _page_number(url: str) -> int:
    match = PAGE_NUMBER.search(url)
    return int(match.group(2)) if match else 1


def next_page_link(page: Selector, page_url: str, allowed_domains: tuple[str, ...], css: str | None = None) -> str | None:
    """The canonical URL of the next (older) index page, or None on the last one."""
    candidates: list[str] = []
    if css:
        candidates = _absolute(page_url, page.css(css).xpath("@href").getall())
    if not candidates:
        candidates = _absolute(page_url, page.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href").getall())
    if not candidates:
        for link in page.xpath("//a[@href]"):
            label = link.xpath("normalize-space(string())").get("") or link.attrib.get("aria-label", "")
            if NEXT_TEXT.match(label) or re.search(r"\bnext\b", link.attrib.get("class", "")):
                candidates.extend(_absolute(page_url, [link.attrib["href"]]))
    if not candidates:
        wanted = _page_number(page_url) + 1
        candidates = [u for u in _absolute(page_url, page.xpath("//a/@href").getall()) if PAGE_NUMBER.search(u) and _page_number(u) == wanted]
    current = canonicalize_url(page_url)
    for url in candidates:
        if url != current and is_followable(url, allowed_domains):
            return url
    return None
