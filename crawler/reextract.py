"""Re-run the current extractor over the pages the archive kept, without fetching anything.

For each article (optionally of one site, or whose latest version was fetched
since a time), the raw page of its latest version is decoded as the crawler
decodes a response, extracted with the site profile's rules and cleaned
(``crawler.page_tasks.reextract_page``), and handed to
``archive.store.record_reextractions``, ``RECORDED_AT_ONCE`` pages in one
transaction: a different result becomes a version marked ``reextract``, an
equal one writes nothing. No Scrapy: the ``archive reextract`` command
(``crawler.cli``) runs it.

With ``workers``, pages are read in that many worker processes
(``crawler.worker_pool``, as in a crawl) while this process loads the next
pages and records the finished ones. At most ``QUEUED_PER_WORKER`` pages per
worker are under way, and results are recorded in the order of the pages, so
that the archive ends as it does with no worker. Workers that the system does
not start, or that stop and cannot be started again, cost one error line, and
this process reads the pages itself.
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from archive.models import PageResponse
from archive.progress import SILENT, Progress
from archive.queries import stored_pages
from archive.rawpages import WITH_PAGE
from archive.records import FetchedArticle
from archive.store import Outcome, record_reextractions
from crawler.extraction.rules import BodyRules
from crawler.page_tasks import reextract_page
from crawler.profiles import SiteProfile
from crawler.worker_pool import WorkerFailed, WorkerPool, WorkersDidNotStart, WorkersStopped

logger = logging.getLogger(__name__)

SKIPPED = "skipped"
"""A page the current extractor finds no article on, or whose article has a newer version by now."""
QUEUED_PER_WORKER = 10
"""Pages under way per worker: one being read, the others waiting, so that no worker waits while this process loads
the next pages or records a batch (ten pages are some 90 ms of a worker's time)."""
LOADED_AT_ONCE = 100
"""Stored pages read from the archive in one query (compressed: a few megabytes)."""
RECORDED_AT_ONCE = 50
"""Finished pages recorded in one transaction: what an interrupted run loses at the most."""
PAGE_TIMEOUT = 60.0
"""Seconds a page may take in a worker before it is skipped and the worker replaced."""


@dataclass(frozen=True)
class StoredPage:
    snapshot_id: int
    url: str
    task: tuple[bytes, str | None, str, BodyRules | None, tuple[str, ...]]
    """The arguments of ``reextract_page``: compressed bytes, Content-Type, URL, body rules, allowed domains."""


def _stored_pages(
    sessions: sessionmaker[Session], profiles: Mapping[str, SiteProfile], site: str | None, since: datetime | None, progress: Progress
) -> Iterator[StoredPage]:
    """The stored page of each selected article's latest version, loaded ``LOADED_AT_ONCE`` at a time."""
    with sessions() as session:
        pages = stored_pages(session, site, since)
    progress.start(len(pages))
    for first in range(0, len(pages), LOADED_AT_ONCE):
        chunk = pages[first : first + LOADED_AT_ONCE]
        with sessions() as session:
            query = select(PageResponse).where(PageResponse.id.in_([response_id for _, _, response_id in chunk])).options(WITH_PAGE)
            responses = {response.id: (response.url, response.headers.get("content-type"), response.raw.data) for response in session.scalars(query)}
        for snapshot_id, site_name, response_id in chunk:
            profile = profiles.get(site_name)
            url, content_type, data = responses[response_id]
            domains = profile.allowed_domains if profile else (urlsplit(url).hostname or "",)
            yield StoredPage(snapshot_id, url, (data, content_type, url, profile.body_rules if profile else None, domains))


def _in_process(page: StoredPage) -> Future[FetchedArticle | None]:
    """``reextract_page`` of ``page`` in this process, as the future a worker would give."""
    result: Future[FetchedArticle | None] = Future()
    try:
        result.set_result(reextract_page(*page.task))
    except ValueError as error:
        result.set_exception(error)
    return result


def reextract_archive(
    sessions: sessionmaker[Session],
    profiles: Mapping[str, SiteProfile],
    site: str | None = None,
    since: datetime | None = None,
    progress: Progress = SILENT,
    workers: int = 0,
) -> Counter[str]:
    """Re-extract the latest stored page of every selected article, in ``workers`` processes (0: in this one); count the outcomes."""
    counts: Counter[str] = Counter()
    pool: WorkerPool | None = None  # started at the first page: none for nothing to re-extract
    under_way: deque[tuple[StoredPage, Future[FetchedArticle | None]]] = deque()

    finished: list[tuple[StoredPage, FetchedArticle | None]] = []

    def record_finished() -> None:
        """Record the finished pages, in order, in one transaction."""
        read = [(page, fetched) for page, fetched in finished if fetched is not None]
        outcomes = record_reextractions(sessions, [(page.snapshot_id, fetched) for page, fetched in read]) if read else []
        counts[SKIPPED] += len(finished) - len(read)
        for (page, _), outcome in zip(read, outcomes, strict=True):
            counts[outcome.value if outcome else SKIPPED] += 1
            if outcome is Outcome.CHANGED:
                logger.info("re-extracted %s: new version", page.url)
        progress.advance(len(finished))
        finished.clear()

    def finish_oldest() -> None:
        nonlocal pool, workers
        page, reading = under_way.popleft()
        try:
            try:
                fetched = reading.result()
            except WorkersStopped as error:  # every page the stopped workers held, read here in its turn
                if pool is not None:
                    logger.error("%s: pages are read in this process", error)
                    pool.close()
                    pool, workers = None, 0
                fetched = _in_process(page).result()
        except (ValueError, WorkerFailed) as error:  # UnparsablePage and CorruptPage included
            fetched = None
            logger.warning("skipped %s: %s", page.url, error)
        finished.append((page, fetched))
        if len(finished) == RECORDED_AT_ONCE:
            record_finished()

    try:
        for page in _stored_pages(sessions, profiles, site, since, progress):
            if workers and pool is None:
                try:
                    pool = WorkerPool(reextract_page, workers, PAGE_TIMEOUT)
                except WorkersDidNotStart as error:
                    logger.error("%s: pages are read in this process", error)
                    workers = 0
            under_way.append((page, pool.submit(page.task) if pool else _in_process(page)))
            while len(under_way) > (workers * QUEUED_PER_WORKER if pool else 0):
                finish_oldest()
        while under_way:
            finish_oldest()
        record_finished()
    finally:
        if pool is not None:
            pool.close()
    return counts
