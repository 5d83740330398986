"""The archive: the storage library of articles and their snapshots (SQLAlchemy), independent of Scrapy and the crawler.

Modules: ``records`` (dataclasses shared with the crawler, no dependencies),
``content`` (text normalisation and hashes, no dependencies),
``compression`` (how a page's bytes are stored, no database code), ``db`` (open an
archive from a URL), ``store`` (record fetched articles), ``queries`` and
``search`` (read it), ``rechecks`` and ``site_locks`` (what a crawl needs to
know and hold), ``integrity``, ``copy`` and ``warc`` (whole-archive
commands), ``cli`` (the ``archive`` command). This package imports nothing
when imported, so that its dependency-free modules load alone.
"""
