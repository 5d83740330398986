"""An extension that takes what a crawl loaded before its first request out of the garbage collector's sight.

A crawl's start-up (Scrapy, SQLAlchemy, the extraction code it shares with
the workers, the archive's models, the site profiles) leaves some hundred
thousand objects that live as long as the process: most of its heap. Python's
collector walks all of them at each full collection during the crawl, and
once more at exit. Once the spider is open, ``FreezeStartupHeap`` moves them
to the collector's permanent generation (``gc.freeze``), where no collection
walks them: the objects the crawl makes afterwards are collected as before.
Off with ``ARCHIVE_FREEZE_STARTUP_HEAP = False``.
"""

from __future__ import annotations

import gc
from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class FreezeStartupHeap:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ARCHIVE_FREEZE_STARTUP_HEAP"):
            raise NotConfigured("ARCHIVE_FREEZE_STARTUP_HEAP is off")
        extension = cls()
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self) -> None:
        gc.freeze()
