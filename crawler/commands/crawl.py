"""``scrapy crawl`` as Scrapy runs it, plus an exit status that tells cron whether the crawl worked.

Exit statuses: 0 the crawl ran (pages that failed are counted in
``crawl_runs.errors``), or every site it was to crawl was being crawled by
another run; 1 it could not start (bad argument, unknown profile, unusable
archive); 2 a usage error of ``scrapy`` itself; 3 it fetched nothing because
every request failed (the site or the network is down).
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.spiders import Spider

from crawler.runs import EXIT_STATUS_STAT


class Command(ScrapyCrawl):
    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        if not self.exitcode and self.crawler.stats is not None:
            self.exitcode = self.crawler.stats.get_value(EXIT_STATUS_STAT, 0)
