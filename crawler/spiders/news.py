"""The one generic spider: follows a site's index pages and extracts every article it lists.

Modes (the contract of ``scrapy crawl news``):
- ``-a start_url=URL``: zero configuration, any site;
- ``-a site=NAME`` (built-in or user profile) or ``-a profile=PATH.toml``;
- no argument: every enabled profile.
``-a max_pages=N`` bounds the index pages followed per site (0: no bound);
``-a recheck=due|all|none`` is accepted for cron scripts (every article found
is fetched whatever its value).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeGuard

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from twisted.python.failure import Failure

from archive.db import ArchiveError, open_archive
from archive.urls import canonicalize_url
from crawler.extraction import extract_article
from crawler.extraction.encoding import decode_html
from crawler.extraction.page import UnparsablePage
from crawler.failures import FETCH_ERRORS, failure_reason
from crawler.items import ArticleItem
from crawler.profiles import ProfileError, SiteProfile, load_profile, load_profiles
from crawler.urls import absolute_url, article_links, is_candidate_article, next_page_link

logger = logging.getLogger(__name__)

RECHECK_POLICIES = ("due", "all", "none")
VERSION = version("technews-archive")


def _non_negative_int(name: str, value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"-a {name}={value!r}: expected a whole number") from None
    if number < 0:
        raise ValueError(f"-a {name}={value!r}: must not be negative")
    return number


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
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        given = {name: value for name, value in (("start_url", start_url), ("site", site), ("profile", profile)) if value is not None}
        if len(given) > 1:
            raise ValueError("give at most one of -a start_url, -a site and -a profile")
        for name, value in given.items():
            if not value.strip():
                raise ValueError(f"-a {name}= is empty (a crontab variable that is not set?)")
        if recheck not in RECHECK_POLICIES:
            raise ValueError(f"-a recheck={recheck!r}: expected one of {', '.join(RECHECK_POLICIES)}")
        self.recheck = recheck
        self.start_url, self.site_name, self.profile_path = start_url, site, profile
        self.max_pages_arg = None if max_pages is None else _non_negative_int("max_pages", max_pages)
        self.profiles: dict[str, SiteProfile] = {}
        self.mode = "start_url" if start_url else "site" if site else "profile" if profile else "all"
        self.max_pages = 0

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
        spider.max_pages = (
            spider.max_pages_arg if spider.max_pages_arg is not None else crawler.settings.getint("ARCHIVE_MAX_PAGES")
        )
        spider.profiles = spider._select_profiles(crawler.settings.get("ARCHIVE_PROFILES_DIR"))
        spider.allowed_domains = sorted({d for p in spider.profiles.values() for d in p.allowed_domains})
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

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for profile in self.profiles.values():
            for url in profile.start_urls:
                yield self._index_request(canonicalize_url(url), profile, 1)

    def _index_request(self, url: str, profile: SiteProfile, number: int) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_index, errback=self.on_error, meta={"site": profile.name, "index_page": number}
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
        for url in article_links(response.selector, response.url, domains, profile.selectors.article_links):
            yield scrapy.Request(url, callback=self.parse_article, errback=self.on_error, meta={"site": profile.name})
        number = response.meta["index_page"]
        if self.max_pages and number >= self.max_pages:
            return
        next_url = next_page_link(response.selector, response.url, domains, profile.selectors.next_page)
        if next_url:
            yield self._index_request(next_url, profile, number + 1)

    def parse_article(self, response: Response) -> Iterator[ArticleItem | scrapy.Request]:
        profile = self.profiles[response.meta["site"]]
        if not self._is_html(response):
            return
        try:
            content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
            page = extract_article(decode_html(response.body, content_type), response.url, profile.body_rules)
        except (UnparsablePage, ValueError) as error:
            self.crawler.stats.inc_value("archive/unparsable")
            logger.warning("skipped %s: %s", response.url, error)
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
        requested = canonicalize_url(response.request.url) if response.request else fetched_url
        yield ArticleItem(
            **(metadata.article_metadata() | {"canonical_url": canonical}),
            url=url,
            site=profile.name,
            fetched_url=fetched_url,
            fetched_at=datetime.now(UTC),
            extractor=page.extractor,
            aliases=[u for u in dict.fromkeys([fetched_url, requested]) if u != url],
            body_html=page.body_html,
            article_markup=page.article_markup,
        )

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request else "?"
        reason = failure_reason(failure)
        if reason is None:
            self.crawler.stats.inc_value("archive/ignored")
            logger.debug("not fetched %s: %s", url, failure.getErrorMessage())
            return
        self.crawler.stats.inc_value(FETCH_ERRORS + reason)
        logger.warning("failed %s: %s (%s)", url, reason, failure.getErrorMessage())
