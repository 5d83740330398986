"""The one generic spider: follows a site's index pages, feeds and sitemaps, and turns article pages into items.

Modes (the contract of ``scrapy crawl news``, arguments in ``crawler.arguments``):
- ``-a start_url=URL``: zero configuration, any site;
- ``-a site=NAME`` (built-in or user profile) or ``-a profile=PATH.toml``;
- no argument: every enabled profile.

Sources of articles: index pages, RSS/Atom feeds and sitemaps (a profile's
``feeds`` and ``sitemaps``; without any, those the site names with
``<link rel="alternate">`` and robots.txt ``Sitemap:`` lines, else ``/feed/``
and ``/sitemap.xml`` if they exist). Discovery fetches what is not archived
yet (``crawler.discovery``). Archived articles are re-checked by
``-a recheck=due|all|none`` with conditional requests (``crawler.requests``).

It only routes: it decides what to request and turns responses into items
(``crawler.items``), article pages read by ``crawler.page_workers`` in worker
processes. It reads what the archive knows of each site; only pipelines write.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any, Self, TypeGuard
from urllib.parse import urljoin

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response
from scrapy.settings import BaseSettings
from sqlalchemy.exc import DatabaseError
from twisted.python.failure import Failure

from archive.canonical_urls import canonicalize_url
from archive.db import Archive
from archive.rechecks import RecheckPolicy
from crawler.arguments import CrawlArguments, chosen_profiles, parse_arguments
from crawler.articles import article_from_reading
from crawler.discovery import SiteKnowledge, load_site_knowledge, plan_source, recheck_policy
from crawler.failures import record_failure
from crawler.items import ArticleItem, CrawlItem, Gone, NotModified
from crawler.links import article_links, next_page_link
from crawler.page_workers import PageReader
from crawler.profiles import SiteProfile
from crawler.requests import RequestFactory
from crawler.responses import crawled_article, header
from crawler.shared_archive import archive_failed, crawl_archive
from crawler.site_selection import SiteSelection, select_sites
from crawler.sources import GUESSED_FEED_PATH, GUESSED_SITEMAP_PATH, UnusableSource, feed_links, parse_source, sitemaps_from_robots
from crawler.spider_settings import set_crawl_settings
from crawler.stats import Stat
from crawler.worker_pool import WorkerFailed

logger = logging.getLogger(__name__)

GONE_STATUSES = (404, 410)


def _discovers_sources(profile: SiteProfile) -> bool:
    """A profile that lists no feed and no sitemap has them found on the site."""
    return not (profile.feeds or profile.sitemaps)


class NewsSpider(scrapy.Spider):
    name = "news"
    allowed_domains: list[str] = []
    arguments: CrawlArguments
    sites: SiteSelection
    archive: Archive
    reader: PageReader
    requests: RequestFactory

    def __init__(self, **arguments: Any) -> None:
        """Raises ``crawler.arguments.ArgumentError`` on an unknown argument or a bad value."""
        self.arguments = parse_arguments(arguments)
        super().__init__()
        self.max_pages = 0
        self.policy = RecheckPolicy()
        self.knowledge: dict[str, SiteKnowledge] = {}

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        set_crawl_settings(settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider: Self = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        arguments = spider.arguments
        spider.max_pages = settings.getint("ARCHIVE_MAX_PAGES") if arguments.max_pages is None else arguments.max_pages
        spider.sites = select_sites(crawler, arguments, chosen_profiles(arguments, settings.get("ARCHIVE_PROFILES_DIR")))
        spider.allowed_domains = sorted({d for p in spider.sites.chosen.values() for d in p.allowed_domains})
        spider.policy = recheck_policy(settings)
        spider.archive = crawl_archive(crawler)
        spider.reader = PageReader.from_crawler(crawler)
        spider.requests = RequestFactory.for_spider(spider)
        return spider

    def closed(self, reason: str) -> None:
        self.reader.close()

    def _profile(self, response: Response) -> SiteProfile:
        return self.sites.chosen[response.meta["site"]]

    def _count(self, stat: Stat | str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        if count:
            self.crawler.stats.inc_value(stat, count)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        now = datetime.now(UTC)
        for name, profile in self.sites.profiles.items():
            try:
                knowledge = self.knowledge[name] = load_site_knowledge(self.archive.sessions, name, self.arguments.full)
            except DatabaseError as error:
                raise archive_failed(self.crawler, error) from None
            for url in profile.start_urls:
                yield self.requests.index(canonicalize_url(url), name, 1)
            for url in (*profile.feeds, *profile.sitemaps):
                yield self.requests.source(url, name)
            if _discovers_sources(profile):
                for root in dict.fromkeys(urljoin(url, "/") for url in profile.start_urls):
                    yield self.requests.robots(root, name)
            due = [a for a in knowledge.articles.values() if self.policy.wants(a, self.arguments.recheck, now)]
            if due:
                logger.info(
                    "%s: re-checking %d of %d archived articles (recheck=%s)", name, len(due), len(knowledge.articles), self.arguments.recheck
                )
            for article in due:
                self._count(Stat.RECHECKS)
                yield self.requests.recheck(article, name)

    def _is_html(self, response: Response) -> TypeGuard[HtmlResponse]:
        """Count the page; a response that is not HTML is logged and counted as an error."""
        self._count(Stat.PAGES_FETCHED)
        if isinstance(response, HtmlResponse):
            return True
        self._count(Stat.NOT_HTML)
        logger.warning("skipped %s: not HTML (%s)", response.url, response.headers.get("Content-Type"))
        return False

    def parse_index(self, response: Response) -> Iterator[scrapy.Request]:
        profile = self._profile(response)
        if not self._is_html(response):
            return
        knowledge, domains = self.knowledge[profile.name], profile.allowed_domains
        links = article_links(response.selector, response.url, domains, profile.selectors.article_links)
        for url in links:
            if knowledge.is_known(url):
                self._count(Stat.KNOWN_SKIPPED)
            else:
                yield self.requests.article(url, profile.name)
        number = response.meta["index_page"]
        if number == 1 and _discovers_sources(profile):
            feeds = feed_links(response.selector, response.url)
            for url in feeds:
                yield self.requests.source(url, profile.name)
            if not feeds:
                yield self.requests.source(urljoin(response.url, GUESSED_FEED_PATH), profile.name, guessed=True)
        follow = knowledge.follow_older(links)
        if self.max_pages and number >= self.max_pages:
            return
        if not follow:
            logger.info("%s: index page %d lists only archived articles; older pages not followed", profile.name, number)
            return
        next_url = next_page_link(response.selector, response.url, domains, profile.selectors.next_page)
        if next_url:
            yield self.requests.index(next_url, profile.name, number + 1)

    async def parse_article(self, response: Response) -> AsyncIterator[ArticleItem | scrapy.Request]:
        """An article page: read (in a worker), then an item if it is an article with a body."""
        profile = self._profile(response)
        if not self._is_html(response):
            return
        try:
            page = await self.reader.read(response.body, header(response, "Content-Type"), response.url, profile.body_rules)
        except ValueError as error:  # UnparsablePage included
            self._count(Stat.UNPARSABLE)
            logger.warning("skipped %s: %s", response.url, error)
            return
        except WorkerFailed as error:
            self._count(Stat.EXTRACT_ERRORS)
            logger.error("skipped %s: extraction failed: %s", response.url, error)
            return
        reading = page.reading
        article = article_from_reading(reading, response.url, profile.allowed_domains)
        if article.url != article.fetched_url:
            # The page names another URL canonical: that page is the one to archive versions of.
            yield self.requests.article(article.url, profile.name)
        if not reading.body_text:
            self._count(Stat.EMPTY_BODY)
            logger.warning("skipped %s: no article body found", response.url)
            return
        if not reading.is_article:
            self._count(Stat.NOT_ARTICLE)
            logger.debug("not an article: %s", response.url)
            return
        yield crawled_article(article, response, profile.name, page.packed)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """robots.txt: the sitemaps its ``Sitemap:`` lines name, else a guess at ``/sitemap.xml``."""
        site = response.meta["site"]
        self._count(Stat.SOURCES)
        sitemaps = sitemaps_from_robots(response.body, response.url)
        for url in sitemaps:
            yield self.requests.source(url, site)
        if not sitemaps:
            yield self.requests.source(urljoin(response.url, GUESSED_SITEMAP_PATH), site, guessed=True)

    def on_robots_error(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        logger.debug("no robots.txt at %s: %s", request.url, failure.getErrorMessage())
        yield self.requests.source(urljoin(request.url, GUESSED_SITEMAP_PATH), request.meta["site"], guessed=True)

    def parse_source(self, response: Response) -> Iterator[scrapy.Request]:
        """A feed or a sitemap: articles not archived yet, archived ones it says changed, further sitemaps."""
        profile = self._profile(response)
        try:
            source = parse_source(response.body, response.url, self.settings.getint("DOWNLOAD_MAXSIZE"))
        except UnusableSource as error:
            if response.meta.get("guessed"):
                logger.debug("no feed or sitemap at %s: %s", response.url, error)
            else:
                self._count(Stat.BAD_SOURCES)
                logger.warning("skipped %s: %s", response.url, error)
            return
        self._count(Stat.SOURCES)
        plan = plan_source(source, response.url, self.knowledge[profile.name], profile.allowed_domains)
        for url in plan.sitemaps:
            yield self.requests.source(url, profile.name)
        for url in plan.fetch:
            yield self.requests.article(url, profile.name)
        for article in plan.recheck:
            self._count(Stat.RECHECKS)
            yield self.requests.recheck(article, profile.name)
        self._count(Stat.KNOWN_SKIPPED, plan.skipped)

    async def parse_recheck(self, response: Response) -> AsyncIterator[CrawlItem | scrapy.Request]:
        """An archived article asked again: 304 (unchanged), 404/410 (gone) or the page itself."""
        article_id, now = response.meta["article_id"], datetime.now(UTC)
        if response.status == 304:
            self._count(Stat.NOT_MODIFIED)
            yield NotModified(article_id, response.url, now)
        elif response.status in GONE_STATUSES:
            self._count(Stat.GONE)
            yield Gone(article_id, response.url, response.status, now)
        else:
            async for output in self.parse_article(response):
                yield output

    def on_error(self, failure: Failure) -> None:
        assert self.crawler.stats is not None
        record_failure(failure, self.crawler.stats)
