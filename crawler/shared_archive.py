"""One archive per crawl: opened (and migrated) once, shared by the pipeline, the run recorder and the site locks.

``crawl_archive(crawler)`` opens the archive that ``ARCHIVE_DATABASE_URL``
names the first time a component of the crawl asks for it, and hands every
later caller the same one; it is closed when the engine has stopped, after
every component's own ``spider_closed`` work. The ``crawl`` command opens it
before the crawl starts (``share_archive``), so that an unusable archive is
one ``error:`` line before anything is fetched.

An archive whose database fails where the crawl starts (its site locks, its
run record, what it knows of a site), or in a write that cannot be done until
someone acts (a damaged file, a full disk), stops the crawl with one error
line that names the archive and says what to do, and exit status 1
(``archive_failed``); so does one that fails where the crawl ends (its site
locks released, its run record completed).
"""

from __future__ import annotations

import logging
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from sqlalchemy.exc import SQLAlchemyError

from archive.db import Archive, database_failure, open_archive
from crawler.stats import Stat

logger = logging.getLogger(__name__)

ARCHIVE_FAILED = "archive-failed"
"""The finish reason of a crawl stopped because its archive's database failed."""
EXIT_ARCHIVE_FAILED = 1
"""The exit status of such a crawl: that of a crawl whose archive cannot be opened."""

_ARCHIVES: WeakKeyDictionary[Crawler, Archive] = WeakKeyDictionary()


def share_archive(crawler: Crawler, archive: Archive) -> None:
    """Make ``archive`` the one the components of ``crawler`` use; it is closed when the crawl's engine stops."""
    _ARCHIVES[crawler] = archive

    def close() -> None:
        _ARCHIVES.pop(crawler, archive).close()

    crawler.signals.connect(close, signal=signals.engine_stopped, weak=False)


def crawl_archive(crawler: Crawler) -> Archive:
    """The archive of this crawl, opened on first use. Raises ``archive.db.ArchiveError`` if it is unusable."""
    archive = _ARCHIVES.get(crawler)
    if archive is None:
        archive = open_archive(crawler.settings.get("ARCHIVE_DATABASE_URL"))
        share_archive(crawler, archive)
    return archive


def archive_failed(crawler: Crawler, error: SQLAlchemyError) -> CloseSpider:
    """The archive of ``crawler`` failed: say why in one line (at its first failure only) and make the crawl exit 1.

    Returns the ``CloseSpider`` that stops the crawl, for the caller to raise or to hand to the engine; at the
    crawl's end (its site locks released, its run recorded) there is nothing left to stop, and it is not used.
    """
    assert crawler.stats is not None
    if crawler.stats.get_value(Stat.EXIT_STATUS) != EXIT_ARCHIVE_FAILED:
        logger.error("%s", database_failure(error))
        crawler.stats.set_value(Stat.EXIT_STATUS, EXIT_ARCHIVE_FAILED)
    return CloseSpider(ARCHIVE_FAILED)
