"""Extract one page: parse it once, read its metadata, find its body, judge whether it is an article."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import trafilatura

from crawler.extraction.body import extract_body_html
from crawler.extraction.metadata import PageMetadata, extract_metadata
from crawler.extraction.parsing import parse_page
from crawler.extraction.rules import BodyRules

MIN_ARTICLE_WORDS = 80
"""A page without article markup is an article if its body is this long and it has a date."""
EXTRACTOR_VERSION = f"technews-archive-1/trafilatura-{trafilatura.__version__}"


class UnparsablePage(ValueError):
    """The page is not HTML that can be parsed."""


@dataclass
class ExtractedPage:
    metadata: PageMetadata = field(default_factory=PageMetadata)
    body_html: str = ""
    body_method: str = ""

    @property
    def extractor(self) -> str:
        return f"{EXTRACTOR_VERSION}/{self.body_method}"

    @property
    def article_markup(self) -> str:
        """How the page marks itself as an article: "json-ld", "og", or "" for not at all."""
        return "json-ld" if self.metadata.json_ld_article else "og" if self.metadata.og_article else ""


def is_article(article_markup: str, published_at: datetime | None, body_text: str) -> bool:
    """JSON-LD or og:type says article, or the page has a date and a body of some length."""
    if not body_text:
        return False
    if article_markup:
        return True
    return published_at is not None and len(body_text.split()) >= MIN_ARTICLE_WORDS


def extract_article(html: str, url: str, rules: BodyRules | None = None) -> ExtractedPage:
    """Metadata and main-body HTML of the page ``html`` fetched from ``url``."""
    tree = parse_page(html)
    if tree is None:
        raise UnparsablePage(f"{url}: not parsable as HTML")
    metadata = extract_metadata(tree, url)
    body_html, method = extract_body_html(tree, url, rules)
    return ExtractedPage(metadata=metadata, body_html=body_html, body_method=method)
