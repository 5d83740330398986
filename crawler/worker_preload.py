"""Imported by the worker pool's fork server alone (``crawler.worker_pool``): what extraction loads at first use, loaded before forking.

Every worker is forked from the fork server, and replaced by a fresh fork every
``TASKS_PER_WORKER`` pages: what the fork server holds, each worker starts with.
Importing the extraction code is not all, much is made at its first use, and each
new worker would make it again:
- the language classifier's model (``crawler.extraction.language``), half a second of CPU;
- the stop words of every language, merged into one set, that trafilatura's comparison
  with jusText reads (a fifth of a second);
- the regular expressions of trafilatura's XPath queries, of the metadata readers and of
  the cleaning, compiled at their first match.
The fork server reads a small article page (``WARM_UP_PAGE``), short enough that every
step of the cascade runs: its first reading costs about 0.13 s of CPU more than its second.
Then what it holds is frozen out of the garbage collector's reach (``crawler.startup_heap``): a worker's
full collections do not walk the modules it started with (nor write to their memory pages,
which it shares with the fork server until then).

A worker does not run its parent's main module again, as multiprocessing otherwise has every
process it starts do (so that functions defined there can be unpickled): a worker runs
functions of modules only (``WorkerPool`` refuses one of the main module), and that main
module is the ``scrapy`` or ``archive`` command, whose imports (Scrapy and Twisted, or
SQLAlchemy and the archive's commands) cost each new worker a tenth to a fifth of a second
of CPU and 20 MB. Preloading ``__main__`` in the fork server, Python's own way out, works
from Python 3.13.8 only (CPython issue 126631).
"""

from __future__ import annotations

import multiprocessing.spawn
from collections.abc import Mapping
from typing import Any

from crawler.extraction import read_page
from crawler.extraction.language import language_identifier
from crawler.startup_heap import freeze_startup_heap

WARM_UP_URL = "https://example.com/news/warm-up/"
WARM_UP_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Warm-up story</title><meta property="og:type" content="article">
<meta name="author" content="Jane Doe"><meta property="article:published_time" content="2024-01-02T03:04:05Z"></head>
<body><nav class="menu"><ul><li><a href="/">Home</a></li></ul></nav>
<article id="post-1" class="post"><h1>Warm-up story</h1><p class="byline">By Jane Doe, January 2, 2024</p>
<div class="entry-content"><p>A short paragraph of a story, so that every step of the extraction runs once.</p>
<ul><li>An item</li><li>Another item</li></ul><div class="share-buttons"><a href="/share">Share</a></div></div></article>
<footer><p>Copyright</p></footer></body></html>"""
"""A small article page: its body is short, so the comparison and the recall pass run too."""

MAIN_MODULE_KEYS = frozenset({"init_main_from_name", "init_main_from_path"})
"""What multiprocessing's preparation data says of the parent's main module, for the new process to run it again."""
_multiprocessing_prepare = multiprocessing.spawn.prepare


def _prepare_without_main(data: Mapping[str, Any]) -> None:
    """Prepare a new worker as multiprocessing does, except that it does not run its parent's main module again."""
    _multiprocessing_prepare({key: value for key, value in data.items() if key not in MAIN_MODULE_KEYS})


multiprocessing.spawn.prepare = _prepare_without_main  # in this fork server, and so in every worker forked from it
language_identifier()
read_page(WARM_UP_PAGE, WARM_UP_URL)
freeze_startup_heap()
