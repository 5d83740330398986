"""Imported by the worker pool's fork server alone (``crawler.worker_pool``): what extraction loads at first use, loaded before forking.

Every worker is forked from the fork server, and replaced by a fresh fork every
``TASKS_PER_WORKER`` pages: what the fork server holds, each worker starts with.
Importing the extraction code is not all: the language classifier's model is
read at its first use (``crawler.extraction.language``), which would cost each
new worker half a second of CPU.
"""

from __future__ import annotations

from crawler.extraction.language import language_identifier

language_identifier()
