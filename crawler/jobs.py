"""Crawl jobs: the ``-a`` and ``-s`` values of one site's crawl, checked before they become a command line.

A job is two mappings of strings: the crawl's ``-a`` arguments and its ``-s``
settings. ``scrapy enqueue`` makes one per site (``site_jobs``); a queue
worker checks it again (``check_job``: a job may come from anywhere that can
write to the broker) and runs ``crawl_command``. The arguments are parsed by
``crawler.arguments.parse_arguments`` and written back from the parsed values;
a setting name is UPPER_SNAKE and its value a line of printable text. Every
``-a`` and ``-s`` value becomes one ``NAME=VALUE`` word after its option,
starting with a known name, so no value of a job can become an option or a
shell word (no shell runs it).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from crawler.arguments import SITE_CHOICES, CrawlArguments, parse_arguments
from crawler.profiles import SiteProfile
from crawler.spiders.news import NewsSpider

SETTING_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")
WORKER_SETTINGS = ("ARCHIVE_JOB_WORKER", "ARCHIVE_JOB_ID")
"""Settings the worker sets on the crawls it runs; a job must not."""


class JobError(ValueError):
    """A job's values are not a crawl's arguments and settings; the message says which and why."""


@dataclass(frozen=True)
class CrawlJob:
    arguments: CrawlArguments
    settings: dict[str, str]

    def message(self) -> dict[str, dict[str, str]]:
        """The job as the queue carries it (the keyword arguments of the crawl task)."""
        return {"arguments": self.arguments.as_strings(), "settings": self.settings}


def _strings(what: str, values: object) -> dict[str, str]:
    if not isinstance(values, Mapping) or not all(isinstance(key, str) and isinstance(value, str) for key, value in values.items()):
        raise JobError(f"the job's {what} are not a mapping of names to strings: {values!r}")
    return dict(values)


def check_settings(values: object) -> dict[str, str]:
    """A job's ``-s`` values: UPPER_SNAKE names, printable one-line values, none of the worker's own."""
    settings = _strings("settings", values)
    for name, value in settings.items():
        if not SETTING_NAME.match(name):
            raise JobError(f"-s {name!r}: a setting name is UPPER_SNAKE, such as DOWNLOAD_DELAY")
        if name in WORKER_SETTINGS:
            raise JobError(f"-s {name}: set by the worker that runs the job, not by the job")
        if UNPRINTABLE.search(value):
            raise JobError(f"-s {name}={value!r}: control characters in a setting value")
    return settings


def check_job(arguments: object, settings: object) -> CrawlJob:
    """The job of these ``-a`` and ``-s`` values; raises ``JobError`` or ``ArgumentError``."""
    return CrawlJob(parse_arguments(_strings("arguments", arguments)), check_settings(settings))


def crawl_command(job: CrawlJob, worker_settings: Mapping[str, str]) -> list[str]:
    """The argv of the job's ``scrapy crawl news``, with the worker's own settings last."""
    command = [sys.executable, "-m", "scrapy", "crawl", NewsSpider.name]
    for name, value in job.arguments.as_strings().items():
        command += ["-a", f"{name}={value}"]
    for name, value in {**job.settings, **worker_settings}.items():
        command += ["-s", f"{name}={value}"]
    return command


def site_jobs(arguments: CrawlArguments, profiles: Mapping[str, SiteProfile], settings: Mapping[str, str]) -> dict[str, CrawlJob]:
    """One job per site of ``profiles`` (as ``chosen_profiles`` chose them from ``arguments``), by site name."""
    others = {name: value for name, value in arguments.as_strings().items() if name not in SITE_CHOICES}
    if arguments.start_url is not None:
        chosen = {"start_url": arguments.start_url}
    elif arguments.profile is not None:
        chosen = {"profile": str(Path(arguments.profile).resolve())}
    else:
        chosen = {}
    checked = check_settings(settings)
    return {name: CrawlJob(parse_arguments({**(chosen or {"site": name}), **others}), checked) for name in profiles}
