"""Plain Scrapy on the throughput benchmark's site: follows its index pages and fetches every article, processing nothing.

The yardstick of ``bench/throughput.py``: how fast Scrapy alone fetches the pages
the project's crawl archives. Run by that script, outside the project (so no
project setting, pipeline or extension applies), as::

    scrapy runspider bench/plain_spider.py -a start_url=URL -a report=PATH.json
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response


class PlainSpider(scrapy.Spider):
    name = "plain"

    def __init__(self, start_url: str, report: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_url, self.report = start_url, Path(report)
        self.articles = 0
        self.started = 0.0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.started = time.monotonic()
        yield scrapy.Request(self.start_url, callback=self.parse_index)

    def parse_index(self, response: Response) -> Iterator[scrapy.Request]:
        for href in response.xpath("//article//h2/a/@href").getall():
            yield response.follow(href, callback=self.parse_article)
        older = response.xpath("//link[@rel='next']/@href").get()
        if older:
            yield response.follow(older, callback=self.parse_index)

    def parse_article(self, response: Response) -> None:
        self.articles += 1

    def closed(self, reason: str) -> None:
        seconds = time.monotonic() - self.started
        self.report.write_text(json.dumps({"articles": self.articles, "seconds": seconds, "reason": reason}))
