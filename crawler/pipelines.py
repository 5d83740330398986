"""Item pipelines, in order: clean the body, drop repeats, archive.

- ``CleanPipeline`` turns the extracted body HTML into clean text and drops
  pages that are not articles (counted, logged, never archived empty).
- ``DedupePipeline`` drops a page already handled in this run under the same
  URLs; a copy under another URL goes on so the archive records the alias.
- ``ArchivePipeline`` writes each article through ``archive.store``: a
  snapshot only when its content changed, an alias when it is a known
  article under another URL.
"""

from __future__ import annotations

import logging
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from sqlalchemy.exc import SQLAlchemyError

from archive.db import open_archive
from archive.store import Outcome, record_article
from crawler.extraction import clean_body
from crawler.extraction.page import is_article
from crawler.items import ArticleItem

logger = logging.getLogger(__name__)


class CleanPipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        item.body_text = clean_body(item.body_html, item.title)
        item.body_html = ""
        if not item.body_text:
            self.stats.inc_value("archive/empty_body")
            raise DropItem(f"no article body found on {item.fetched_url}", log_level="WARNING")
        if not is_article(item.article_markup, item.published_at, item.body_text):
            self.stats.inc_value("archive/not_article")
            raise DropItem(f"not an article: {item.fetched_url}", log_level="DEBUG")
        return item


class DedupePipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.seen: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        key = (item.url, item.fetched_url)
        if key in self.seen:
            self.stats.inc_value(f"archive/{Outcome.DUPLICATE.value}")
            raise DropItem(f"already archived in this run: {item.fetched_url}", log_level="DEBUG")
        self.seen.add(key)
        return item


class ArchivePipeline:
    def __init__(self, database_url: str, stats: StatsCollector) -> None:
        self.archive = open_archive(database_url)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.settings.get("ARCHIVE_DATABASE_URL"), crawler.stats)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        try:
            recorded = record_article(self.archive.sessions, item)
        except SQLAlchemyError as error:
            self.stats.inc_value("archive/store_errors")
            logger.error("could not archive %s: %s", item.url, str(getattr(error, "orig", error)).splitlines()[0])
            raise DropItem(f"not archived: {item.url}", log_level="DEBUG") from None
        self.stats.inc_value(f"archive/{recorded.outcome.value}")
        logger.info("%s v%d %s", recorded.outcome.value, recorded.version, item.url)
        return item

    def close_spider(self) -> None:
        self.archive.close()
