"""One archive per crawl: opened (and migrated) once, shared by the pipeline, the run recorder and the site locks.

``crawl_archive(crawler)`` opens the archive that ``ARCHIVE_DATABASE_URL``
names the first time a component of the crawl asks for it, and hands every
later caller the same one; it is closed when the engine has stopped, after
every component's own ``spider_closed`` work. The ``crawl`` command opens it
before the crawl starts (``share_archive``), so that an unusable archive is
one ``error:`` line before anything is fetched.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler

from archive.db import Archive, open_archive

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
