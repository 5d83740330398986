"""``scrapy enqueue news [-a NAME=VALUE ...] [-s NAME=VALUE ...]``: put one crawl job per site on the crawl queue.

It takes the arguments of ``scrapy crawl news`` and chooses the sites the
same way (one site, or every enabled profile), then queues one job per site
carrying ``site=NAME`` (or the ``profile``/``start_url`` given) with the other
``-a`` values and the ``-s`` values; queue workers (``crawler.queue``) run
them. It prints one line per job queued and exits 0; a bad argument, profile
or setting, or a broker it cannot reach, prints one ``error: ...`` line and
exits 1, before anything is queued.
"""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.conf import arglist_to_dict

from crawler.arguments import ArgumentError, chosen_profiles, parse_arguments
from crawler.jobs import CrawlJob, JobError, site_jobs
from crawler.profiles import ProfileError
from crawler.spiders.news import NewsSpider


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    jobs: dict[str, CrawlJob]

    def syntax(self) -> str:
        return "[options] news"

    def short_desc(self) -> str:
        return "Put one crawl job per site on the crawl queue (ARCHIVE_QUEUE_URL)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE", help="the crawl's arguments, as for scrapy crawl")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """Scrapy's options, then the jobs: every bad input refused in one line before anything is queued."""
        super().process_options(args, opts)
        if args != [NewsSpider.name]:
            raise UsageError(f"give the spider to enqueue: {NewsSpider.name}")
        try:
            spider_arguments = arglist_to_dict(opts.spargs)
            job_settings = arglist_to_dict(opts.set)
        except ValueError:
            raise UsageError("invalid -a or -s value, use NAME=VALUE", print_help=False) from None
        assert self.settings is not None
        try:
            arguments = parse_arguments(spider_arguments)
            profiles = chosen_profiles(arguments, self.settings.get("ARCHIVE_PROFILES_DIR"))
            self.jobs = site_jobs(arguments, profiles, job_settings)
        except (ArgumentError, ProfileError, JobError) as error:
            raise SystemExit(f"error: {error}") from None
        if not self.jobs:
            raise SystemExit("error: no enabled site profile to enqueue")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # Imported here: Scrapy imports every command's module whenever it starts, and only this one needs Celery.
        from kombu.exceptions import OperationalError
        from kombu.utils.url import maybe_sanitize_url

        from crawler.queue import CRAWL_TASK, queue_app

        assert self.settings is not None
        app = queue_app(self.settings)
        app.conf.broker_connection_timeout = 10
        try:
            with app.producer_or_acquire() as producer:
                for site, job in self.jobs.items():
                    queued = app.send_task(CRAWL_TASK, kwargs=job.message(), producer=producer, retry_policy={"max_retries": 2})
                    print(f"queued {site}: job {queued.id}")
        except (OperationalError, OSError) as error:
            raise SystemExit(f"error: cannot queue on {maybe_sanitize_url(self.settings.get('ARCHIVE_QUEUE_URL'))}: {error}") from None
