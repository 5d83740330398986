"""The start-up heap extension: what is loaded when the spider opens is frozen out of garbage collections."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.startup_heap import FreezeStartupHeap


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_the_heap_is_frozen_when_the_spider_opens(unfrozen: None) -> None:
    crawler = get_crawler(settings_dict={"ARCHIVE_FREEZE_STARTUP_HEAP": True})
    extension = FreezeStartupHeap.from_crawler(crawler)
    assert gc.get_freeze_count() == 0
    crawler.signals.send_catch_log(signals.spider_opened, spider=Spider("news"))
    assert gc.get_freeze_count() > 0
    del extension  # kept until here: signals hold their handlers weakly


def test_off_by_its_setting() -> None:
    with pytest.raises(NotConfigured):
        FreezeStartupHeap.from_crawler(get_crawler(settings_dict={"ARCHIVE_FREEZE_STARTUP_HEAP": False}))


def test_the_freeze_loads_no_scrapy_for_the_fork_server_and_archive_reextract() -> None:
    code = "import sys, crawler.startup_heap; crawler.startup_heap.freeze_startup_heap(); print('scrapy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
