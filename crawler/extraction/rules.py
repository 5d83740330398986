"""A site profile's body rules and its compiled CSS selectors: what the crawl process needs of the extractor.

Kept apart from the extraction modules so that loading a profile (every ``scrapy``
command, the crawl process that hands pages to workers) loads lxml's selectors
and nothing of trafilatura, BeautifulSoup or the language model.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lxml.cssselect import CSSSelector


@dataclass(frozen=True)
class BodyRules:
    """A site profile's selectors for the body and for what to remove from it."""

    body: str | None = None
    remove: tuple[str, ...] = ()


@lru_cache(maxsize=256)
def compiled_selector(css: str) -> CSSSelector:
    """A profile's CSS selector, compiled once per crawl rather than once per page."""
    return CSSSelector(css)
