"""The requests the spider sends, one factory per kind; each carries its site's name in ``meta["site"]``.

- index pages (``meta["index_page"]``: its number in the site's pagination);
- article pages;
- feeds and sitemaps (``meta["guessed"]``: a guessed ``/feed/`` or
  ``/sitemap.xml`` that may not exist, whose absence is no error);
- robots.txt, read for its ``Sitemap:`` lines;
- re-checks of archived articles: conditional (``If-None-Match`` /
  ``If-Modified-Since``), behind discovery in the queue, with their 304, 404
  and 410 answers handed to the callback (``meta["article_id"]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from scrapy import Request

from archive.rechecks import KnownArticle

RECHECK_STATUSES = [304, 404, 410]
RECHECK_PRIORITY = -10
"""Re-checks wait behind discovery, so that what is new is archived first."""

Callback = Callable[..., Any]
CALLBACKS = ("parse_index", "parse_article", "parse_source", "parse_robots", "parse_recheck", "on_error", "on_robots_error")


@dataclass(frozen=True)
class RequestFactory:
    """Builds each kind of request with the spider's callback for it."""

    parse_index: Callback
    parse_article: Callback
    parse_source: Callback
    parse_robots: Callback
    parse_recheck: Callback
    on_error: Callback
    on_robots_error: Callback

    @classmethod
    def for_spider(cls, spider: Any) -> RequestFactory:
        """The factory of a spider with a callback of each of these names."""
        return cls(*(getattr(spider, name) for name in CALLBACKS))

    def index(self, url: str, site: str, number: int) -> Request:
        return Request(url, callback=self.parse_index, errback=self.on_error, meta={"site": site, "index_page": number})

    def article(self, url: str, site: str) -> Request:
        return Request(url, callback=self.parse_article, errback=self.on_error, meta={"site": site})

    def source(self, url: str, site: str, guessed: bool = False) -> Request:
        return Request(url, callback=self.parse_source, errback=self.on_error, meta={"site": site, "guessed": guessed})

    def robots(self, site_root: str, site: str) -> Request:
        return Request(
            urljoin(site_root, "/robots.txt"),
            callback=self.parse_robots,
            errback=self.on_robots_error,
            meta={"site": site, "guessed": True},
        )

    def recheck(self, article: KnownArticle, site: str) -> Request:
        return Request(
            article.url,
            callback=self.parse_recheck,
            errback=self.on_error,
            headers=article.conditional_headers(),
            priority=RECHECK_PRIORITY,
            meta={"site": site, "article_id": article.id, "handle_httpstatus_list": RECHECK_STATUSES},
        )
