"""Incremental discovery: what the archive knows of a site, and what a crawl fetches because of it.

On the first crawl of a site everything found is fetched and every index page
followed. On a re-crawl, links and feed or sitemap entries of archived
articles are not fetched again by discovery (re-checks are the archive's
decision, see ``archive.rechecks``), except an entry whose ``lastmod`` is newer
than the article's last check; older index pages stop being followed once a
page lists no article that is not archived (links already listed by an earlier
index page of the run, such as a sidebar, do not count); and child sitemaps of
a sitemap index are skipped when their ``lastmod`` is not newer than the last
finished crawl. ``-a full=1`` walks every index page and sitemap again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from scrapy.settings import BaseSettings
from sqlalchemy.orm import Session, sessionmaker

from archive.rechecks import KnownArticle, RecheckPolicy, alias_urls, known_articles, last_crawl_was_interrupted, last_finished_crawl
from archive.site_locks import LockOwner
from crawler.links import absolute_url, is_candidate_article, is_on_site
from crawler.sources import Entry, Source, SourceKind

logger = logging.getLogger(__name__)


class Action(StrEnum):
    FETCH = "fetch"
    """Not archived: fetch it."""
    RECHECK = "recheck"
    """Archived, and the source says it changed since it was last checked: ask again, conditionally."""
    SKIP = "skip"


@dataclass
class SiteKnowledge:
    """The archive's knowledge of one site at the start of a crawl, and the article links seen so far in it."""

    articles: dict[str, KnownArticle]
    """Archived articles by canonical URL."""
    aliases: dict[str, int] = field(default_factory=dict)
    """Other URLs of archived articles, with the article's id."""
    last_crawl_at: datetime | None = None
    """When the last crawl of the site that ran to its end started."""
    full: bool = False
    """Walk everything, as if nothing were archived (``-a full=1``, or the last crawl was interrupted)."""
    listed: set[str] = field(default_factory=set)
    """Article links of index pages seen so far in this run (kept on incremental crawls only)."""

    @property
    def incremental(self) -> bool:
        return bool(self.articles) and not self.full

    def is_known(self, url: str) -> bool:
        return url in self.articles or url in self.aliases

    def follow_older(self, links: list[str]) -> bool:
        """Whether to follow the index page after one listing ``links``."""
        if not self.incremental:
            return True
        fresh = [url for url in links if not self.is_known(url) and url not in self.listed]
        self.listed.update(links)
        return bool(fresh)

    def entry_action(self, entry: Entry) -> Action:
        """What to do with an article URL a feed or sitemap lists (``entry.url`` canonical)."""
        article = self.articles.get(entry.url)
        if article is None:
            return Action.SKIP if entry.url in self.aliases else Action.FETCH
        if entry.lastmod is not None and entry.lastmod > article.last_checked_at:
            return Action.RECHECK
        return Action.SKIP

    def wants_sitemap(self, entry: Entry) -> bool:
        """Whether a sitemap listed by a sitemap index may list something new."""
        if not self.incremental or self.last_crawl_at is None or entry.lastmod is None:
            return True
        return entry.lastmod > self.last_crawl_at


def load_site_knowledge(sessions: sessionmaker[Session], site: str, full: bool = False) -> SiteKnowledge:
    """What the archive knows of ``site``; a crawl after one that was interrupted walks the whole site again."""
    with sessions() as session:
        interrupted = last_crawl_was_interrupted(session, site, LockOwner.this_process())
        if interrupted and not full:
            logger.info("%s: the last crawl of the site stopped before its end; walking every index page and sitemap", site)
        return SiteKnowledge(
            articles={article.url: article for article in known_articles(session, site)},
            aliases=alias_urls(session, site),
            last_crawl_at=last_finished_crawl(session, site),
            full=full or interrupted,
        )


def recheck_policy(settings: BaseSettings) -> RecheckPolicy:
    """The re-check policy the ``ARCHIVE_RECHECK_*`` and ``ARCHIVE_GONE_RECHECKS`` settings describe."""
    return RecheckPolicy(
        min_interval=timedelta(hours=settings.getfloat("ARCHIVE_RECHECK_MIN_HOURS")),
        max_interval=timedelta(hours=settings.getfloat("ARCHIVE_RECHECK_MAX_HOURS")),
        factor=settings.getfloat("ARCHIVE_RECHECK_FACTOR"),
        gone_rechecks=settings.getint("ARCHIVE_GONE_RECHECKS"),
    )


@dataclass
class SourcePlan:
    """What a crawl requests because of one feed or sitemap."""

    sitemaps: list[str] = field(default_factory=list)
    """Sitemaps of a sitemap index that may list something new."""
    fetch: list[str] = field(default_factory=list)
    """Article URLs not archived yet."""
    recheck: list[KnownArticle] = field(default_factory=list)
    """Archived articles the source says changed since their last check."""
    skipped: int = 0
    """Entries of archived articles left alone."""


def plan_source(source: Source, source_url: str, knowledge: SiteKnowledge, allowed_domains: tuple[str, ...]) -> SourcePlan:
    """What to request for the entries of ``source``, read from ``source_url``: on-site articles and sitemaps only."""
    plan = SourcePlan()
    for entry in source.entries:
        if source.kind is SourceKind.SITEMAP_INDEX:
            if is_on_site(entry.url, allowed_domains) and knowledge.wants_sitemap(entry):
                plan.sitemaps.append(entry.url)
            continue
        url = absolute_url(source_url, entry.url)
        if not url or not is_candidate_article(url, allowed_domains):
            continue
        action = knowledge.entry_action(Entry(url, entry.lastmod))
        if action is Action.FETCH:
            plan.fetch.append(url)
        elif action is Action.RECHECK:
            plan.recheck.append(knowledge.articles[url])
        else:
            plan.skipped += 1
    return plan
