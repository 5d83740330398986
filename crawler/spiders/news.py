"""The one generic spider: follows a site's index pages and extracts every article it lists.

Modes (the contract of ``scrapy crawl news``):
- ``-a start_url=URL``: zero configuration, any site;
- ``-a site=NAME`` (built-in or user profile) or ``-a profile=PATH.toml``;
- no argument: every enabled profile.
``-a max_pages=N`` bounds the index pages followed per site (0: no bound).

Sources of articles: index pages, RSS/Atom feeds and sitemaps (a profile's
``feeds`` and ``sitemaps``; without any, those the site names with
``<link rel="alternate">`` and robots.txt ``Sitemap:`` lines, else ``/feed/``
and ``/sitemap.xml`` if they exist). Discovery fetches what is not archived
yet (see ``crawler.discovery``; ``-a full=1`` walks every index page again).
Archived articles are re-checked by ``-a recheck=due|all|none`` (``due`` by
default, see ``archive.checks``) with conditional requests: a 304 only records
that the article was seen, a 404 or 410 that it is gone.

Article pages are read (extracted, cleaned, judged) by ``crawler.reader``, in
worker processes, while the reactor keeps fetching; only articles with a body
are yielded to the pipelines.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeGuard
from urllib.parse import urljoin

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from sqlalchemy.exc import SQLAlchemyError
from twisted.python.failure import Failure

from archive.checks import (
    KnownArticle,
    RecheckMode,
    RecheckPolicy,
    record_gone,
    record_not_modified,
)
from archive.db import Archive, ArchiveError, error_reason, open_archive
from archive.rawpages import RawResponse
from archive.urls import canonicalize_url
from crawler.discovery import Action, SiteKnowledge, load_site_knowledge
from crawler.extraction.encoding import decode_html
from crawler.failures import FETCH_ERRORS, failure_reason
from crawler.items import ArticleItem
from crawler.page_workers import PageReader, WorkerFailed
from crawler.profiles import ProfileError, SiteProfile, load_profile, load_profiles
from crawler.sources import (
    GUESSED_FEED_PATH,
    GUESSED_SITEMAP_PATH,
    Entry,
    SourceKind,
    UnusableSource,
    feed_links,
    parse_source,
    sitemaps_from_robots,
)
from crawler.urls import (
    absolute_url,
    article_links,
    is_candidate_article,
    is_on_site,
    next_page_link,
)

logger = logging.getLogger(__name__)

VERSION = version("technews-archive")
RECHECK_STATUSES = [304, 404, 410]
GONE_STATUSES = (404, 410)
RECHECK_PRIORITY = -10
"""Re-checks wait behind discovery, so that what is new is archived first."""
NOT_MODIFIED_BATCH = 200
"""304 answers are recorded this many at a time (and the rest when the crawl ends)."""
FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False, "": False}


def _non_negative_int(name: str, value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"-a {name}={value!r}: expected a whole number") from None
    if number < 0:
        raise ValueError(f"-a {name}={value!r}: must not be negative")
    return number


def _flag(name: str, value: str | bool) -> bool:
    if isinstance(value, bool):
        return value
    if value.strip().lower() not in FLAGS:
        raise ValueError(f"-a {name}={value!r}: expected 1 or 0")
    return FLAGS[value.strip().lower()]


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() or None if value else None


def _site_root(url: str) -> str:
    return urljoin(url, "/")


class NewsSpider(scrapy.Spider):
    name = "news"
    allowed_domains: list[str] = []

    def __init__(
        self,
        start_url: str | None = None,
        site: str | None = None,
        profile: str | None = None,
        max_pages: str | int | None = None,
        recheck: str = "due",
        full: str | bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        given = {name: value for name, value in (("start_url", start_url), ("site", site), ("profile", profile)) if value is not None}
        if len(given) > 1:
            raise ValueError("give at most one of -a start_url, -a site and -a profile")
        for name, value in given.items():
            if not value.strip():
                raise ValueError(f"-a {name}= is empty (a crontab variable that is not set?)")
        if recheck not in {mode.value for mode in RecheckMode}:
            raise ValueError(f"-a recheck={recheck!r}: expected one of {', '.join(RecheckMode)}")
        self.recheck = RecheckMode(recheck)
        self.full = _flag("full", full)
        self.start_url, self.site_name, self.profile_path = start_url, site, profile
        self.max_pages_arg = None if max_pages is None else _non_negative_int("max_pages", max_pages)
        self.profiles: dict[str, SiteProfile] = {}
        self.mode = "start_url" if start_url else "site" if site else "profile" if profile else "all"
        self.max_pages = 0
        self.policy = RecheckPolicy()
        self.knowledge: dict[str, SiteKnowledge] = {}
        self.not_modified: list[int] = []

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Derive the user agent, and stop with one clear line before any fetching if the archive is unusable."""
        super().update_settings(settings)
        if (settings.getpriority("USER_AGENT") or 0) <= SETTINGS_PRIORITIES["project"]:
            settings.set("USER_AGENT", f"technews-archive/{VERSION} (+{settings.get('ARCHIVE_CONTACT_URL')})", "project")
        try:
            open_archive(settings.get("ARCHIVE_DATABASE_URL")).close()
        except ArchiveError as error:
            raise SystemExit(f"error: {error}") from None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_pages = spider.max_pages_arg if spider.max_pages_arg is not None else crawler.settings.getint("ARCHIVE_MAX_PAGES")
        spider.profiles = spider._select_profiles(crawler.settings.get("ARCHIVE_PROFILES_DIR"))
        spider.allowed_domains = sorted({d for p in spider.profiles.values() for d in p.allowed_domains})
        settings = crawler.settings
        spider.policy = RecheckPolicy(
            min_interval=timedelta(hours=settings.getfloat("ARCHIVE_RECHECK_MIN_HOURS")),
            max_interval=timedelta(hours=settings.getfloat("ARCHIVE_RECHECK_MAX_HOURS")),
            factor=settings.getfloat("ARCHIVE_RECHECK_FACTOR"),
            gone_rechecks=settings.getint("ARCHIVE_GONE_RECHECKS"),
        )
        spider.archive = open_archive(settings.get("ARCHIVE_DATABASE_URL"))
        spider.reader = PageReader.from_crawler(crawler)
        return spider

    def _select_profiles(self, user_dir: str | None) -> dict[str, SiteProfile]:
        if self.start_url:
            chosen = [SiteProfile.from_start_url(self.start_url)]
        elif self.profile_path:
            chosen = [load_profile(Path(self.profile_path))]
        else:
            available = load_profiles(user_dir)
            if self.site_name:
                if self.site_name not in available:
                    raise ProfileError(f"no site profile named {self.site_name!r} (known: {', '.join(sorted(available))})")
                chosen = [available[self.site_name]]
            else:
                chosen = [p for p in available.values() if p.enabled]
        return {p.name: p for p in chosen}

    archive: Archive
    reader: PageReader

    def closed(self, reason: str) -> None:
        self._flush_not_modified()
        self.reader.close()
        self.archive.close()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        now = datetime.now(UTC)
        for profile in self.profiles.values():
            knowledge = load_site_knowledge(self.archive.sessions, profile.name, self.full)
            self.knowledge[profile.name] = knowledge
            for url in profile.start_urls:
                yield self._index_request(canonicalize_url(url), profile, 1)
            for url in (*profile.feeds, *profile.sitemaps):
                yield self._source_request(url, profile)
            if self._discovers_sources(profile):
                for root in dict.fromkeys(_site_root(url) for url in profile.start_urls):
                    yield scrapy.Request(
                        urljoin(root, "/robots.txt"),
                        callback=self.parse_robots,
                        errback=self.on_robots_error,
                        meta={"site": profile.name, "guessed": True},
                    )
            due = [a for a in knowledge.articles.values() if self.policy.wants(a, self.recheck, now)]
            if due:
                logger.info("%s: re-checking %d of %d archived articles (recheck=%s)", profile.name, len(due), len(knowledge.articles), self.recheck)
            for article in due:
                yield self._recheck_request(article, profile)

    @staticmethod
    def _discovers_sources(profile: SiteProfile) -> bool:
        """A profile that lists no feed and no sitemap has them found on the site."""
        return not (profile.feeds or profile.sitemaps)

    def _index_request(self, url: str, profile: SiteProfile, number: int) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_index, errback=self.on_error, meta={"site": profile.name, "index_page": number})

    def _article_request(self, url: str, profile: SiteProfile) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_article, errback=self.on_error, meta={"site": profile.name})

    def _source_request(self, url: str, profile: SiteProfile, guessed: bool = False) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_source, errback=self.on_error, meta={"site": profile.name, "guessed": guessed})

    def _recheck_request(self, article: KnownArticle, profile: SiteProfile) -> scrapy.Request:
        self.crawler.stats.inc_value("archive/rechecks")
        return scrapy.Request(
            article.url,
            callback=self.parse_recheck,
            errback=self.on_error,
            headers=article.conditional_headers(),
            priority=RECHECK_PRIORITY,
            meta={"site": profile.name, "article_id": article.id, "handle_httpstatus_list": RECHECK_STATUSES},
        )

    def _is_html(self, response: Response) -> TypeGuard[HtmlResponse]:
        """Count the page; a response that is not HTML is logged and counted as an error."""
        self.crawler.stats.inc_value("archive/pages_fetched")
        if isinstance(response, HtmlResponse):
            return True
        self.crawler.stats.inc_value("archive/not_html")
        logger.warning("skipped %s: not HTML (%s)", response.url, response.headers.get("Content-Type"))
        return False

    def parse_index(self, response: Response) -> Iterator[scrapy.Request]:
        profile = self.profiles[response.meta["site"]]
        if not self._is_html(response):
            return
        domains = profile.allowed_domains
        knowledge = self.knowledge[profile.name]
        links = article_links(response.selector, response.url, domains, profile.selectors.article_links)
        for url in links:
            if knowledge.is_known(url):
                self.crawler.stats.inc_value("archive/known_skipped")
            else:
                yield self._article_request(url, profile)
        number = response.meta["index_page"]
        if number == 1 and self._discovers_sources(profile):
            feeds = feed_links(response.selector, response.url)
            for url in feeds:
                yield self._source_request(url, profile)
            if not feeds:
                yield self._source_request(urljoin(response.url, GUESSED_FEED_PATH), profile, guessed=True)
        follow = knowledge.follow_older(links)
        if self.max_pages and number >= self.max_pages:
            return
        if not follow:
            logger.info("%s: index page %d lists only archived articles; older pages not followed", profile.name, number)
            return
        next_url = next_page_link(response.selector, response.url, domains, profile.selectors.next_page)
        if next_url:
            yield self._index_request(next_url, profile, number + 1)

    async def parse_article(self, response: Response) -> AsyncIterator[ArticleItem | scrapy.Request]:
        """An article page: read (in a worker), then archived if it is an article with a body."""
        profile = self.profiles[response.meta["site"]]
        if not self._is_html(response):
            return
        try:
            content_type = _header(response, "Content-Type") or ""
            page = await self.reader.read(decode_html(response.body, content_type), response.url, profile.body_rules)
        except ValueError as error:  # UnparsablePage included
            self.crawler.stats.inc_value("archive/unparsable")
            logger.warning("skipped %s: %s", response.url, error)
            return
        except WorkerFailed as error:
            self.crawler.stats.inc_value("archive/extract_errors")
            logger.error("skipped %s: extraction failed: %s", response.url, error)
            return
        metadata = page.metadata
        fetched_url = canonicalize_url(response.url)
        canonical = absolute_url(response.url, metadata.canonical_url or "")
        # Only a canonical URL that can itself be an article of this site: one naming the
        # home page or a listing (a common misconfiguration) would merge articles.
        url = canonical if canonical and is_candidate_article(canonical, profile.allowed_domains) else fetched_url
        if url != fetched_url:
            # The page names another URL canonical: that page is the one to archive versions of.
            yield scrapy.Request(url, callback=self.parse_article, errback=self.on_error, meta={"site": profile.name})
        if not page.body_text:
            self.crawler.stats.inc_value("archive/empty_body")
            logger.warning("skipped %s: no article body found", response.url)
            return
        if not page.is_article:
            self.crawler.stats.inc_value("archive/not_article")
            logger.debug("not an article: %s", response.url)
            return
        requested = canonicalize_url(response.request.url) if response.request else fetched_url
        yield ArticleItem(
            **(metadata.article_metadata() | {"canonical_url": canonical}),
            url=url,
            site=profile.name,
            fetched_url=fetched_url,
            fetched_at=datetime.now(UTC),
            extractor=page.extractor,
            aliases=[u for u in dict.fromkeys([fetched_url, requested]) if u != url],
            body_text=page.body_text,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            raw=RawResponse(
                url=response.url,
                status=response.status,
                body=response.body,
                headers={str(k): v for k, v in response.headers.to_unicode_dict().items()},
            ),
        )

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """robots.txt: the sitemaps its ``Sitemap:`` lines name, else a guess at ``/sitemap.xml``."""
        profile = self.profiles[response.meta["site"]]
        self.crawler.stats.inc_value("archive/sources")
        sitemaps = sitemaps_from_robots(response.body, response.url)
        for url in sitemaps:
            yield self._source_request(url, profile)
        if not sitemaps:
            yield self._source_request(urljoin(response.url, GUESSED_SITEMAP_PATH), profile, guessed=True)

    def on_robots_error(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        logger.debug("no robots.txt at %s: %s", request.url, failure.getErrorMessage())
        yield self._source_request(urljoin(request.url, GUESSED_SITEMAP_PATH), self.profiles[request.meta["site"]], guessed=True)

    def parse_source(self, response: Response) -> Iterator[scrapy.Request]:
        """A feed or a sitemap: articles not archived yet, archived ones it says changed, further sitemaps."""
        profile = self.profiles[response.meta["site"]]
        try:
            source = parse_source(response.body, response.url, self.settings.getint("DOWNLOAD_MAXSIZE"))
        except UnusableSource as error:
            if response.meta.get("guessed"):
                logger.debug("no feed or sitemap at %s: %s", response.url, error)
            else:
                self.crawler.stats.inc_value("archive/bad_sources")
                logger.warning("skipped %s: %s", response.url, error)
            return
        self.crawler.stats.inc_value("archive/sources")
        knowledge = self.knowledge[profile.name]
        domains = profile.allowed_domains
        for entry in source.entries:
            if source.kind is SourceKind.SITEMAP_INDEX:
                if is_on_site(entry.url, domains) and knowledge.wants_sitemap(entry):
                    yield self._source_request(entry.url, profile)
                continue
            url = absolute_url(response.url, entry.url)
            if not url or not is_candidate_article(url, domains):
                continue
            action = knowledge.entry_action(Entry(url, entry.lastmod))
            if action is Action.FETCH:
                yield self._article_request(url, profile)
            elif action is Action.RECHECK:
                yield self._recheck_request(knowledge.articles[url], profile)
            else:
                self.crawler.stats.inc_value("archive/known_skipped")

    async def parse_recheck(self, response: Response) -> AsyncIterator[ArticleItem | scrapy.Request]:
        """An archived article asked again: 304 (unchanged), 404/410 (gone) or the page itself."""
        article_id = response.meta["article_id"]
        if response.status == 304:
            self.crawler.stats.inc_value("archive/not_modified")
            self.not_modified.append(article_id)
            if len(self.not_modified) >= NOT_MODIFIED_BATCH:
                self._flush_not_modified()
        elif response.status in GONE_STATUSES:
            self.crawler.stats.inc_value("archive/gone")
            checks = self._write(f"the 404/410 of {response.url}", record_gone, article_id, datetime.now(UTC))
            logger.info("gone (%d, check %s of %d): %s", response.status, checks, self.policy.gone_rechecks, response.url)
        else:
            async for output in self.parse_article(response):
                yield output

    def _flush_not_modified(self) -> None:
        article_ids, self.not_modified = self.not_modified, []
        if article_ids:
            self._write(f"{len(article_ids)} answers 304", record_not_modified, article_ids, datetime.now(UTC))

    def _write(self, what: str, write: Callable[..., Any], *args: Any) -> Any:
        try:
            return write(self.archive.sessions, *args)
        except SQLAlchemyError as error:
            self.crawler.stats.inc_value("archive/store_errors")
            logger.error("could not record %s: %s", what, error_reason(error))
            return None

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request else "?"
        if request is not None and request.meta.get("guessed"):
            logger.debug("no feed or sitemap at %s: %s", url, failure.getErrorMessage())
            return
        reason = failure_reason(failure)
        if reason is None:
            self.crawler.stats.inc_value("archive/ignored")
            logger.debug("not fetched %s: %s", url, failure.getErrorMessage())
            return
        self.crawler.stats.inc_value(FETCH_ERRORS + reason)
        logger.warning("failed %s: %s (%s)", url, reason, failure.getErrorMessage())
