"""The dedupe pipeline: repeats in a run are dropped, with a memory that does not grow with the crawl."""

from __future__ import annotations

import pytest
from scrapy.exceptions import DropItem
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.pipelines import DedupePipeline


def page(slug: str, fetched_slug: str | None = None) -> ArticleItem:
    return ArticleItem(url=f"https://news.example/{slug}/", fetched_url=f"https://news.example/{fetched_slug or slug}/")


def test_a_repeat_is_dropped_and_a_copy_goes_on() -> None:
    stats = MemoryStatsCollector(get_crawler())
    dedupe = DedupePipeline(stats)
    dedupe.process_item(page("a"))
    dedupe.process_item(page("a", "a-amp"))
    with pytest.raises(DropItem):
        dedupe.process_item(page("a"))
    assert stats.get_value("archive/duplicate") == 1


def test_only_the_latest_pages_are_remembered() -> None:
    dedupe = DedupePipeline(MemoryStatsCollector(get_crawler()), remember=2)
    for slug in ("a", "b", "c"):
        dedupe.process_item(page(slug))
    assert len(dedupe.seen) == 2
    dedupe.process_item(page("a"))  # forgotten: goes on to the archive, which finds it unchanged
    with pytest.raises(DropItem):
        dedupe.process_item(page("c"))
