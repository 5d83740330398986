"""The sites one crawl is to crawl, shared by the spider and the extensions that need them.

The spider chooses the sites from its arguments (``select_sites``); the site
lock holder leaves out those another crawl holds (``leave_out``) before the
spider starts; the run recorder records the mode and the sites. Every
component reaches the one selection of its crawl through ``site_selection``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler

from crawler.arguments import CrawlArguments
from crawler.profiles import SiteProfile

_SELECTIONS: WeakKeyDictionary[Crawler, SiteSelection] = WeakKeyDictionary()


@dataclass
class SiteSelection:
    arguments: CrawlArguments
    chosen: dict[str, SiteProfile]
    """The profiles the arguments asked for, by site name."""
    left_out: set[str] = field(default_factory=set)
    """Sites of ``chosen`` that this crawl does not crawl after all (another crawl holds their lock)."""

    @property
    def profiles(self) -> dict[str, SiteProfile]:
        """The profiles this crawl crawls, by site name."""
        return {name: profile for name, profile in self.chosen.items() if name not in self.left_out}

    def leave_out(self, site: str) -> None:
        self.left_out.add(site)


def select_sites(crawler: Crawler, arguments: CrawlArguments, chosen: dict[str, SiteProfile]) -> SiteSelection:
    """Record the sites ``crawler`` is to crawl."""
    selection = _SELECTIONS[crawler] = SiteSelection(arguments, chosen)
    return selection


def site_selection(crawler: Crawler) -> SiteSelection:
    """The sites ``crawler`` is to crawl (the spider selects them when it is created)."""
    try:
        return _SELECTIONS[crawler]
    except KeyError:
        raise RuntimeError("this crawl's spider selected no sites (a spider other than crawler.spiders.news?)") from None
