"""What a process loaded to start, taken out of the garbage collector's sight (``freeze_startup_heap``).

A process's start-up (Scrapy, SQLAlchemy, the extraction code, the archive's
models, the site profiles) leaves some hundred thousand objects that live as
long as the process: most of its heap. Python's collector walks all of them at
each full collection, and once more at exit. ``freeze_startup_heap`` moves them
to the collector's permanent generation (``gc.freeze``), where no collection
walks them: the objects made afterwards are collected as before. Three
processes call it once their start-up is done:

- a crawl, once the spider is open (the extension ``FreezeStartupHeap``; off
  with ``ARCHIVE_FREEZE_STARTUP_HEAP = False``);
- ``archive reextract``, before it reads the stored pages;
- the workers' fork server, after its warm-up (``crawler.worker_preload``):
  every worker forked from it starts frozen, so that its full collections
  neither walk what it started with nor write to the memory pages it shares
  with the fork server.

Only the extension needs Scrapy, and it imports Scrapy when the crawl builds it:
the fork server and ``archive reextract`` load no Scrapy.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def freeze_startup_heap() -> None:
    """Leave every object the process holds now out of all later garbage collections."""
    gc.freeze()


class FreezeStartupHeap:
    """Freezes the crawl's start-up heap once the spider is open (``ARCHIVE_FREEZE_STARTUP_HEAP``)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        from scrapy import signals  # loaded by the crawl by now; not at the top, which processes without Scrapy import
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("ARCHIVE_FREEZE_STARTUP_HEAP"):
            raise NotConfigured("ARCHIVE_FREEZE_STARTUP_HEAP is off")
        extension = cls()
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self) -> None:
        freeze_startup_heap()
