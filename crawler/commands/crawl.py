"""``scrapy crawl`` as Scrapy runs it, with every bad input refused in one line first, and an exit status for cron.

Before anything is fetched, the spider's arguments are parsed, the site
profiles they name loaded and the archive opened (created or migrated): a bad
argument, an unknown or invalid profile or an unusable archive prints one
``error: ...`` line and exits 1, without a traceback. The archive opened here is
the one the crawl's components share (``crawler.shared_archive``).

Exit statuses: 0 the crawl ran (pages that failed are counted in
``crawl_runs.errors``), or every site it was to crawl was being crawled by
another run; 1 it could not start (bad argument, unknown profile, unusable
archive), or its archive's database failed once it ran
(``crawler.shared_archive.archive_failed``); 2 a usage error of ``scrapy``
itself; 3 it fetched nothing because every request failed (the site or the
network is down).
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.spiders import Spider

from archive.db import Archive, ArchiveError, open_archive
from crawler.arguments import ArgumentError, chosen_profiles, parse_arguments
from crawler.profiles import ProfileError
from crawler.shared_archive import share_archive
from crawler.spiders.news import NewsSpider
from crawler.stats import Stat


class Command(ScrapyCrawl):
    archive: Archive | None = None

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self.crawler = super()._create_crawler(spidercls)
        if self.archive is not None:
            share_archive(self.crawler, self.archive)
        return self.crawler

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """Scrapy's options, then the spider's arguments, profiles and archive, before Scrapy starts anything."""
        super().process_options(args, opts)
        if args != [NewsSpider.name]:
            return
        assert self.settings is not None
        try:
            arguments = parse_arguments(opts.spargs)
            chosen_profiles(arguments, self.settings.get("ARCHIVE_PROFILES_DIR"))
            self.archive = open_archive(self.settings.get("ARCHIVE_DATABASE_URL"))
        except (ArgumentError, ProfileError, ArchiveError) as error:
            raise SystemExit(f"error: {error}") from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        if not self.exitcode and self.crawler.stats is not None:
            self.exitcode = self.crawler.stats.get_value(Stat.EXIT_STATUS, 0)
