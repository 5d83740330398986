"""Pure extraction: HTML and URL in, article fields out (no Scrapy, no database).

``extract_article`` parses a page once and returns its metadata and the HTML
of its main body; ``clean_body`` turns that body into clean text;
``read_page`` does both and judges whether the page is an article. The
crawler runs ``read_page`` on every article page (in worker processes, see
``crawler.page_workers``); the benchmark runs the same on stored pages.

Each public name is imported from its module when it is first asked for, so
that what needs only ``BodyRules`` (the profiles, the crawl process that hands
pages to workers) does not load trafilatura, BeautifulSoup and the language
model with it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.extraction.cleaning import clean_body
    from crawler.extraction.page import extract_article
    from crawler.extraction.reading import PageReading, read_page
    from crawler.extraction.rules import BodyRules

__all__ = ["BodyRules", "PageReading", "clean_body", "extract_article", "read_page"]

_MODULES = {
    "BodyRules": "crawler.extraction.rules",
    "PageReading": "crawler.extraction.reading",
    "clean_body": "crawler.extraction.cleaning",
    "extract_article": "crawler.extraction.page",
    "read_page": "crawler.extraction.reading",
}
"""The module of each public name."""


def __getattr__(name: str) -> Any:
    """The public ``name``, from its module (imported now if it was not yet), kept here: asked for again, it is found
    without this function (``crawler.page_tasks`` asks for ``read_page`` at every page)."""
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_MODULES[name]), name)
    globals()[name] = value
    return value
